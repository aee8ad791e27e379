package dev.microshop.orders;

import dev.microshop.platform.request.Fields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;

/**
 * What the operations console shows of orders: the rate and p99 of the last minute, and the latest
 * orders that failed or were slow, each with its trace. Read from the orders table, so the figures
 * are the whole system's, whichever instance answers.
 */
final class Activity {
  static final int WINDOW_SECONDS = 60;

  /** How far back the list of failed and slow orders looks. */
  static final int RECENT_SECONDS = 15 * 60;

  static final int RECENT_LIMIT = 20;

  private Activity() {}

  /** Body {@code {slowMs}}: above it an order counts as slow. */
  static Future<JsonObject> read(Pool pool, JsonObject body) {
    Fields fields = new Fields(body == null ? new JsonObject() : body);
    Long slowMs = fields.integer("slowMs", true, 1, 600_000);
    fields.check();
    Future<JsonObject> window =
        pool.preparedQuery(OrdersSql.ACTIVITY_WINDOW)
            .execute(Tuple.of(WINDOW_SECONDS))
            .map(rows -> rows.iterator().next())
            .map(Activity::window);
    Future<JsonArray> recent =
        pool.preparedQuery(OrdersSql.ACTIVITY_RECENT)
            .execute(Tuple.of(slowMs, RECENT_SECONDS, RECENT_LIMIT))
            .map(
                rows -> {
                  JsonArray items = new JsonArray();
                  rows.forEach(row -> items.add(recent(row)));
                  return items;
                });
    return Future.all(window, recent).map(v -> window.result().put("recent", recent.result()));
  }

  private static JsonObject window(Row row) {
    Number p99 = row.getNumeric("p99_ms");
    return new JsonObject()
        .put("windowSeconds", WINDOW_SECONDS)
        .put("placedPerSecond", row.getLong("placed") / (double) WINDOW_SECONDS)
        .put("p99Ms", p99 == null ? null : Math.round(p99.doubleValue()));
  }

  private static JsonObject recent(Row row) {
    OffsetDateTime created = row.getOffsetDateTime("created_at");
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("status", row.getString("status"))
        .put("reason", row.getString("reason"))
        .put("ms", Math.round(row.getNumeric("ms").doubleValue()))
        .put("traceId", row.getString("trace_id"))
        .put("createdAt", created.toInstant().toString());
  }
}
