package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Addresses;
import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.ClusterMember;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.RogueMember;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's attacker: a process that knows the cluster name joins Hazelcast, registers consumers
 * and sends credits with forged admin headers. Mutual TLS on the event bus keeps its messages out
 * and admission keeps the members' messages from being routed to it, so it gets nothing, moves no
 * money, and the API answers every request while it is there.
 */
class RogueMemberIT {
  private static TestEnv env;
  private static Cluster cluster;
  private static Api api;

  @BeforeAll
  static void startCluster() throws Exception {
    env = SharedDatabase.env();
    cluster =
        new Cluster(env)
            .start(
                List.of(Services.USERS, Services.PAYMENTS, Services.INVENTORY, Services.GATEWAY));
    api = new Api(cluster.gateway(), SharedDatabase.dataDir());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aProcessWithoutAClusterCertificateGetsNothingMovesNoMoneyAndCostsTheMembersNothing()
      throws Exception {
    String victim = api.newCustomer();
    JsonObject before = me(victim);
    String victimId = before.getJsonObject("profile").getString("id");
    long balance = before.getJsonObject("wallet").getLong("balanceMinor");

    Process rogue = startRogue(victimId, 25);
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(rogue.getInputStream(), StandardCharsets.UTF_8));
      awaitLine(out, "ROGUE JOINED");
      CompletableFuture<String> result =
          CompletableFuture.supplyAsync(() -> awaitLine(out, "ROGUE RESULT "));

      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        HttpResponse<String> response =
            i % 2 == 0
                ? Http.get(cluster.gateway() + "/v1/products?limit=5")
                : Http.get(
                    cluster.gateway() + "/v1/me", Map.of("Authorization", "Bearer " + victim));
        statuses.add(response.statusCode());
      }
      JsonObject rogueSaw =
          new JsonObject(result.get(60, TimeUnit.SECONDS).substring("ROGUE RESULT ".length()));

      assertThat(statuses).as("every API answer while the rogue is present").containsOnly(200);
      assertThat(rogueSaw.getInteger("received")).as("requests routed to the rogue").isZero();
      assertThat(rogueSaw.getInteger("credited")).as("forged credits answered").isZero();
      assertThat(rogueSaw.getInteger("refused")).as("forged credits tried").isPositive();
      assertThat(me(victim).getJsonObject("wallet").getLong("balanceMinor")).isEqualTo(balance);
    } finally {
      rogue.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Issue 13, item 2: a JVM with a valid certificate of the cluster CA, for notifications, is held
   * to what notifications may do. Its forged-admin credit and a describe meant for the gateway are
   * refused with 403 by payments itself, and the consumers it registers for other services'
   * addresses get no share of the requests the gateway sends while 200 API calls succeed.
   */
  @Test
  void aMemberWithAValidCertificateIsHeldToWhatItsServiceMayDo() throws Exception {
    String victim = api.newCustomer();
    JsonObject before = me(victim);
    String victimId = before.getJsonObject("profile").getString("id");
    String email = before.getJsonObject("profile").getString("email");
    long balance = before.getJsonObject("wallet").getLong("balanceMinor");
    Vertx member = ClusterMember.join(env, Services.NOTIFICATIONS);
    try {
      AtomicInteger received = new AtomicInteger();
      for (String address :
          List.of(UsersApi.PROFILE, UsersApi.KEYS, UsersApi.ISSUE_TOKEN, PaymentsApi.WALLET)) {
        await(member.eventBus().consumer(address, msg -> received.incrementAndGet()).completion());
      }
      // Let every member learn of (and filter out) those registrations before the traffic.
      Thread.sleep(2000);

      Throwable credit =
          failure(
              member,
              PaymentsApi.CREDIT,
              new JsonObject()
                  .put("messageId", UUID.randomUUID().toString())
                  .put("userId", victimId)
                  .put("amountMinor", 999_000_000)
                  .put("reason", "forged"),
              new DeliveryOptions()
                  .addHeader(Identity.USER_ID_HEADER, UUID.randomUUID().toString())
                  .addHeader(Identity.ROLES_HEADER, Identity.ADMIN));
      Throwable describe =
          failure(
              member,
              Addresses.describe(Services.PAYMENTS),
              new JsonObject(),
              new DeliveryOptions());

      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        statuses.add(
            Http.get(cluster.gateway() + "/v1/me", Map.of("Authorization", "Bearer " + victim))
                .statusCode());
        // Api.login asserts its 200 itself.
        assertThat(api.login(email, Api.PASSWORD)).isNotBlank();
      }

      assertThat(credit).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) credit).failureCode()).isEqualTo(ErrorCodes.FORBIDDEN);
      assertThat(credit).hasMessageContaining("notifications may not send to it");
      assertThat(((ReplyException) describe).failureCode()).isEqualTo(ErrorCodes.FORBIDDEN);
      assertThat(statuses).as("API answers while the member is present").containsOnly(200);
      assertThat(received.get()).as("requests routed to its consumers").isZero();
      assertThat(me(victim).getJsonObject("wallet").getLong("balanceMinor")).isEqualTo(balance);
    } finally {
      await(member.close());
    }
  }

  private static Throwable failure(
      Vertx member, String address, JsonObject body, DeliveryOptions options) throws Exception {
    try {
      await(member.eventBus().request(address, body, options.setSendTimeout(10_000)));
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError(address + " was answered");
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static JsonObject me(String token) {
    HttpResponse<String> me =
        Http.get(cluster.gateway() + "/v1/me", Map.of("Authorization", "Bearer " + token));
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    return new JsonObject(me.body());
  }

  private static Process startRogue(String victimId, int seconds) throws Exception {
    JsonObject config = DevCluster.bind(Settings.load(Services.PAYMENTS, env.env()));
    JsonObject hz = config.getJsonObject("cluster");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            RogueMember.class.getName(),
            hz.getString("name"),
            hz.getString("host") + ":" + hz.getInteger("port"),
            victimId,
            Integer.toString(seconds))
        .redirectErrorStream(true)
        .start();
  }

  private static String awaitLine(BufferedReader out, String prefix) {
    try {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError("the rogue's output ended", e);
    }
    throw new AssertionError("the rogue exited before printing " + prefix.trim());
  }
}
