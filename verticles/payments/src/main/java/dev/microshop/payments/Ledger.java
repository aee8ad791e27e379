package dev.microshop.payments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A wallet's ledger as its owner reads it: newest first, by keyset on the entry id. */
final class Ledger {
  private final Pool pool;

  Ledger(Pool pool) {
    this.pool = pool;
  }

  /**
   * One page, reading one row beyond the limit to know whether another follows. Opens no wallet.
   */
  Future<JsonObject> page(UUID userId, LedgerPage request) {
    return pool.preparedQuery(PaymentsSql.LEDGER_PAGE)
        .execute(Tuple.of(userId, request.beforeId(), request.limit() + 1))
        .map(rows -> page(rows, request.limit()));
  }

  private static JsonObject page(RowSet<Row> rows, int limit) {
    List<Row> found = new ArrayList<>();
    rows.forEach(found::add);
    boolean more = found.size() > limit;
    List<Row> items = more ? found.subList(0, limit) : found;
    JsonObject page =
        new JsonObject().put("items", new JsonArray(items.stream().map(Ledger::entry).toList()));
    if (more) {
      page.put("nextCursor", LedgerPage.cursorAfter(items.get(limit - 1).getLong("id")));
    }
    return page;
  }

  private static JsonObject entry(Row row) {
    JsonObject entry =
        new JsonObject()
            .put("id", row.getLong("id"))
            .put("kind", row.getString("kind"))
            .put("amountMinor", row.getLong("amount_minor"))
            .put("balanceAfterMinor", row.getLong("balance_after_minor"))
            .put("reason", row.getString("reason"));
    UUID order = row.getUUID("order_id");
    if (order != null) {
      entry.put("orderId", order.toString());
    }
    return entry.put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString());
  }
}
