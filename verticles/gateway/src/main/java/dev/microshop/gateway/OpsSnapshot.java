package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the operations console shows, in one JSON document: the status report (services, instances,
 * pings), this gateway's circuit breakers, each outbox with its dead letters, and the orders of the
 * last minute. Everything comes from the same admin API the routes serve, called with the caller's
 * admin identity; a part that cannot be read says why and the rest is still shown.
 *
 * <p>Every console of this gateway shares one document at a time, rebuilt at most every {@code
 * reuseMs}, so ten open consoles cost the services what one does.
 */
final class OpsSnapshot {
  static final List<String> OUTBOXES =
      Services.ALL.stream().filter(s -> !s.equals(Services.GATEWAY)).toList();
  private static final int DEAD_LETTERS_SHOWN = 20;

  private final StatusReport status;
  private final Downstream downstream;
  private final long slowOrderMs;
  private final String traceUrl;
  private final long reuseNanos;
  private Future<JsonObject> last;
  private long lastStarted;

  OpsSnapshot(
      StatusReport status, Downstream downstream, long slowOrderMs, String traceUrl, long reuseMs) {
    this.status = status;
    this.downstream = downstream;
    this.slowOrderMs = slowOrderMs;
    this.traceUrl = traceUrl;
    this.reuseNanos = TimeUnit.MILLISECONDS.toNanos(reuseMs);
  }

  /**
   * The current document, read as {@code admin} unless a fresh enough one is being or was built.
   */
  synchronized Future<JsonObject> read(Identity admin, String requestId) {
    long now = System.nanoTime();
    if (last == null || now - lastStarted >= reuseNanos) {
      lastStarted = now;
      last = build(admin, requestId);
    }
    return last;
  }

  private Future<JsonObject> build(Identity admin, String requestId) {
    Future<JsonObject> report = part(status.full());
    Future<JsonObject> orders =
        part(
            downstream.call(
                Services.ORDERS,
                OrdersApi.ACTIVITY,
                new JsonObject().put("slowMs", slowOrderMs),
                admin,
                requestId));
    List<Future<JsonObject>> outboxes =
        OUTBOXES.stream().map(service -> outbox(service, admin, requestId)).toList();
    return Future.join(report, orders, Future.join(outboxes))
        .transform(
            done -> {
              JsonObject byService = new JsonObject();
              for (int i = 0; i < OUTBOXES.size(); i++) {
                byService.put(OUTBOXES.get(i), outboxes.get(i).result());
              }
              return Future.succeededFuture(
                  new JsonObject()
                      .put("at", Instant.now().toString())
                      .put("status", report.result())
                      .put("breakers", breakers())
                      .put("outboxes", byService)
                      .put("orders", orders.result())
                      .put("slowOrderMs", slowOrderMs)
                      .put("traceUrl", traceUrl));
            });
  }

  /** An outbox's counts and its first dead letters (without payloads: the console lists them). */
  private Future<JsonObject> outbox(String service, Identity admin, String requestId) {
    Future<JsonObject> stats =
        downstream.call(service, OutboxApi.stats(service), new JsonObject(), admin, requestId);
    Future<JsonObject> dead =
        downstream.call(
            service, OutboxApi.deadLetters(service), new JsonObject(), admin, requestId);
    return part(
        Future.all(stats, dead)
            .map(
                v -> {
                  JsonArray letters = new JsonArray();
                  dead.result().getJsonArray("items", new JsonArray()).stream()
                      .limit(DEAD_LETTERS_SHOWN)
                      .map(JsonObject.class::cast)
                      .forEach(
                          d ->
                              letters.add(
                                  new JsonObject()
                                      .put("id", d.getValue("id"))
                                      .put("destination", d.getValue("destination"))
                                      .put("attempts", d.getValue("attempts"))
                                      .put("lastError", d.getValue("lastError"))
                                      .put("createdAt", d.getValue("createdAt"))));
                  return stats.result().copy().put("deadLetters", letters);
                }));
  }

  private JsonObject breakers() {
    JsonObject states = new JsonObject();
    Map<String, String> known = downstream.breakerStates();
    Services.ALL.stream()
        .filter(s -> !s.equals(Services.GATEWAY))
        .forEach(s -> states.put(s, known.getOrDefault(s, "CLOSED")));
    return states;
  }

  /** A part of the document: its value, or {@code {error}} saying why it could not be read. */
  private static Future<JsonObject> part(Future<JsonObject> read) {
    return read.otherwise(
        e ->
            new JsonObject()
                .put(
                    "error",
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
  }
}
