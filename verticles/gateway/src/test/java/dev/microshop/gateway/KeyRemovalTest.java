package dev.microshop.gateway;

import static dev.microshop.gateway.RoutesTestBase.assertJson;
import static dev.microshop.gateway.RoutesTestBase.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A key users stops publishing is refused within {@code auth.keysMaxAgeMs}, here 1.5 s (refreshed
 * every 0.2 s), whether users publishes a set without it or stops answering; tokens remembered as
 * verified are refused too.
 */
class KeyRemovalTest {
  private static final long MAX_AGE_MS = 1500;
  private static final String USER = RoutesTestBase.USER;
  private static final String OTHER = "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
  private GatewayHarness gateway;

  @BeforeEach
  void startGateway() throws Exception {
    gateway =
        GatewayHarness.start(
            Map.of(
                "MICROSHOP_GATEWAY_AUTH_KEYS_REFRESH_MS",
                "200",
                "MICROSHOP_GATEWAY_AUTH_KEYS_MAX_AGE_MS",
                String.valueOf(MAX_AGE_MS)),
            RoutesTestBase.addresses(),
            RoutesTestBase.SERVICES);
    gateway.answer(
        UsersApi.PROFILE,
        new JsonObject()
            .put("id", USER)
            .put("email", "ada@example.com")
            .put("displayName", "Ada")
            .put("roles", new JsonArray().add("customer")));
    gateway.answer(
        PaymentsApi.WALLET,
        new JsonObject().put("userId", USER).put("balanceMinor", 0).put("currency", "EUR"));
  }

  @AfterEach
  void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aKeyUsersNoLongerPublishesIsRefusedWithinTheBoundEvenForATokenAlreadyVerified()
      throws Exception {
    Map<String, String> token = gateway.bearer(USER, Identity.CUSTOMER);
    assertJson(gateway.get("/v1/me", token), 200);
    TestTokens next = new TestTokens("next-key");

    gateway.answer(UsersApi.KEYS, next.jwks()); // users rotated and dropped the old key
    Thread.sleep(MAX_AGE_MS);

    assertThat(
            assertProblem(gateway.get("/v1/me", token), 401, "unauthenticated").getString("detail"))
        .isEqualTo("the token was signed by an unknown key");
    assertThat(gateway.get("/v1/me", gateway.bearer(OTHER, Identity.CUSTOMER)).status())
        .as("a new token of the removed key")
        .isEqualTo(401);
    assertJson(
        gateway.get("/v1/me", GatewayHarness.withToken(next.token(USER, Identity.CUSTOMER))), 200);
  }

  @Test
  void whenUsersStopsAnsweringTheKeySetExpiresAfterTheBoundAndComesBackWithUsers()
      throws Exception {
    Map<String, String> token = gateway.bearer(USER, Identity.CUSTOMER);
    assertJson(gateway.get("/v1/me", token), 200);

    gateway.fail(UsersApi.KEYS, ErrorCodes.UNAVAILABLE, "users is down");
    Thread.sleep(MAX_AGE_MS);

    assertProblem(gateway.get("/v1/me", token), 503, "unavailable");

    gateway.answer(UsersApi.KEYS, gateway.tokens().jwks());
    Thread.sleep(1000); // several refreshes
    assertJson(gateway.get("/v1/me", token), 200);
  }
}
