package dev.microshop.inventory;

import dev.microshop.contracts.OrdersApi;
import dev.microshop.platform.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stock held for the order saga: reserve all lines or none, release, commit, each idempotent per order. Every
 * method runs inside the transaction that records the command's message id (see {@code reliably}), and a result
 * for orders goes to the outbox in that same transaction.
 */
final class Reservations {
  private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);

  private Reservations() {}

  /**
   * Decides an order's reservation once: the first RESERVE for an order locks its products, then reserves every
   * line or records why none was; any later RESERVE for the order resends that same outcome.
   */
  static Future<Void> reserve(SqlConnection tx, ReserveCommand command) {
    return tx.preparedQuery(InventorySql.CLAIM_STOCK_REQUEST).execute(Tuple.of(command.orderId()))
        .compose(claimed -> claimed.size() == 1 ? decide(tx, command) : replay(tx, command.orderId()));
  }

  /** Returns an order's reserved lines to the stock; a no-op when it holds none. */
  static Future<Void> release(SqlConnection tx, UUID orderId) {
    return tx.preparedQuery(InventorySql.LOCK_RESERVED_STOCK).execute(Tuple.of(orderId))
        .compose(locked -> tx.preparedQuery(InventorySql.RELEASE).execute(Tuple.of(orderId)))
        .onSuccess(rows -> LOG.debug("order {}: released {} lines", orderId, rows.rowCount()))
        .mapEmpty();
  }

  /** Turns an order's reserved lines into sales; a no-op when it holds none. */
  static Future<Void> commit(SqlConnection tx, UUID orderId) {
    return tx.preparedQuery(InventorySql.COMMIT).execute(Tuple.of(orderId))
        .onSuccess(rows -> LOG.debug("order {}: committed {} lines", orderId, rows.rowCount()))
        .mapEmpty();
  }

  private static Future<Void> decide(SqlConnection tx, ReserveCommand command) {
    return tx.preparedQuery(InventorySql.LOCK_STOCK).execute(Tuple.of(command.productIds()))
        .compose(locked -> {
          String rejection = command.rejection(stock(locked));
          return rejection == null ? take(tx, command) : reject(tx, command.orderId(), rejection);
        });
  }

  private static Future<Void> take(SqlConnection tx, ReserveCommand command) {
    return tx.preparedQuery(InventorySql.RESERVE)
        .execute(Tuple.of(command.orderId(), command.productIds(), command.quantities()))
        .compose(reserved -> reserved.size() == command.lines().size()
            ? reserved(tx, command.orderId(), reserved)
            // Cannot happen under the row locks; failing rolls the partial reservation back and the relay retries.
            : Future.failedFuture(new IllegalStateException("order " + command.orderId() + ": reserved "
                + reserved.size() + " of " + command.lines().size() + " lines under lock")));
  }

  private static Future<Void> reject(SqlConnection tx, UUID orderId, String reason) {
    LOG.info("order {}: stock rejected ({})", orderId, reason);
    return tx.preparedQuery(InventorySql.REJECT_STOCK_REQUEST).execute(Tuple.of(orderId, reason))
        .compose(v -> rejected(tx, orderId, reason));
  }

  private static Future<Void> replay(SqlConnection tx, UUID orderId) {
    LOG.debug("order {}: stock was decided before; resending the outcome", orderId);
    return tx.preparedQuery(InventorySql.SELECT_STOCK_REQUEST).execute(Tuple.of(orderId))
        .compose(request -> {
          String rejection = request.iterator().next().getString("rejection");
          return rejection != null ? rejected(tx, orderId, rejection)
              : tx.preparedQuery(InventorySql.SELECT_RESERVATIONS).execute(Tuple.of(orderId))
                  .compose(lines -> reserved(tx, orderId, lines));
        });
  }

  /** {@code orders.saga.stock-reserved}: the lines in product id order, priced, and their total. */
  private static Future<Void> reserved(SqlConnection tx, UUID orderId, RowSet<Row> rows) {
    List<Row> lines = StreamSupport.stream(rows.spliterator(), false)
        .sorted(Comparator.comparing((Row row) -> row.getUUID("product_id"))).toList();
    JsonArray items = new JsonArray();
    long total = 0;
    for (Row line : lines) {
      items.add(new JsonObject()
          .put("productId", line.getUUID("product_id").toString())
          .put("quantity", line.getInteger("quantity"))
          .put("priceMinor", line.getLong("price_minor"))
          .put("currency", line.getString("currency"))
          .put("name", line.getString("name")));
      total = Math.addExact(total, Math.multiplyExact(line.getLong("price_minor"), line.getInteger("quantity")));
    }
    return Outbox.add(tx, OrdersApi.STOCK_RESERVED, result(orderId)
        .put("lines", items)
        .put("totalMinor", total)
        .put("currency", lines.get(0).getString("currency")));
  }

  /** {@code orders.saga.stock-rejected}. */
  private static Future<Void> rejected(SqlConnection tx, UUID orderId, String reason) {
    return Outbox.add(tx, OrdersApi.STOCK_REJECTED, result(orderId).put("reason", reason));
  }

  private static JsonObject result(UUID orderId) {
    return new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("occurredAt", Instant.now().toString())
        .put("orderId", orderId.toString());
  }

  private static Map<UUID, ReserveCommand.Stock> stock(RowSet<Row> rows) {
    Map<UUID, ReserveCommand.Stock> stock = new HashMap<>();
    rows.forEach(row -> stock.put(row.getUUID("id"),
        new ReserveCommand.Stock(row.getString("currency"), row.getInteger("available"))));
    return stock;
  }
}
