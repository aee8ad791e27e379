package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.RogueMember;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
