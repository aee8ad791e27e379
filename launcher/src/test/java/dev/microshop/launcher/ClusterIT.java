package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.Describe;
import dev.microshop.contracts.InstanceInfo;
import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.ClusterMember;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.messaging.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real JVMs from the built launcher, one Hazelcast cluster on 127.0.0.1: two orders instances, a
 * gateway, and this test JVM as a fourth member sending requests over the clustered event bus. The
 * tests run in order, as one story: share the load, survive a kill -9, lose nothing on a SIGTERM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Duration READY = Duration.ofSeconds(90);
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(1000);
  private static TestEnv env;
  private static ServiceProcess ordersA;
  private static ServiceProcess ordersB;
  private static ServiceProcess gateway;
  private static final List<ServiceProcess> started = new ArrayList<>();
  private static Vertx member;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void startCluster() throws Exception {
    env = SharedDatabase.env();
    ordersA = track(ServiceProcess.start(env.env(), "orders"));
    ordersB = track(ServiceProcess.start(env.env(), "orders"));
    gateway = track(ServiceProcess.start(env.env(), "gateway"));
    ordersA.awaitReady(READY);
    ordersB.awaitReady(READY);
    gateway.awaitReady(READY);
    member = ClusterMember.join(env);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (member != null) {
      member.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    started.forEach(ServiceProcess::close);
  }

  @Test
  @Order(1)
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
    assertThat(perPid.keySet()).containsExactlyInAnyOrder(ordersA.pid(), ordersB.pid());
    // Round-robin across nodes: each of the two gets close to half.
    assertThat(perPid.values()).allSatisfy(count -> assertThat(count).isBetween(80, 120));
  }

  @Test
  @Order(2)
  void gatewayStatusListsEachInstanceAndPingsIt() throws Exception {
    JsonObject status =
        awaitStatus(s -> orders(s).getJsonArray("instances").size() == 2, Duration.ofSeconds(20));
    JsonObject orders = orders(status);
    assertThat(orders.getString("status")).isEqualTo("UP");
    List<Long> pids = new ArrayList<>();
    for (Object o : orders.getJsonArray("instances")) {
      JsonObject instance = (JsonObject) o;
      assertThat(instance.getString("ping")).isEqualTo("ok");
      assertThat(instance.getString("managementUrl")).startsWith("http://127.0.0.1:");
      assertThat(instance.getString("version")).isNotBlank();
      pids.add(instance.getLong("pid"));
    }
    assertThat(pids).containsExactlyInAnyOrder(ordersA.pid(), ordersB.pid());
    assertThat(status.getJsonObject("services").getJsonObject("gateway").getJsonArray("instances"))
        .hasSize(1);
    // users was never started: reported DOWN rather than hidden.
    assertThat(status.getJsonObject("services").getJsonObject("users").getString("status"))
        .isEqualTo("DOWN");
  }

  @Test
  @Order(3)
  void afterKill9OfOneInstanceTheSurvivorAnswersWithinTenSecondsAndTheRecordIsGone()
      throws Exception {
    long killedAt = System.nanoTime();
    ordersA.kill9();
    long recoveredAt = -1;
    int consecutive = 0;
    while (System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(30)) {
      boolean ok =
          describeOrders()
              .map(info -> info.pid() == ordersB.pid())
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
        .isEqualTo(ordersB.pid());
  }

  @Test
  @Order(4)
  void aSigtermedInstanceLosesNoRequestAndExitsZero() throws Exception {
    ServiceProcess ordersC = track(ServiceProcess.start(env.env(), "orders"));
    ordersC.awaitReady(READY);
    awaitStatus(s -> orders(s).getJsonArray("instances").size() == 2, Duration.ofSeconds(20));
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger answeredByC = new AtomicInteger();
    List<String> errors = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
    boolean terminated = false;
    int sent = 0;
    while (System.nanoTime() < deadline) {
      if (!terminated && sent >= 96) {
        ordersB.terminate();
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
                      if (info.pid() == ordersC.pid()) {
                        answeredByC.incrementAndGet();
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
    assertThat(ordersB.awaitExit(Duration.ofSeconds(15)))
        .as("exit code of the SIGTERMed JVM")
        .isZero();
    assertThat(failures.get()).as("failed requests: %s", errors).isZero();
    assertThat(sent).isGreaterThan(200);
    assertThat(answeredByC.get()).isGreaterThan(0);
    assertThat(ordersB.output()).contains("orders instance").contains("stopped");
  }

  private Future<InstanceInfo> describeOrders() {
    // describe is a query, so idempotent: a request lost to a stopping JVM is resent to a live one.
    return Bus.<JsonObject>requestIdempotent(
            member, Addresses.describe(Services.ORDERS), Describe.now().toJson(), SHORT, 3)
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
