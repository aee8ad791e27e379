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
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
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
 * Issue 13's attackers, against one cluster of real JVMs. First, a process that knows only the
 * cluster name; then a member with a valid certificate of another service; then one client flooding
 * the expensive login route. Issue 13's first attacker: a process that knows the cluster name joins
 * Hazelcast, registers consumers and sends credits with forged admin headers. Mutual TLS on the
 * event bus keeps its messages out and admission keeps the members' messages from being routed to
 * it, so it gets nothing, moves no money, and the API answers every request while it is there.
 */
class AttackersIT {
  private static TestEnv env;
  private static Cluster cluster;
  private static Api api;

  @BeforeAll
  static void startCluster() throws Exception {
    // The first test sends 500 anonymous reads within seconds from this one address, on top of the
    // flood's logins: the per-address budget of anonymous requests (600 a minute) is not what these
    // tests are about, and the flood meets its own bound, on password checks per address.
    env = SharedDatabase.env().with("MICROSHOP_GATEWAY_RATE_LIMIT_ANONYMOUS_PER_MINUTE", "1000000");
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

    Process rogue = startRogue(victimId, 15);
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

  /**
   * Issue 13, item 4: 300 concurrent logins with random emails from one address (127.0.0.1) are
   * held at that address's gate (2 checks at once, 8 waiting, the rest 429) and cost everyone else
   * nothing: another client (127.0.0.2) keeps getting 200 for /v1/me and for its login, and the
   * users breaker stays closed (a registration right after the flood succeeds).
   */
  @Test
  void oneClientFloodingLoginsDoesNotTakeLoginOrMeDownForOthers() throws Exception {
    String other = api.newCustomer();
    String email = me(other).getJsonObject("profile").getString("email");
    URI gateway = URI.create(cluster.gateway());
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient flooder =
          vertx.createHttpClient(
              new HttpClientOptions().setLocalAddress("127.0.0.1"),
              new PoolOptions().setHttp1MaxSize(300));
      HttpClient bystander =
          vertx.createHttpClient(new HttpClientOptions().setLocalAddress("127.0.0.2"));
      List<io.vertx.core.Future<Integer>> flood = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        flood.add(
            post(
                flooder,
                gateway,
                "/v1/auth/token",
                new JsonObject()
                    .put("email", "flood-" + UUID.randomUUID() + "@example.com")
                    .put("password", "a guess")));
      }
      io.vertx.core.Future<?> flooded = io.vertx.core.Future.join(new ArrayList<>(flood));
      List<Integer> statuses = new ArrayList<>();
      while (!flooded.isComplete() || statuses.size() < 20) {
        statuses.add(
            await(
                bystander
                    .request(
                        new RequestOptions()
                            .setHost(gateway.getHost())
                            .setPort(gateway.getPort())
                            .setURI("/v1/me")
                            .putHeader("Authorization", "Bearer " + other))
                    .compose(req -> req.send())
                    .map(HttpClientResponse::statusCode)));
        statuses.add(
            await(
                post(
                    bystander,
                    gateway,
                    "/v1/auth/token",
                    new JsonObject().put("email", email).put("password", Api.PASSWORD))));
      }
      List<Integer> floodStatuses = flood.stream().map(f -> f.result()).toList();
      int registered =
          await(
              post(
                  bystander,
                  gateway,
                  "/v1/users",
                  new JsonObject()
                      .put("email", "after-" + UUID.randomUUID() + "@example.com")
                      .put("displayName", "After")
                      .put("password", Api.PASSWORD)));

      assertThat(floodStatuses).as("the flood's answers").containsOnly(401, 429).contains(429);
      long ok = statuses.stream().filter(s -> s == 200).count();
      assertThat(ok * 100.0 / statuses.size())
          .as("share of 200 for another client during the flood: %s", statuses)
          .isGreaterThanOrEqualTo(99.0);
      assertThat(registered).as("a registration right after the flood").isEqualTo(201);
    } finally {
      await(vertx.close());
    }
  }

  private static io.vertx.core.Future<Integer> post(
      HttpClient client, URI gateway, String path, JsonObject body) {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(gateway.getHost())
                .setPort(gateway.getPort())
                .setURI(path)
                .putHeader("content-type", "application/json"))
        .compose(req -> req.send(body.toBuffer()))
        .map(HttpClientResponse::statusCode);
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
