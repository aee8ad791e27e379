package dev.microshop.orders;

import dev.microshop.contracts.InventoryApi.ReserveStock;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.TimeCursor;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reading orders: one with its lines and timeline, or a page of the caller's. */
final class Orders {
  private Orders() {}

  /**
   * The caller's order, or 404 (also when it belongs to someone else: its existence is not
   * revealed).
   */
  static Future<JsonObject> get(SqlClient db, UUID userId, UUID orderId) {
    return db.preparedQuery(OrdersSql.GET)
        .execute(Tuple.of(orderId, userId))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(
                    ServiceFailure.notFound("order " + orderId + " not found"));
              }
              Row row = rows.iterator().next();
              JsonObject order = summary(row);
              order.remove("createdAtExact");
              return Future.succeededFuture(
                  order.put("lines", lines(row)).put("timeline", timeline(row)));
            });
  }

  private static JsonArray lines(Row row) {
    JsonArray lines = new JsonArray();
    UUID[] products = row.getArrayOfUUIDs("product_ids");
    if (products == null) {
      return lines;
    }
    Integer[] quantities = row.getArrayOfIntegers("quantities");
    Long[] prices = row.getArrayOfLongs("prices");
    String[] names = row.getArrayOfStrings("names");
    for (int i = 0; i < products.length; i++) {
      lines.add(
          new JsonObject()
              .put("productId", products[i].toString())
              .put("quantity", quantities[i])
              .put("priceMinor", prices[i])
              .put("name", names[i]));
    }
    return lines;
  }

  private static JsonArray timeline(Row row) {
    JsonArray timeline = new JsonArray();
    String[] steps = row.getArrayOfStrings("steps");
    if (steps == null) {
      return timeline;
    }
    String[] details = row.getArrayOfStrings("details");
    OffsetDateTime[] ats = row.getArrayOfOffsetDateTimes("ats");
    for (int i = 0; i < steps.length; i++) {
      timeline.add(
          new JsonObject()
              .put("step", steps[i])
              .put("detail", details[i])
              .put("at", ats[i].toInstant().toString()));
    }
    return timeline;
  }

  /** The order's lines as a reserve command names them, to send it again. */
  static Future<List<ReserveStock.Line>> reserveLines(SqlClient db, UUID orderId) {
    return db.preparedQuery(OrdersSql.LINES)
        .execute(Tuple.of(orderId))
        .map(
            rows -> {
              List<ReserveStock.Line> lines = new ArrayList<>();
              for (Row row : rows) {
                lines.add(
                    new ReserveStock.Line(row.getUUID("product_id"), row.getInteger("quantity")));
              }
              return lines;
            });
  }

  static Future<JsonObject> list(Pool pool, UUID userId, TimeCursor after, int limit) {
    // One row more than the page tells whether there is a next page.
    return pool.preparedQuery(OrdersSql.LIST)
        .execute(Tuple.of(userId, after.at(), after.id(), limit + 1))
        .map(rows -> page(rows, limit));
  }

  private static JsonObject page(RowSet<Row> rows, int limit) {
    JsonArray items = new JsonArray();
    TimeCursor last = null;
    for (Row row : rows) {
      if (items.size() == limit) {
        return new JsonObject().put("items", items).put("nextCursor", last.encode());
      }
      items.add(summary(row));
      last = new TimeCursor(row.getOffsetDateTime("created_at"), row.getUUID("id"));
    }
    return new JsonObject().put("items", items);
  }

  private static JsonObject summary(Row row) {
    JsonObject order =
        new JsonObject()
            .put("id", row.getUUID("id").toString())
            .put("userId", row.getUUID("user_id").toString())
            .put("status", row.getString("status"))
            // Unknown until inventory has priced the lines (the currency arrives with the price):
            // null, not 0.
            .put(
                "totalMinor", row.getString("currency") == null ? null : row.getLong("total_minor"))
            .put("currency", row.getString("currency"))
            .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
            .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
    if (row.getString("reason") != null) {
      order.put("reason", row.getString("reason"));
    }
    return order;
  }
}
