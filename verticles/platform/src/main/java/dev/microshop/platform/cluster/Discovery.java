package dev.microshop.platform.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.InstanceInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service discovery over the cluster-wide registry. Records carry the Vert.x node id and Hazelcast
 * member UUID of their JVM, because the registry has no TTL: a record of a JVM killed with -9 would
 * stay UP for as long as the cluster lives. The oldest member therefore removes records of departed
 * members, both when Hazelcast reports a member gone and on a periodic sweep (which also covers the
 * oldest member itself dying).
 */
public final class Discovery {
  public static final String TYPE = "microshop-service";
  private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
  private static final long SWEEP_MS = 5000;

  private final Vertx vertx;
  private final ServiceDiscovery registry;
  private final String nodeId;
  private HazelcastInstance hazelcast;
  private long sweepTimer = -1;

  public Discovery(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.registry = ServiceDiscovery.create(vertx);
  }

  public Future<Record> publish(InstanceInfo info) {
    JsonObject metadata = info.toJson().put("vertxNodeId", nodeId);
    if (hazelcast != null) {
      metadata.put("hzMemberUuid", hazelcast.getCluster().getLocalMember().getUuid().toString());
    }
    Record record =
        new Record()
            .setName(info.service())
            .setType(TYPE)
            .setLocation(
                new JsonObject()
                    .put("endpoint", Addresses.describe(info.service()))
                    .put("ping", Addresses.ping(info.instanceId())))
            .setMetadata(metadata);
    return registry.publish(record);
  }

  /**
   * Makes sure {@code registration} is still in the registry under this JVM's current member id,
   * and publishes it again if not. A JVM that was paused or partitioned is dropped by the cluster,
   * its record swept, and it comes back (merges) with a new Hazelcast member id: without this it
   * would serve traffic nobody could find. Yields the registration in force.
   */
  public Future<String> ensurePublished(String registration, InstanceInfo info) {
    String member =
        hazelcast == null ? null : hazelcast.getCluster().getLocalMember().getUuid().toString();
    return registry
        .getRecord(r -> registration.equals(r.getRegistration()), true)
        .compose(
            record -> {
              if (record != null
                  && (member == null
                      || member.equals(record.getMetadata().getString("hzMemberUuid")))) {
                return Future.succeededFuture(registration);
              }
              LOG.warn(
                  "discovery record of {} instance {} was gone or stale; publishing it again",
                  info.service(),
                  info.instanceId());
              Future<Void> old =
                  record == null ? Future.succeededFuture() : registry.unpublish(registration);
              return old.recover(e -> Future.succeededFuture())
                  .compose(v -> publish(info))
                  .map(Record::getRegistration);
            });
  }

  public Future<Void> unpublish(String registration) {
    return registry.unpublish(registration);
  }

  /** Every published microshop instance, of every service. */
  public Future<List<Record>> records() {
    return registry.getRecords(r -> TYPE.equals(r.getType()));
  }

  /** Starts removing records of departed cluster members (clustered JVMs only). */
  public void reapDeparted(HazelcastClusterManager clusterManager) {
    hazelcast = clusterManager.getHazelcastInstance();
    hazelcast
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {}

              @Override
              public void memberRemoved(MembershipEvent event) {
                vertx.runOnContext(v -> sweep());
              }
            });
    sweepTimer = vertx.setPeriodic(SWEEP_MS, t -> sweep());
  }

  public void close() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    registry.close();
  }

  private void sweep() {
    if (hazelcast == null || !hazelcast.getLifecycleService().isRunning() || !oldest()) {
      return;
    }
    Set<String> live =
        hazelcast.getCluster().getMembers().stream()
            .map(m -> m.getUuid().toString())
            .collect(Collectors.toSet());
    records()
        .map(
            all ->
                all.stream()
                    .filter(r -> !live.contains(r.getMetadata().getString("hzMemberUuid", "")))
                    .toList())
        .compose(stale -> Future.join(stale.stream().map(this::remove).toList()))
        .onFailure(e -> LOG.warn("discovery sweep failed: {}", e.getMessage()));
  }

  private Future<Void> remove(Record record) {
    LOG.info(
        "removing discovery record of departed {} instance {}",
        record.getName(),
        record.getMetadata().getString("instanceId"));
    return registry.unpublish(record.getRegistration());
  }

  private boolean oldest() {
    Member first = hazelcast.getCluster().getMembers().iterator().next();
    return first.localMember();
  }
}
