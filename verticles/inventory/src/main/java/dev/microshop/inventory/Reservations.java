package dev.microshop.inventory;

import dev.microshop.contracts.SagaResult.PricedLine;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.contracts.SagaResult.StockReserved;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToIntFunction;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stock held for the order saga: reserve all lines or none, release, commit, each idempotent per
 * order. Every method runs inside the transaction that records the command's message id (see {@code
 * reliably} and {@code answering}); a reservation yields its outcome, which the reply carries to
 * orders.
 */
final class Reservations {
  private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);

  private Reservations() {}

  /**
   * Decides an order's reservation once: the first RESERVE for an order locks its products, then
   * reserves every line or records why none was; any later RESERVE for the order answers that same
   * outcome.
   */
  static Future<JsonObject> reserve(SqlConnection tx, ReserveCommand command) {
    // Both at once (one round trip). A repeated reserve of an order decided before thus also waits
    // for its product
    // rows' locks (on a hot product, behind other reservations) before it answers the outcome:
    // rare, and correct.
    Future<RowSet<Row>> claimed =
        tx.preparedQuery(InventorySql.CLAIM_STOCK_REQUEST).execute(Tuple.of(command.orderId()));
    Future<RowSet<Row>> locked =
        tx.preparedQuery(InventorySql.LOCK_STOCK).execute(Tuple.of(command.productIds()));
    return Future.all(claimed, locked)
        .compose(
            both ->
                claimed.result().size() == 1
                    ? decide(tx, command, locked.result())
                    : replay(tx, command.orderId()));
  }

  /**
   * Returns an order's reserved lines to the stock; a no-op when it holds none. Yields the products
   * it changed.
   */
  static Future<List<UUID>> release(SqlConnection tx, UUID orderId) {
    // Pipelined: PostgreSQL takes the locks before it runs the release.
    Future<?> locked =
        tx.preparedQuery(InventorySql.LOCK_RESERVED_STOCK).execute(Tuple.of(orderId));
    Future<RowSet<Row>> released =
        tx.preparedQuery(InventorySql.RELEASE)
            .execute(Tuple.of(orderId))
            .onSuccess(rows -> LOG.debug("order {}: released {} lines", orderId, rows.rowCount()));
    return Future.all(locked, released)
        .map(
            both ->
                StreamSupport.stream(released.result().spliterator(), false)
                    .map(row -> row.getUUID("id"))
                    .toList());
  }

  private static Future<JsonObject> decide(
      SqlConnection tx, ReserveCommand command, RowSet<Row> locked) {
    String rejection = command.rejection(stock(locked));
    return rejection == null ? take(tx, command, locked) : reject(tx, command.orderId(), rejection);
  }

  /** The answer is priced from the locked rows, which the update cannot change under the lock. */
  private static Future<JsonObject> take(
      SqlConnection tx, ReserveCommand command, RowSet<Row> locked) {
    Map<UUID, Integer> quantities = new HashMap<>();
    command.lines().forEach(line -> quantities.put(line.productId(), line.quantity()));
    return tx.preparedQuery(InventorySql.RESERVE)
        .execute(Tuple.of(command.orderId(), command.productIds(), command.quantities()))
        .compose(
            reserved ->
                reserved.size() == command.lines().size()
                    ? Future.succeededFuture(
                        reserved(
                            command.orderId(), locked, row -> quantities.get(row.getUUID("id"))))
                    // Cannot happen under the row locks; failing rolls the partial reservation back
                    // and the relay retries.
                    : Future.failedFuture(
                        new IllegalStateException(
                            "order "
                                + command.orderId()
                                + ": reserved "
                                + reserved.size()
                                + " of "
                                + command.lines().size()
                                + " lines under lock")));
  }

  private static Future<JsonObject> reject(SqlConnection tx, UUID orderId, String reason) {
    LOG.info("order {}: stock rejected ({})", orderId, reason);
    return tx.preparedQuery(InventorySql.REJECT_STOCK_REQUEST)
        .execute(Tuple.of(orderId, reason))
        .map(recorded -> rejected(orderId, reason));
  }

  private static Future<JsonObject> replay(SqlConnection tx, UUID orderId) {
    LOG.debug("order {}: stock was decided before; answering the same outcome", orderId);
    return tx.preparedQuery(InventorySql.SELECT_STOCK_REQUEST)
        .execute(Tuple.of(orderId))
        .compose(
            request -> {
              String rejection = request.iterator().next().getString("rejection");
              return rejection != null
                  ? Future.succeededFuture(rejected(orderId, rejection))
                  : tx.preparedQuery(InventorySql.SELECT_RESERVATIONS)
                      .execute(Tuple.of(orderId))
                      .map(lines -> reserved(orderId, lines, line -> line.getInteger("quantity")));
            });
  }

  /**
   * {@link StockReserved}: the lines in product id order, priced, and their total. {@code rows}
   * hold the product id (column {@code product_id} or {@code id}), price, currency and name of each
   * line.
   */
  private static JsonObject reserved(UUID orderId, RowSet<Row> rows, ToIntFunction<Row> quantity) {
    List<Row> lines =
        StreamSupport.stream(rows.spliterator(), false)
            .sorted(Comparator.comparing(Reservations::productId))
            .toList();
    List<PricedLine> items = new ArrayList<>();
    long total = 0;
    for (Row line : lines) {
      int units = quantity.applyAsInt(line);
      items.add(
          new PricedLine(
              productId(line),
              units,
              line.getLong("price_minor"),
              line.getString("currency"),
              line.getString("name")));
      total = Math.addExact(total, Math.multiplyExact(line.getLong("price_minor"), units));
    }
    return new StockReserved(orderId, items, total, lines.get(0).getString("currency")).toJson();
  }

  private static UUID productId(Row row) {
    return row.getColumnIndex("product_id") >= 0 ? row.getUUID("product_id") : row.getUUID("id");
  }

  /** The reason is one of the {@link StockRejected.Reason} names, as recorded. */
  private static JsonObject rejected(UUID orderId, String reason) {
    return new StockRejected(orderId, StockRejected.Reason.valueOf(reason)).toJson();
  }

  private static Map<UUID, ReserveCommand.Stock> stock(RowSet<Row> rows) {
    Map<UUID, ReserveCommand.Stock> stock = new HashMap<>();
    rows.forEach(
        row ->
            stock.put(
                row.getUUID("id"),
                new ReserveCommand.Stock(row.getString("currency"), row.getInteger("available"))));
    return stock;
  }
}
