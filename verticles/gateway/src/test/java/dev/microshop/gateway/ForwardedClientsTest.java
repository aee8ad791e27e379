package dev.microshop.gateway;

import static dev.microshop.gateway.RoutesTestBase.assertJson;
import static dev.microshop.gateway.RoutesTestBase.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Per-IP limits behind a load balancer: a gateway that trusts no proxy (the default) keys on the
 * TCP peer whatever the request claims; one that trusts the harness's address (127.0.0.1, the
 * "proxy") keys on the client the proxy forwarded, and still on the peer for anyone else.
 */
class ForwardedClientsTest {
  private static final String PROXY = GatewayHarness.CLIENT;
  private static final String RIGHT = "correct horse battery";
  private static final JsonObject TOKEN =
      new JsonObject().put("accessToken", "a.b.c").put("tokenType", "Bearer").put("expiresIn", 900);
  private static GatewayHarness direct;
  private static GatewayHarness proxied;

  @BeforeAll
  static void startGateways() throws Exception {
    Map<String, String> limits =
        Map.of(
            "MICROSHOP_GATEWAY_RATE_LIMIT_STATUS_PER_MINUTE", "3",
            "MICROSHOP_GATEWAY_RATE_LIMIT_INVALID_TOKENS_PER_MINUTE", "3",
            "MICROSHOP_GATEWAY_STATUS_CACHE_MS", "60000");
    List<String> stubs = List.of(UsersApi.ISSUE_TOKEN);
    List<String> published = List.of(Services.USERS);
    direct = GatewayHarness.start(limits, stubs, published);
    Map<String, String> trusting = new HashMap<>(limits);
    trusting.put("MICROSHOP_GATEWAY_HTTP_TRUSTED_PROXIES", PROXY + ", 10.0.0.0/8");
    proxied = GatewayHarness.start(trusting, stubs, published);
    for (GatewayHarness gateway : List.of(direct, proxied)) {
      gateway.answer(
          UsersApi.ISSUE_TOKEN,
          msg ->
              RIGHT.equals(msg.body().getString("password"))
                  ? Future.succeededFuture(TOKEN)
                  : Future.failedFuture(
                      new ReplyException(
                          ReplyFailure.RECIPIENT_FAILURE,
                          ErrorCodes.UNAUTHENTICATED,
                          "invalid email or password")));
    }
  }

  @AfterAll
  static void stopGateways() {
    for (GatewayHarness gateway : new GatewayHarness[] {direct, proxied}) {
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  @Test
  void withNoTrustedProxyAForgedForwardedForDoesNotChangeTheBucket() throws Exception {
    String peer = "127.0.0.21";
    for (int i = 0; i < 3; i++) {
      assertJson(status(direct, peer, forwardedFor("203.0.113." + i)), 200);
    }

    GatewayHarness.Response forged =
        status(direct, peer, Map.of("X-Forwarded-For", "203.0.113.99", "Forwarded", "for=1.2.3.4"));

    assertProblem(forged, 429, "rate-limited");
    assertJson(status(direct, "127.0.0.22", forwardedFor("203.0.113.0")), 200);
  }

  @Test
  void behindATrustedProxyTwoForwardedClientsHaveSeparateBuckets() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertJson(status(proxied, PROXY, forwardedFor("198.51.100.1")), 200);
    }

    assertProblem(status(proxied, PROXY, forwardedFor("198.51.100.1")), 429, "rate-limited");
    // Through a second trusted hop, and with a forged entry on its left: still that client.
    assertProblem(
        status(proxied, PROXY, forwardedFor("198.51.100.2, 198.51.100.1, 10.1.2.3")),
        429,
        "rate-limited");

    assertJson(status(proxied, PROXY, forwardedFor("198.51.100.2")), 200);
    // A peer that is not a trusted proxy is its own client, whatever it forwards.
    assertJson(status(proxied, "127.0.0.23", forwardedFor("198.51.100.1")), 200);
  }

  @Test
  void aForwardedValueThatCannotBeReadKeysOnTheProxyAndNeverFails() throws Exception {
    String client = "198.51.100.30";
    for (int i = 0; i < 3; i++) {
      assertJson(status(proxied, PROXY, forwardedFor(client)), 200);
    }

    for (String bad : new String[] {"unknown", client + ",", "not an address, " + client + "x"}) {
      assertJson(status(proxied, PROXY, forwardedFor(bad)), 200);
    }
    // Only X-Forwarded-For is read (http.forwardedHeader): Forwarded is the client's own text.
    assertProblem(
        status(proxied, PROXY, Map.of("Forwarded", "for=198.51.100.31")), 429, "rate-limited");
  }

  @Test
  void loginFailuresCountPerForwardedClientSoTheOwnerLogsInFromAnother() throws Exception {
    String email = "victim-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
    for (int i = 0; i < 5; i++) {
      assertThat(login(email, "guess " + i, "198.51.100.40").status()).isEqualTo(401);
    }

    assertProblem(login(email, "guess 5", "198.51.100.40"), 429, "rate-limited");

    assertThat(assertJson(login(email, RIGHT, "198.51.100.41"), 200)).isEqualTo(TOKEN);
  }

  @Test
  void invalidTokensSpendTheBudgetOfTheForwardedClient() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertProblem(me(proxied, "198.51.100.50", "garbage." + i), 401, "unauthenticated");
    }

    assertProblem(me(proxied, "198.51.100.50", "garbage.3"), 429, "rate-limited");

    assertProblem(me(proxied, "198.51.100.51", "garbage.4"), 401, "unauthenticated");
  }

  private static Map<String, String> forwardedFor(String value) {
    return Map.of("X-Forwarded-For", value);
  }

  private static GatewayHarness.Response status(
      GatewayHarness gateway, String from, Map<String, String> headers) throws Exception {
    return gateway
        .send(from, HttpMethod.GET, "/v1/status", headers, null)
        .await(20, TimeUnit.SECONDS);
  }

  private static GatewayHarness.Response login(String email, String password, String client)
      throws Exception {
    return proxied
        .send(
            PROXY,
            HttpMethod.POST,
            "/v1/auth/token",
            Map.of("Content-Type", "application/json", "X-Forwarded-For", client),
            new JsonObject().put("email", email).put("password", password).encode())
        .await(20, TimeUnit.SECONDS);
  }

  private static GatewayHarness.Response me(GatewayHarness gateway, String client, String token)
      throws Exception {
    return gateway
        .send(
            PROXY,
            HttpMethod.GET,
            "/v1/me",
            Map.of("Authorization", "Bearer " + token, "X-Forwarded-For", client),
            null)
        .await(20, TimeUnit.SECONDS);
  }
}
