package dev.microshop.platform.messaging;

import dev.microshop.contracts.Events;
import dev.microshop.platform.observability.TraceParents;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The transactional outbox: a message is written in the same transaction as the state change that
 * causes it, and the {@link OutboxRelay} delivers it later, retrying until the receiver
 * acknowledges it. Nothing a service must tell another is sent directly on the at-most-once event
 * bus.
 */
public final class Outbox {
  private Outbox() {}

  /** A command to one service, with a fresh message id and the time it was decided. */
  public static Future<Void> command(SqlClient tx, String address, JsonObject body) {
    return add(
        tx,
        address,
        body.copy()
            .put("messageId", UUID.randomUUID().toString())
            .put("occurredAt", Instant.now().toString()));
  }

  /**
   * An event: one row per subscribing service ({@link Events#SUBSCRIBERS}), so each gets it even if
   * it is down right now. Every copy carries the one eventId, and a message id derived from it and
   * the subscriber.
   */
  public static Future<Void> event(SqlClient tx, String event, JsonObject body) {
    return event(tx, event, body, Instant.now());
  }

  /**
   * Like {@link #event(SqlClient, String, JsonObject)}, for something that happened at {@code at}.
   */
  public static Future<Void> event(SqlClient tx, String event, JsonObject body, Instant at) {
    String eventId = UUID.randomUUID().toString();
    String occurredAt = at.toString();
    List<Future<Void>> rows = new ArrayList<>();
    for (String subscriber : Events.SUBSCRIBERS.getOrDefault(event, List.of())) {
      rows.add(
          add(
              tx,
              Events.deliveryAddress(subscriber, event),
              body.copy()
                  .put("messageId", Events.deliveryId(eventId, subscriber))
                  .put("eventId", eventId)
                  .put("occurredAt", occurredAt)));
    }
    return Future.all(rows).mapEmpty();
  }

  /**
   * Adds a message inside the caller's transaction. The payload must carry its {@code messageId},
   * which is also the row id: adding the same message twice keeps one row. In a transaction of
   * {@link OutboxRelay#transaction} the message is sent right after the commit; otherwise the relay
   * finds it on its next claim.
   */
  public static Future<Void> add(SqlClient tx, String destination, JsonObject payload) {
    UUID id = UUID.fromString(payload.getString("messageId"));
    // Taken now, while the writer's span is current: the relay may send it much later.
    String traceParent = TraceParents.current();
    if (tx instanceof OutboxTransaction relayed) {
      return tx.preparedQuery(OutboxSql.ADD_LEASED)
          .execute(Tuple.of(id, destination, payload, traceParent, relayed.leaseSeconds()))
          .onSuccess(
              rows -> {
                if (rows.rowCount() == 1) {
                  relayed.wrote(id, destination, payload, traceParent);
                }
              })
          .mapEmpty();
    }
    return tx.preparedQuery(OutboxSql.ADD)
        .execute(Tuple.of(id, destination, payload, traceParent))
        .mapEmpty();
  }

  /** Dead letters: messages that exhausted their attempts, oldest first. */
  public static Future<JsonArray> deadLetters(Pool pool, int limit) {
    return pool.preparedQuery(OutboxSql.LIST_DEAD)
        .execute(Tuple.of(limit))
        .map(
            rows -> {
              JsonArray out = new JsonArray();
              for (Row row : rows) {
                out.add(
                    new JsonObject()
                        .put("id", row.getUUID("id").toString())
                        .put("destination", row.getString("destination"))
                        .put("payload", row.getJsonObject("payload"))
                        .put("attempts", row.getInteger("attempts"))
                        .put("lastError", row.getString("last_error"))
                        .put(
                            "createdAt",
                            row.getOffsetDateTime("created_at").toInstant().toString()));
              }
              return out;
            });
  }

  /**
   * Puts a dead letter back in the queue with fresh attempts. False when it is not a dead letter.
   */
  public static Future<Boolean> redrive(Pool pool, UUID id) {
    return pool.preparedQuery(OutboxSql.REDRIVE)
        .execute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Pending and dead counts and the age of the oldest pending message (the relay's lag), in
   * seconds.
   */
  public static Future<JsonObject> stats(Pool pool) {
    return pool.query(OutboxSql.STATS)
        .execute()
        .map(
            rows -> {
              Row row = rows.iterator().next();
              return new JsonObject()
                  .put("pending", row.getLong("pending"))
                  .put("dead", row.getLong("dead"))
                  .put("lagSeconds", row.getNumeric("lag").doubleValue());
            });
  }
}
