package dev.microshop.platform.cluster;

import dev.microshop.contracts.Addresses;
import dev.microshop.platform.messaging.BusGuard;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which members answer this JVM right now, so the event bus can route around one that hangs long
 * before Hazelcast gives up on it.
 *
 * <p>Two clocks, on purpose. Hazelcast drops a member after {@code hazelcast.max.no.heartbeat
 * .seconds} without a heartbeat (cluster.xml: 30 s): dropping is drastic (its partitions migrate,
 * every JVM's registry and consumers are swept, a member that comes back must merge), and on a busy
 * host a few seconds of CPU starvation used to make healthy members drop each other and the cluster
 * fall apart into fragments. Routing is cheap to change and easy to undo: every {@value
 * #INTERVAL_MS} ms this JVM asks each member it routes to over the event bus whether it is alive,
 * and one that has not answered for {@value #PATIENCE_MS} ms is suspect. The event bus then sends a
 * message to a suspect's consumers only when no other member has one for that address ({@link
 * AdmittingClusterManager}); the suspect is trusted again by its next answer, within {@value
 * #INTERVAL_MS} ms of its return.
 */
public final class NodeWatch {
  static final long INTERVAL_MS = 500;
  static final long PATIENCE_MS = 1500;

  private static final Logger LOG = LoggerFactory.getLogger(NodeWatch.class);

  private final Vertx vertx;
  private final String self;
  private final Supplier<Set<String>> members;
  private final Runnable changed;
  private final Suspicions suspicions = new Suspicions(TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS));
  private final Set<String> asking = ConcurrentHashMap.newKeySet();
  private final DeliveryOptions ask = new DeliveryOptions().setSendTimeout(PATIENCE_MS);
  private volatile Set<String> suspects = Set.of();

  /**
   * @param members the members to ask, by node id, read locally
   * @param changed called when the set of suspects changes, to route again
   */
  NodeWatch(Vertx vertx, String self, Supplier<Set<String>> members, Runnable changed) {
    this.vertx = vertx;
    this.self = self;
    this.members = members;
    this.changed = changed;
  }

  /** Answers the others' questions and starts asking them. */
  Future<Void> start() {
    MessageConsumer<Object> consumer =
        vertx
            .eventBus()
            .consumer(
                Addresses.alive(self),
                question -> question.reply(null, BusGuard.answering(question)));
    return consumer.completion().onSuccess(v -> vertx.setPeriodic(INTERVAL_MS, t -> round()));
  }

  /** The members that have not answered for {@value #PATIENCE_MS} ms: never this JVM. */
  Set<String> suspects() {
    return suspects;
  }

  private void round() {
    Set<String> others = new HashSet<>(members.get());
    others.remove(self);
    long now = System.nanoTime();
    suspicions.members(others);
    for (String node : others) {
      // One question at a time per member: a hung member is not sent a pile of them.
      if (asking.add(node)) {
        vertx
            .eventBus()
            .request(Addresses.alive(node), null, ask)
            .onComplete(
                (answer, failure) -> {
                  asking.remove(node);
                  if (failure == null) {
                    suspicions.answered(node, System.nanoTime());
                  }
                });
      }
    }
    Set<String> current = suspicions.suspects(now);
    if (!current.equals(suspects)) {
      Set<String> before = suspects;
      suspects = current;
      log(before, current, others);
      changed.run();
    }
  }

  /**
   * INFO, not WARN: a member that is stopping stops answering a moment before it leaves, and one
   * that hangs is reported by the gateway's status and by Hazelcast when it is dropped.
   */
  private static void log(Set<String> before, Set<String> after, Set<String> members) {
    after.stream()
        .filter(n -> !before.contains(n))
        .forEach(
            n ->
                LOG.info(
                    "cluster member {} has not answered for {} ms: messages go to other members'"
                        + " consumers while it does not",
                    n,
                    PATIENCE_MS));
    before.stream()
        .filter(n -> !after.contains(n) && members.contains(n))
        .forEach(n -> LOG.info("cluster member {} answers again: routing to it resumes", n));
  }
}
