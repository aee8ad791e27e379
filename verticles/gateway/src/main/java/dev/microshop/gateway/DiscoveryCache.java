package dev.microshop.gateway;

import dev.microshop.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.servicediscovery.Record;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which services have at least one instance, refreshed from the cluster-wide registry on every discovery
 * announcement and every second. Kept in memory so a request for a service with no instance is refused in
 * microseconds instead of paying a registry round-trip.
 */
final class DiscoveryCache {
  private static final Logger LOG = LoggerFactory.getLogger(DiscoveryCache.class);
  private static final long REFRESH_MS = 1000;
  private final Vertx vertx;
  private final Platform platform;
  private volatile Map<String, Integer> instances = Map.of();
  private long timer = -1;
  private Future<Void> rereading;

  DiscoveryCache(Vertx vertx, Platform platform) {
    this.vertx = vertx;
    this.platform = platform;
  }

  Future<Void> start() {
    vertx.eventBus().consumer("vertx.discovery.announce", msg -> refresh());
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh());
    return refresh();
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  boolean available(String service) {
    return instances.getOrDefault(service, 0) > 0;
  }

  /**
   * After a miss: reads the registry again before the gateway answers 503, so an instance that has just started
   * is found at once instead of at the next refresh (its announcement can arrive before its record is readable
   * here). Misses that arrive while a read runs share it, so a service that is down costs one registry read at a
   * time, not one per request.
   */
  Future<Boolean> recheck(String service) {
    if (rereading == null) {
      Future<Void> read = refresh();
      rereading = read;
      read.onComplete(done -> {
        if (rereading == read) {
          rereading = null;
        }
      });
    }
    // A failed read is logged by refresh; the caller then answers from what is known.
    return rereading.transform(done -> Future.succeededFuture(available(service)));
  }

  private Future<Void> refresh() {
    return platform.discovery().records()
        .onSuccess(records -> {
          Map<String, Integer> counts = new ConcurrentHashMap<>();
          for (Record record : records) {
            counts.merge(record.getName(), 1, Integer::sum);
          }
          instances = counts;
        })
        .onFailure(e -> LOG.warn("discovery refresh failed: {}", e.getMessage()))
        .mapEmpty();
  }
}
