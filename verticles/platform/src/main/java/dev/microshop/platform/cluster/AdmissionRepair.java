package dev.microshop.platform.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this JVM's view of who is admitted whole when Hazelcast loses data or an event, as it does
 * when members die faster than it repairs itself (a kill every 5 s):
 *
 * <ul>
 *   <li>this member's card is put back when the map lost it ({@link Admission#republishIfLost}), at
 *       once on a departure, a lost partition or a merge, and otherwise checked every {@link
 *       #CHECK_MS};
 *   <li>a departed node's card is deleted;
 *   <li>a departure is handled here too: vertx-hazelcast's own handler throws in a JVM still
 *       starting (it writes this node's info before there is any), and then never tells the event
 *       bus, so the departed node kept its consumers;
 *   <li>a member that is in the cluster but not admitted has its card read again, so a node that
 *       came back after a split is routed to again.
 * </ul>
 */
final class AdmissionRepair implements MembershipListener {
  static final long CHECK_MS = 5_000;
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId"; // vertx-hazelcast's
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionRepair.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final Admission admission;
  private final Consumer<String> departed;
  private final AtomicBoolean checking = new AtomicBoolean();

  AdmissionRepair(
      Vertx vertx, HazelcastInstance hazelcast, Admission admission, Consumer<String> departed) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.admission = admission;
    this.departed = departed;
  }

  /** Registers the listeners and the periodic check. Blocking (Hazelcast calls). */
  void start() {
    hazelcast.getCluster().addMembershipListener(this);
    hazelcast.getMap(Admission.MAP).addPartitionLostListener(lost -> check());
    hazelcast
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                check();
              }
            });
    vertx.setPeriodic(CHECK_MS, t -> check());
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    // Its card comes later, through the map's listener; nothing to repair yet.
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String nodeId = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
    if (nodeId != null) {
      departed.accept(nodeId);
      // Every member deletes it, as vertx-hazelcast does with its node infos: the map then holds
      // the cards of live members only, however many JVMs came and went. A node that was only cut
      // off puts its card back when it merges.
      vertx
          .executeBlocking(
              () -> {
                hazelcast.getMap(Admission.MAP).delete(nodeId);
                return null;
              },
              false)
          .onFailure(e -> LOG.debug("cannot delete the card of departed node {}", nodeId, e));
    }
    check();
  }

  /** One check at a time, off Hazelcast's event threads: it reads the map. */
  private void check() {
    if (!hazelcast.getLifecycleService().isRunning() || !checking.compareAndSet(false, true)) {
      return;
    }
    vertx
        .executeBlocking(this::repair, false)
        .onComplete(
            (republished, failure) -> {
              checking.set(false);
              if (failure != null) {
                LOG.debug("admission check failed (Hazelcast stopping?)", failure);
              } else if (republished) {
                LOG.warn(
                    "this member's admission card was missing from the cluster's map (lost with a"
                        + " departed member's partitions): published it again");
              }
            });
  }

  private boolean repair() {
    boolean republished = admission.republishIfLost(hazelcast);
    List<String> strangers =
        hazelcast.getCluster().getMembers().stream()
            .map((Member m) -> m.getAttribute(NODE_ID_ATTRIBUTE))
            .filter(id -> id != null && !admission.admits(id) && !admission.refuses(id))
            .toList();
    strangers.forEach(id -> admission.lookup(hazelcast, id));
    return republished;
  }
}
