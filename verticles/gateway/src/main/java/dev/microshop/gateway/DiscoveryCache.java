package dev.microshop.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.servicediscovery.Record;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which services have at least one instance, refreshed from the cluster-wide registry on every
 * discovery announcement and every second. Kept in memory so a request for a service with no
 * instance is refused in microseconds instead of paying a registry round-trip.
 */
final class DiscoveryCache {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryCache.class);
  private static final long REFRESH_MS = 1000;
  static final long RECHECK_WAIT_MS = 300;
  static final long READ_TIMEOUT_MS = 5000;

  /**
   * How long a service that reads listed stays available after they stop listing it. A JVM whose
   * record is missing publishes it again within 3 s, and after a split-brain merge the registry can
   * miss a record for that long while the service answers (seen in the lab after a 30 s partition).
   * Meanwhile the event bus decides: with no consumer left the request fails at once there too.
   */
  static final long GONE_AFTER_MS = 5000;

  private final Vertx vertx;
  private final Supplier<Future<List<Record>>> records;
  private volatile Map<String, Integer> instances = Map.of();
  private final Map<String, Long> lastListed = new ConcurrentHashMap<>(); // System.nanoTime()
  private final long goneAfterNanos;
  private long timer = -1;
  private Context home;
  private Future<Void> reading; // touched on the home context only
  private long reads;
  private long applied;

  /**
   * {@code records}: reads the cluster-wide registry (the platform's {@code Discovery::records}).
   */
  DiscoveryCache(Vertx vertx, Supplier<Future<List<Record>>> records) {
    this(vertx, records, GONE_AFTER_MS);
  }

  DiscoveryCache(Vertx vertx, Supplier<Future<List<Record>>> records, long goneAfterMs) {
    this.vertx = vertx;
    this.records = records;
    this.goneAfterNanos = TimeUnit.MILLISECONDS.toNanos(goneAfterMs);
  }

  /**
   * On the context that will own every registry read; a first read that fails leaves the cache
   * empty for now.
   */
  Future<Void> start() {
    home = vertx.getOrCreateContext();
    vertx.eventBus().consumer("vertx.discovery.announce", msg -> refresh());
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh());
    return refresh().recover(e -> Future.succeededFuture());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** Listed by the last read, or by one less than {@link #GONE_AFTER_MS} ago. */
  boolean available(String service) {
    if (instances.getOrDefault(service, 0) > 0) {
      return true;
    }
    Long listed = lastListed.get(service);
    return listed != null && System.nanoTime() - listed < goneAfterNanos;
  }

  /**
   * After a miss: reads the registry again before the gateway answers 503, so an instance that has
   * just started is found at once instead of at the next refresh (its announcement can arrive
   * before its record is readable here). It waits for the read at most {@value #RECHECK_WAIT_MS} ms
   * and then answers from what is known: while a cluster member hangs, Hazelcast holds reads of the
   * partitions it owns until the heartbeat timeout drops it, and a request must not wait for that.
   */
  Future<Boolean> recheck(String service) {
    // The gateway's HTTP servers run on several event loops: the shared read lives on the home
    // context, and each
    // caller gets its answer back on its own.
    Context caller = vertx.getOrCreateContext();
    Promise<Boolean> answer = Promise.promise();
    home.runOnContext(
        v ->
            refresh()
                .timeout(RECHECK_WAIT_MS, TimeUnit.MILLISECONDS)
                .onComplete(done -> caller.runOnContext(x -> answer.complete(available(service)))));
    return answer.future();
  }

  /**
   * One registry read at a time, shared by the periodic refresh, announcements and rechecks: a
   * service that is down costs one read at a time, not one per request, and reads that hang do not
   * pile up. A read that takes longer than {@value #READ_TIMEOUT_MS} ms no longer holds up the next
   * one.
   */
  private Future<Void> refresh() {
    if (reading != null) {
      return reading;
    }
    long started = ++reads;
    Future<Void> read =
        records
            .get()
            .onSuccess(
                records -> {
                  Map<String, Integer> counts = new ConcurrentHashMap<>();
                  for (Record record : records) {
                    counts.merge(record.getName(), 1, Integer::sum);
                  }
                  if (started
                      > applied) { // a read that timed out and answers late must not undo a newer
                    // one
                    applied = started;
                    instances = counts;
                    long now = System.nanoTime();
                    counts.keySet().forEach(service -> lastListed.put(service, now));
                  }
                })
            .<Void>mapEmpty()
            .timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .onFailure(e -> LOG.warn("discovery refresh failed: {}", e.getMessage()));
    reading = read;
    // A read that is already over (a failure at once) clears the field here, so return the read,
    // not the field.
    read.onComplete(
        done -> {
          if (reading == read) {
            reading = null;
          }
        });
    return read;
  }
}
