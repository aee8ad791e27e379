package dev.microshop.platform.cluster;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.BusPolicy;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hazelcast's cluster manager, seen by the event bus through {@link Admission}: the consumers of an
 * address are only those of admitted nodes allowed to consume it, and a node's address is the one
 * its card signed. A foreign process on the Hazelcast cluster may register consumers and write its
 * address; no message is routed to it, so its presence costs the members nothing.
 */
public final class AdmittingClusterManager implements ClusterManager {
  private final HazelcastClusterManager delegate;
  private final Admission admission;
  // The last registrations Hazelcast reported per address, so a node admitted after its
  // consumers were seen gets its share as soon as its card verifies.
  private final Map<String, List<RegistrationInfo>> seen = new ConcurrentHashMap<>();
  private volatile RegistrationListener listener;
  private volatile NodeWatch watch;
  private Vertx vertx;

  public AdmittingClusterManager(HazelcastClusterManager delegate, Admission admission) {
    this.delegate = delegate;
    this.admission = admission;
    admission.onAdmitted(this::replay);
  }

  /** The Hazelcast side, for what is not the event bus (discovery, rate limits). */
  public HazelcastClusterManager hazelcast() {
    return delegate;
  }

  public Admission admission() {
    return admission;
  }

  /**
   * Starts asking the other members whether they are alive ({@link NodeWatch}) and routes around
   * those that do not answer. Once the event bus is up: the questions travel on it. It runs until
   * Vert.x closes, so this JVM answers the others while it drains.
   */
  public Future<Void> watchMembers(Vertx vertx) {
    NodeWatch started = new NodeWatch(vertx, getNodeId(), this::routedTo, this::replay);
    return started.start().onSuccess(v -> watch = started);
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    delegate.init(vertx);
  }

  @Override
  public void join(Completable<Void> promise) {
    Promise<Void> joined = Promise.promise();
    delegate.join(joined);
    joined
        .future()
        .compose(
            v ->
                vertx.<Void>executeBlocking(
                    () -> {
                      admission.follow(delegate.getHazelcastInstance());
                      new AdmissionRepair(
                              vertx, delegate.getHazelcastInstance(), admission, this::departed)
                          .start();
                      return null;
                    }))
        .onComplete(promise);
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    Promise<Void> set = Promise.promise();
    delegate.setNodeInfo(nodeInfo, set);
    set.future()
        .compose(
            v ->
                vertx.<Void>executeBlocking(
                    () -> {
                      admission.publish(
                          delegate.getHazelcastInstance(),
                          delegate.getNodeId(),
                          nodeInfo.host(),
                          nodeInfo.port());
                      return null;
                    }))
        .onComplete(promise);
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    Admission.Member member = admission.member(nodeId);
    if (member == null) {
      vertx
          .executeBlocking(() -> admission.lookup(delegate.getHazelcastInstance(), nodeId))
          .onComplete(
              (found, failure) -> {
                if (found == null) {
                  promise.fail(
                      new VertxException(
                          "node " + nodeId + " is not admitted to the cluster", true));
                } else {
                  nodeInfo(nodeId, found, promise);
                }
              });
      return;
    }
    nodeInfo(nodeId, member, promise);
  }

  private void nodeInfo(String nodeId, Admission.Member member, Completable<NodeInfo> promise) {
    // The address the node signed, whatever Hazelcast's map says now.
    delegate.getNodeInfo(
        nodeId,
        (info, failure) ->
            promise.succeed(
                new NodeInfo(member.host(), member.port(), info == null ? null : info.metadata())));
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    delegate.getRegistrations(
        address,
        (registrations, failure) -> {
          if (failure != null) {
            promise.fail(failure);
          } else {
            seen.put(address, registrations);
            promise.succeed(admitted(address, registrations));
          }
        });
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    this.listener = listener;
    delegate.registrationListener(
        new RegistrationListener() {
          @Override
          public void registrationsUpdated(RegistrationUpdateEvent event) {
            seen.put(event.address(), event.registrations());
            listener.registrationsUpdated(
                new RegistrationUpdateEvent(
                    event.address(), admitted(event.address(), event.registrations())));
          }

          @Override
          public void registrationsLost() {
            listener.registrationsLost();
          }

          @Override
          public boolean wantsUpdatesFor(String address) {
            return listener.wantsUpdatesFor(address);
          }
        });
  }

  @Override
  public void nodeListener(NodeListener listener) {
    delegate.nodeListener(
        new NodeListener() {
          @Override
          public void nodeAdded(String nodeId) {
            listener.nodeAdded(nodeId);
          }

          @Override
          public void nodeLeft(String nodeId) {
            listener.nodeLeft(nodeId);
            departed(nodeId);
          }
        });
  }

  /**
   * A node left: it is admitted no more and its consumers go now, not when Hazelcast's sweep of the
   * registration multimap ends (a query over every partition that, after a member hung or was cut
   * off, waited up to two minutes in the lab while messages kept going to the dead node). Called by
   * vertx-hazelcast and by {@link AdmissionRepair}, for when vertx-hazelcast's handler failed.
   */
  private void departed(String nodeId) {
    admission.forget(nodeId);
    replay();
  }

  /**
   * The consumers of {@code address} a message may go to: this JVM's own, and those of admitted
   * nodes that are cluster members now and whose certificate names a service {@link BusPolicy} lets
   * consume the address. A member with a valid certificate for another service that registers, say,
   * {@code users.keys.get} gets no share of those requests.
   */
  private List<RegistrationInfo> admitted(String address, List<RegistrationInfo> registrations) {
    String self = delegate.getNodeId();
    BusPolicy.Rule rule = BusPolicy.of(address);
    Set<String> members = members();
    List<RegistrationInfo> admitted =
        registrations.stream()
            .filter(
                r ->
                    r.nodeId().equals(self)
                        || members.contains(r.nodeId())
                            && receives(rule, admission.member(r.nodeId())))
            .toList();
    NodeWatch current = watch;
    return current == null ? admitted : answering(admitted, current.suspects());
  }

  /**
   * The registrations of members that answer, when there are any: a message then never waits on a
   * member that hangs. When only suspects have a consumer they keep it, so the message still has a
   * chance (and its sender's timeout, not "no handlers", tells what happened).
   */
  static List<RegistrationInfo> answering(
      List<RegistrationInfo> registrations, Set<String> suspects) {
    if (suspects.isEmpty()) {
      return registrations;
    }
    List<RegistrationInfo> answering =
        registrations.stream().filter(r -> !suspects.contains(r.nodeId())).toList();
    return answering.isEmpty() ? registrations : answering;
  }

  /**
   * The members this JVM routes messages to: those with consumers of an address its event bus sends
   * to (and so follows). Only their health matters here, and a connection is opened only to a
   * member this JVM has its own reason to reach: asking every member opened connections to JVMs
   * still starting (TLS handshakes timed out on a busy host) and raced their admission.
   */
  private Set<String> routedTo() {
    RegistrationListener routing = listener;
    if (routing == null) {
      return Set.of();
    }
    Set<String> members = members();
    Set<String> nodes = new HashSet<>();
    seen.forEach(
        (address, registrations) -> {
          if (!address.startsWith(Addresses.ALIVE_PREFIX) && routing.wantsUpdatesFor(address)) {
            for (RegistrationInfo registration : registrations) {
              if (members.contains(registration.nodeId())) {
                nodes.add(registration.nodeId());
              }
            }
          }
        });
    return nodes;
  }

  /** Hazelcast's local member list, by node id: no remote call. */
  private Set<String> members() {
    try {
      return Set.copyOf(delegate.getNodes());
    } catch (RuntimeException stopping) { // Hazelcast is shutting down: only this JVM is certain
      return Set.of();
    }
  }

  private static boolean receives(BusPolicy.Rule rule, Admission.Member member) {
    return member != null && rule != null && rule.receiver(member.services());
  }

  private void replay() {
    RegistrationListener current = listener;
    if (current == null) {
      return;
    }
    seen.forEach(
        (address, registrations) -> {
          if (current.wantsUpdatesFor(address)) {
            current.registrationsUpdated(
                new RegistrationUpdateEvent(address, admitted(address, registrations)));
          }
        });
  }

  @Override
  public String getNodeId() {
    return delegate.getNodeId();
  }

  @Override
  public List<String> getNodes() {
    return delegate.getNodes();
  }

  @Override
  public NodeInfo getNodeInfo() {
    return delegate.getNodeInfo();
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    delegate.getAsyncMap(name, promise);
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return delegate.getSyncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    delegate.getLockWithTimeout(name, timeout, promise);
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    delegate.getCounter(name, promise);
  }

  @Override
  public void leave(Completable<Void> promise) {
    delegate.leave(promise);
  }

  @Override
  public boolean isActive() {
    return delegate.isActive();
  }

  @Override
  public void addRegistration(
      String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    delegate.addRegistration(address, registrationInfo, promise);
  }

  @Override
  public void removeRegistration(
      String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    delegate.removeRegistration(address, registrationInfo, promise);
  }

  @Override
  public String clusterHost() {
    return delegate.clusterHost();
  }

  @Override
  public String clusterPublicHost() {
    return delegate.clusterPublicHost();
  }
}
