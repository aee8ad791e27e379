package dev.microshop.orders;

import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.InventoryApi.ReserveStock;
import dev.microshop.platform.messaging.Outbox;
import dev.microshop.platform.messaging.OutboxRelay;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.observability.TraceParents;
import dev.microshop.platform.request.Fields;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Placing an order: validate, then in one transaction claim the Idempotency-Key, insert the PENDING
 * order and its lines, and put the reserve-stock command in the outbox. A repeated key with the
 * same lines returns the same order; with other lines it is refused (422). Concurrent requests with
 * one key serialize on its primary key.
 */
final class Placement {
  static final int MAX_LINES = 20;
  static final int MAX_QUANTITY = 10;

  private final OutboxRelay relay;
  private final long deadlineSeconds;

  /** A validated request: lines sorted by product, so the hash does not depend on their order. */
  record Request(UUID userId, String key, List<Line> lines, String hash) {}

  record Line(UUID productId, int quantity) {}

  Placement(OutboxRelay relay, long deadlineSeconds) {
    this.relay = relay;
    this.deadlineSeconds = deadlineSeconds;
  }

  /**
   * Places (or finds) the order; yields it as {@code GET /v1/orders/{id}} shows it, read in the
   * same transaction. Two round trips: the placement itself ({@link OrdersSql#PLACE}: key, order,
   * lines and timeline in one statement), then, pipelined, the reserve command and the read of the
   * order.
   */
  Future<JsonObject> place(Request request) {
    UUID orderId = UUID.randomUUID();
    return relay.transaction(
        "orders.place",
        tx ->
            tx.preparedQuery(OrdersSql.PLACE)
                .execute(
                    Tuple.from(
                        new Object[] {
                          request.userId(),
                          request.key(),
                          request.hash(),
                          orderId,
                          (double) deadlineSeconds,
                          TraceParents.sampledTraceId(),
                          request.lines().stream().map(Line::productId).toArray(UUID[]::new),
                          request.lines().stream().map(Line::quantity).toArray(Integer[]::new),
                          lineCount(request.lines().size())
                        }))
                .compose(
                    rows ->
                        rows.size() == 1
                            ? placed(tx, request, rows.iterator().next())
                            : claimedMeanwhile(tx, request)));
  }

  /**
   * The key was claimed by a placement that committed while this one waited for it: the statement's
   * snapshot, older than that commit, saw neither row. A new statement does.
   */
  private Future<JsonObject> claimedMeanwhile(SqlConnection tx, Request request) {
    return tx.preparedQuery(OrdersSql.FIND_KEY)
        .execute(Tuple.of(request.userId(), request.key()))
        .compose(rows -> placed(tx, request, rows.iterator().next()));
  }

  /** The reserve command of an order this statement created; a repeated key's earlier order. */
  private Future<JsonObject> placed(SqlConnection tx, Request request, Row key) {
    UUID order = key.getUUID("order_id");
    if (!key.getBoolean("created")) {
      if (!key.getString("request_hash").equals(request.hash())) {
        return Future.failedFuture(
            ServiceFailure.unprocessable(
                "Idempotency-Key was already used for a different order; use a new key for a new order"));
      }
      return Orders.get(tx, request.userId(), order);
    }
    // PostgreSQL runs pipelined statements in order: the read answers with no round trip of its
    // own.
    Future<?> command =
        Outbox.command(
            tx,
            InventoryApi.RESERVE_STOCK,
            new ReserveStock(
                    order,
                    request.lines().stream()
                        .map(l -> new ReserveStock.Line(l.productId(), l.quantity()))
                        .toList())
                .toJson());
    Future<JsonObject> read = Orders.get(tx, request.userId(), order);
    return Saga.pipelined(command, read).map(v -> read.result());
  }

  /** Checks the request; a bad one fails with a 400 that names each problem. */
  static Request validate(UUID userId, JsonObject body) {
    Fields fields = new Fields(body);
    String key = fields.text("idempotencyKey", true, 1, 100);
    JsonArray array = fields.array("lines", true, 1, MAX_LINES);
    List<Line> lines = new ArrayList<>();
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; array != null && i < array.size(); i++) {
      Line line = line(fields.element("lines", array, i, "{productId, quantity}"));
      if (line != null && !seen.add(line.productId())) {
        fields.reject("lines." + i + ".productId", "each product may appear once");
      } else if (line != null) {
        lines.add(line);
      }
    }
    fields.check();
    lines.sort((a, b) -> a.productId().compareTo(b.productId()));
    return new Request(userId, key, List.copyOf(lines), hash(lines));
  }

  private static Line line(Fields line) {
    if (line == null) {
      return null;
    }
    UUID productId = line.uuid("productId", true);
    Long quantity = line.integer("quantity", true, 1, MAX_QUANTITY);
    return productId == null || quantity == null ? null : new Line(productId, quantity.intValue());
  }

  private static String hash(List<Line> lines) {
    StringBuilder canonical = new StringBuilder();
    lines.forEach(
        l -> canonical.append(l.productId()).append('x').append(l.quantity()).append(';'));
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(sha.digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String lineCount(int lines) {
    return lines + (lines == 1 ? " line" : " lines");
  }
}
