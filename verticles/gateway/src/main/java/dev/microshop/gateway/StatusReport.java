package dev.microshop.gateway;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.Describe;
import dev.microshop.contracts.Services;
import dev.microshop.platform.service.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/status}: every service the gateway can see through discovery, each instance of it,
 * and whether that very instance answers a ping over the event bus (each instance has its own ping
 * address). Pings run in parallel with a short timeout, so a hung instance costs at most that
 * timeout.
 *
 * <p>Records live in Hazelcast, where any process that knows the cluster name can write one. So a
 * record decides nothing about where the gateway sends a message: the ping goes to the address
 * derived from the record's instance id (a UUID), never to an address the record names, and only
 * records of microshop's own services are pinged, at most {@value #MAX_INSTANCES} per service. A
 * forged record can at worst show an instance that does not answer (DEGRADED): it cannot make the
 * gateway send a message of its choosing, with the gateway's identity, to an address of its
 * choosing, nor turn one status request into thousands of pings.
 *
 * <p>The route is public, so a flood of it must not become a flood of pings: one report is built at
 * a time and reused for {@code status.cacheMs} after it is done. Instances (pids, management URLs,
 * node ids) are for admins; anyone else sees the overall status and each service's.
 */
final class StatusReport {
  private final Vertx vertx;
  private final Platform platform;
  private final long pingTimeoutMs;
  private final long cacheNanos;
  static final long REGISTRY_WAIT_MS = 2_000;
  static final int MAX_INSTANCES = 32;
  private Future<JsonObject> last;
  private long lastDone;

  StatusReport(Vertx vertx, Platform platform, JsonObject config) {
    this.vertx = vertx;
    this.platform = platform;
    this.pingTimeoutMs = config.getLong("pingTimeoutMs");
    this.cacheNanos = TimeUnit.MILLISECONDS.toNanos(config.getLong("cacheMs"));
  }

  /** The report with every instance (for admins), built at most once per {@code cacheMs}. */
  synchronized Future<JsonObject> full() {
    if (last == null || (last.isComplete() && System.nanoTime() - lastDone >= cacheNanos)) {
      last = build().andThen(done -> finished());
    }
    return last;
  }

  /** The report without instances: the overall status and each service's. */
  Future<JsonObject> summary() {
    return full().map(StatusReport::withoutInstances);
  }

  private synchronized void finished() {
    lastDone = System.nanoTime();
  }

  static JsonObject withoutInstances(JsonObject report) {
    JsonObject services = new JsonObject();
    report
        .getJsonObject("services")
        .forEach(
            e ->
                services.put(
                    e.getKey(),
                    new JsonObject()
                        .put("status", ((JsonObject) e.getValue()).getString("status"))));
    return new JsonObject()
        .put("status", report.getString("status"))
        .put("clustered", report.getBoolean("clustered"))
        .put("services", services);
  }

  private Future<JsonObject> build() {
    // While a cluster member hangs, Hazelcast holds the registry read until the heartbeat drops it
    // (and longer while the cluster heals): say so at once rather than hold the caller's probe.
    return platform
        .discovery()
        .records()
        .timeout(REGISTRY_WAIT_MS, TimeUnit.MILLISECONDS)
        .recover(
            e ->
                Future.failedFuture(
                    new Problems.HttpProblem(
                        503,
                        "the service registry could not be read "
                            + "within "
                            + REGISTRY_WAIT_MS
                            + " ms ("
                            + e.getMessage()
                            + "): a cluster member may be hung or the "
                            + "cluster healing; retry shortly",
                        null,
                        Map.of("Retry-After", "1"))))
        .map(StatusReport::ours)
        .compose(records -> Future.join(records.stream().map(this::ping).toList()))
        .map(pinged -> summarize(pinged.<JsonObject>list()));
  }

  /** Records of microshop's services, at most {@value #MAX_INSTANCES} of each. */
  static List<Record> ours(List<Record> records) {
    Map<String, Integer> seen = new TreeMap<>();
    return records.stream()
        .filter(r -> Services.ALL.contains(r.getName()))
        .filter(r -> seen.merge(r.getName(), 1, Integer::sum) <= MAX_INSTANCES)
        .toList();
  }

  private Future<JsonObject> ping(Record record) {
    JsonObject instance = record.getMetadata().copy();
    instance.put("service", record.getName());
    if (!(instance.getValue("instanceId") instanceof String id) || !UuidText.isCanonical(id)) {
      return Future.succeededFuture(instance.put("ping", "INVALID_RECORD"));
    }
    long started = System.nanoTime();
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.ping(id),
            Describe.now().toJson(),
            platform.delivery().setSendTimeout(pingTimeoutMs))
        .map(
            reply ->
                instance
                    .put("ping", "ok")
                    .put("latencyMs", (System.nanoTime() - started) / 1_000_000.0))
        .otherwise(
            e ->
                instance.put(
                    "ping", e instanceof ReplyException r ? r.failureType().name() : "ERROR"));
  }

  private JsonObject summarize(List<JsonObject> instances) {
    Map<String, JsonArray> byService = new TreeMap<>();
    Services.ALL.forEach(s -> byService.put(s, new JsonArray()));
    instances.forEach(
        i -> byService.computeIfAbsent(i.getString("service"), s -> new JsonArray()).add(i));
    JsonObject services = new JsonObject();
    boolean allUp = true;
    for (Map.Entry<String, JsonArray> entry : byService.entrySet()) {
      long answering =
          entry.getValue().stream()
              .filter(i -> "ok".equals(((JsonObject) i).getString("ping")))
              .count();
      String state =
          answering == 0 ? "DOWN" : answering < entry.getValue().size() ? "DEGRADED" : "UP";
      allUp &= answering > 0;
      services.put(
          entry.getKey(), new JsonObject().put("status", state).put("instances", entry.getValue()));
    }
    return new JsonObject()
        .put("status", allUp ? "UP" : "DEGRADED")
        .put("clustered", platform.clustered())
        .put("services", services);
  }
}
