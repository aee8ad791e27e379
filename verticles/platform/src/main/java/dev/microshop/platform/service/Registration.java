package dev.microshop.platform.service;

import dev.microshop.contracts.InstanceInfo;
import dev.microshop.platform.cluster.Discovery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service instance's discovery record: published once the instance is ready, checked every few
 * seconds (a JVM that was paused or partitioned may have been dropped by the cluster), withdrawn
 * first when it stops.
 */
final class Registration {
  private static final Logger LOG = LoggerFactory.getLogger(Registration.class);
  private static final long REPUBLISH_MS = 3000;

  private final Vertx vertx;
  private final Discovery discovery;
  private final String service;
  private String registration;
  private long republishTimer = -1;

  Registration(Vertx vertx, Discovery discovery, String service) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.service = service;
  }

  /** {@code info} is read again at every check, so the record always says what is current. */
  Future<Void> publish(Supplier<InstanceInfo> info) {
    return discovery
        .publish(info.get())
        .onSuccess(record -> registration = record.getRegistration())
        .onSuccess(
            record -> republishTimer = vertx.setPeriodic(REPUBLISH_MS, t -> ensurePublished(info)))
        .mapEmpty();
  }

  private void ensurePublished(Supplier<InstanceInfo> info) {
    if (registration == null) {
      return;
    }
    discovery
        .ensurePublished(registration, info.get())
        .onSuccess(
            current -> {
              if (registration != null) {
                registration = current;
              }
            })
        .onFailure(e -> LOG.warn("discovery check of {} failed: {}", service, e.getMessage()));
  }

  /** Never fails: a record that cannot be removed now is reaped with its JVM. */
  Future<Void> withdraw() {
    vertx.cancelTimer(republishTimer);
    String published = registration;
    registration = null; // a discovery check still in flight must not publish us again
    return published == null
        ? Future.succeededFuture()
        : discovery.unpublish(published).recover(e -> Future.succeededFuture());
  }
}
