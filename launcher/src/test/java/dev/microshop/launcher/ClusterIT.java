package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.Describe;
import dev.microshop.contracts.InstanceInfo;
import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.AdminTokens;
import dev.microshop.launcher.support.ClusterMember;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.cluster.Admission;
import dev.microshop.platform.cluster.AdmittingClusterManager;
import dev.microshop.platform.messaging.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real JVMs from the built launcher, one Hazelcast cluster on 127.0.0.1: two orders instances, a
 * gateway, and this test JVM as a fourth member sending requests over the clustered event bus:
 * share the load, survive a kill -9, lose nothing on a SIGTERM. The cluster is started once; before
 * each test a fresh orders JVM replaces any an earlier test stopped, so every test starts with two
 * instances, and the tests pass in any order.
 */
class ClusterIT {
  private static final Duration READY = Duration.ofSeconds(90);
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(1000);
  private static TestEnv env;

  /** The orders JVMs alive at the start of the current test: always two. */
  private static final List<ServiceProcess> instances = new ArrayList<>();

  private static ServiceProcess gateway;
  private static AdminTokens admin;
  private static final List<ServiceProcess> started = new ArrayList<>();
  private static Vertx member;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startCluster() throws Exception {
    env = SharedDatabase.env();
    instances.add(track(ServiceProcess.start(env.env(), "orders")));
    instances.add(track(ServiceProcess.start(env.env(), "orders")));
    gateway = track(ServiceProcess.start(env.env(), "gateway"));
    instances.forEach(o -> o.awaitReady(READY));
    gateway.awaitReady(READY);
    // It asks the orders instances as the gateway does, and answers the gateway's key-set
    // question as users would: a member of both services, by its certificate.
    member = ClusterMember.join(env, Services.GATEWAY + "+" + Services.USERS);
    // No users in this cluster: the instances in the status report are an admin's view.
    admin = AdminTokens.serve(member);
  }

  /**
   * Two orders instances, both alive and both listed by the gateway: a JVM an earlier test killed
   * or stopped is replaced by a fresh one.
   */
  @BeforeEach
  void twoOrdersInstancesRun() throws Exception {
    instances.removeIf(o -> !o.alive());
    while (instances.size() < 2) {
      ServiceProcess fresh = track(ServiceProcess.start(env.env(), "orders"));
      fresh.awaitReady(READY);
      instances.add(fresh);
    }
    List<Long> pids = instances.stream().map(ServiceProcess::pid).toList();
    awaitStatus(
        s ->
            orders(s).getJsonArray("instances").stream()
                    .map(i -> ((JsonObject) i).getLong("pid"))
                    .toList()
                    .containsAll(pids)
                && orders(s).getJsonArray("instances").size() == 2,
        Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (member != null) {
      member.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    started.forEach(ServiceProcess::close);
  }

  @Test
  void requestReplyCrossesJvmsAndTwoInstancesShareTheLoadFairly() throws Exception {
    Map<Long, Integer> perPid = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      describeOrders().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 200; i++) {
      InstanceInfo info =
          describeOrders().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(info.service()).isEqualTo(Services.ORDERS);
      perPid.merge(info.pid(), 1, Integer::sum);
    }
    assertThat(perPid.keySet())
        .containsExactlyInAnyOrder(instances.get(0).pid(), instances.get(1).pid());
    // Round-robin across nodes: each of the two gets close to half.
    assertThat(perPid.values()).allSatisfy(count -> assertThat(count).isBetween(80, 120));
  }

  @Test
  void gatewayStatusListsEachInstanceAndPingsIt() throws Exception {
    JsonObject status =
        awaitStatus(s -> orders(s).getJsonArray("instances").size() == 2, Duration.ofSeconds(20));
    JsonObject ordersStatus = orders(status);
    assertThat(ordersStatus.getString("status")).isEqualTo("UP");
    List<Long> pids = new ArrayList<>();
    for (Object o : ordersStatus.getJsonArray("instances")) {
      JsonObject instance = (JsonObject) o;
      assertThat(instance.getString("ping")).isEqualTo("ok");
      assertThat(instance.getString("managementUrl")).startsWith("http://127.0.0.1:");
      assertThat(instance.getString("version")).isNotBlank();
      pids.add(instance.getLong("pid"));
    }
    assertThat(pids).containsExactlyInAnyOrder(instances.get(0).pid(), instances.get(1).pid());
    assertThat(status.getJsonObject("services").getJsonObject("gateway").getJsonArray("instances"))
        .hasSize(1);
    // users was never started: reported DOWN rather than hidden.
    assertThat(status.getJsonObject("services").getJsonObject("users").getString("status"))
        .isEqualTo("DOWN");
  }

  @Test
  void afterKill9OfOneInstanceTheSurvivorAnswersWithinTenSecondsAndTheRecordIsGone()
      throws Exception {
    ServiceProcess victim = instances.get(0);
    ServiceProcess survivor = instances.get(1);
    long killedAt = System.nanoTime();
    victim.kill9();
    long recoveredAt = -1;
    int consecutive = 0;
    while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(30)) {
      boolean ok =
          describeOrders()
              .map(info -> info.pid() == survivor.pid())
              .otherwise(false)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      consecutive = ok ? consecutive + 1 : 0;
      if (ok && consecutive == 1) {
        recoveredAt = System.nanoTime();
      }
      if (consecutive == 20) {
        break;
      }
    }
    assertThat(consecutive).as("20 consecutive successes on the survivor").isEqualTo(20);
    assertThat(Duration.ofNanos(recoveredAt - killedAt)).isLessThan(Duration.ofSeconds(10));
    JsonObject status =
        awaitStatus(s -> orders(s).getJsonArray("instances").size() == 1, Duration.ofSeconds(20));
    assertThat(orders(status).getJsonArray("instances").getJsonObject(0).getLong("pid"))
        .isEqualTo(survivor.pid());
  }

  @Test
  void aSigtermedInstanceLosesNoRequestAndExitsZero() throws Exception {
    ServiceProcess stopping = instances.get(0);
    ServiceProcess survivor = instances.get(1);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger answeredBySurvivor = new AtomicInteger();
    List<String> errors = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
    boolean terminated = false;
    int sent = 0;
    while (System.nanoTime() < deadline) {
      if (!terminated && sent >= 96) {
        stopping.terminate();
        terminated = true;
      }
      // 8 requests in flight at a time, continuously, across the shutdown.
      List<Future<InstanceInfo>> batch = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        batch.add(
            describeOrders()
                .onFailure(
                    e -> {
                      failures.incrementAndGet();
                      errors.add(e.toString());
                    })
                .onSuccess(
                    info -> {
                      if (info.pid() == survivor.pid()) {
                        answeredBySurvivor.incrementAndGet();
                      }
                    }));
      }
      Future.join(batch)
          .toCompletionStage()
          .toCompletableFuture()
          .handle((r, e) -> null)
          .get(10, TimeUnit.SECONDS);
      sent += batch.size();
    }
    assertThat(stopping.awaitExit(Duration.ofSeconds(15)))
        .as("exit code of the SIGTERMed JVM")
        .isZero();
    assertThat(failures.get()).as("failed requests: %s", errors).isZero();
    assertThat(sent).isGreaterThan(200);
    assertThat(answeredBySurvivor.get()).isGreaterThan(0);
    assertThat(stopping.output()).contains("orders instance").contains("stopped");
  }

  /**
   * Hazelcast keeps one backup of each partition, so two members dying at once lose the cards the
   * two held; a JVM that joins afterwards must still be able to admit every live member. Here the
   * whole map is emptied on purpose: every member puts its own card back, and a member that joins
   * after reaches both orders instances (before the repair it found no admitted handler at all).
   */
  @Test
  void cardsLostFromTheMapArePublishedAgainAndAMemberJoiningAfterReachesEveryInstance()
      throws Exception {
    HazelcastInstance hazelcast =
        ((AdmittingClusterManager) ((VertxInternal) member).clusterManager())
            .hazelcast()
            .getHazelcastInstance();
    IMap<String, String> cards = hazelcast.getMap(Admission.MAP);
    Set<String> live =
        hazelcast.getCluster().getMembers().stream()
            .map(m -> m.getAttribute("__vertx.nodeId"))
            .collect(Collectors.toSet());
    assertThat(live).as("two orders, the gateway and this JVM").hasSize(4);
    // The cards of JVMs earlier tests killed or stopped were deleted when they left.
    awaitCards(cards, live);
    cards.clear();
    awaitCards(cards, live);
    Vertx late = ClusterMember.join(env);
    try {
      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        pids.add(
            describeOrders(late)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .pid());
      }
      assertThat(pids).containsExactlyInAnyOrder(instances.get(0).pid(), instances.get(1).pid());
    } finally {
      late.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  private static void awaitCards(IMap<String, String> cards, Set<String> nodeIds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!cards.keySet().equals(nodeIds) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(cards.keySet()).as("the cards in the map").isEqualTo(nodeIds);
  }

  private Future<InstanceInfo> describeOrders() {
    return describeOrders(member);
  }

  private static Future<InstanceInfo> describeOrders(Vertx from) {
    // describe is a query, so idempotent: a request lost to a stopping JVM is resent to a live one.
    return Bus.<JsonObject>requestIdempotent(
            from, Addresses.describe(Services.ORDERS), Describe.now().toJson(), SHORT, 3)
        .map(Message::body)
        .map(InstanceInfo::fromJson);
  }

  private static JsonObject orders(JsonObject status) {
    return status.getJsonObject("services").getJsonObject(Services.ORDERS);
  }

  private JsonObject awaitStatus(java.util.function.Predicate<JsonObject> until, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject status = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(gateway.gatewayUrl() + "/v1/status"))
                  .header("Authorization", admin.bearer())
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type"))
          .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      status = new JsonObject(response.body());
      if (until.test(status)) {
        return status;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("status never matched within " + timeout + "; last: " + status);
  }

  private static ServiceProcess track(ServiceProcess process) {
    started.add(process);
    return process;
  }
}
