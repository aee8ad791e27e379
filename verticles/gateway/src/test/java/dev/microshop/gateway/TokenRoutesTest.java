package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one spelling of a token the gateway accepts, against a stub users that publishes its key. */
class TokenRoutesTest extends RoutesTestBase {
  private static final JsonObject PROFILE =
      new JsonObject()
          .put("id", USER)
          .put("email", "ada@example.com")
          .put("displayName", "Ada")
          .put("roles", new JsonArray().add("customer"));
  private static final JsonObject WALLET =
      new JsonObject().put("userId", USER).put("balanceMinor", 1250).put("currency", "EUR");

  @BeforeEach
  void answerMe() {
    gateway.answer(UsersApi.PROFILE, PROFILE);
    gateway.answer(PaymentsApi.WALLET, WALLET);
  }

  @Test
  void theHighSTwinOfAValidTokenIs401AndAsksNoService() throws Exception {
    TestTokens tokens = gateway.tokens();
    String token = tokens.token(USER, Identity.CUSTOMER);
    String twin = tokens.highSTwin(token);
    assertThat(twin).isNotEqualTo(token);
    assertThat(tokens.verifies(twin)).as("the twin is a valid ECDSA signature").isTrue();
    assertThat(TestTokens.s(twin)).isGreaterThan(tokens.order().shiftRight(1));
    assertJson(gateway.get("/v1/me", GatewayHarness.withToken(token)), 200);
    gateway.received(UsersApi.PROFILE);

    GatewayHarness.Response response = gateway.get("/v1/me", GatewayHarness.withToken(twin));

    assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
        .isEqualTo("the token's signature is not in its canonical (low-s) form");
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }

  @Test
  void aTokenWhoseHeaderMarksAnExtensionCriticalIs401AndAsksNoService() throws Exception {
    TestTokens tokens = gateway.tokens();
    JsonObject claims = tokens.claims(USER, Identity.CUSTOMER);
    JsonObject critical =
        tokens
            .header()
            .put("crit", new JsonArray().add("https://example.com/must-check"))
            .put("https://example.com/must-check", true);
    assertJson(
        gateway.get("/v1/me", GatewayHarness.withToken(tokens.signed(tokens.header(), claims))),
        200);
    gateway.received(UsersApi.PROFILE);

    GatewayHarness.Response response =
        gateway.get("/v1/me", GatewayHarness.withToken(tokens.signed(critical, claims)));

    assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
        .contains("crit");
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }

  @Test
  void aCritHeaderNamingNothingOrAStandardHeaderIsRefusedToo() throws Exception {
    TestTokens tokens = gateway.tokens();
    JsonObject claims = tokens.claims(USER, Identity.CUSTOMER);

    for (Object crit : new Object[] {new JsonArray(), new JsonArray().add("exp"), "kid"}) {
      GatewayHarness.Response response =
          gateway.get(
              "/v1/me",
              GatewayHarness.withToken(tokens.signed(tokens.header().put("crit", crit), claims)));

      assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
          .as("crit %s", crit)
          .contains("crit");
    }
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }

  @Test
  void aTokenSignedWithAnythingButExactlyEs256OrByAnUnknownKeyIs401() throws Exception {
    TestTokens tokens = gateway.tokens();
    JsonObject claims = tokens.claims(USER, Identity.CUSTOMER);
    TestTokens stranger = new TestTokens("someone-elses-key");

    for (Object alg : new Object[] {"es256", "ES256 ", "none", "HS256", 256}) {
      GatewayHarness.Response response =
          gateway.get(
              "/v1/me",
              GatewayHarness.withToken(tokens.signed(tokens.header().put("alg", alg), claims)));
      assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
          .as("alg %s", alg)
          .isEqualTo("the token must be signed with ES256");
    }
    GatewayHarness.Response unknown =
        gateway.get("/v1/me", GatewayHarness.withToken(stranger.token(USER, Identity.CUSTOMER)));
    assertThat(assertProblem(unknown, 401, "unauthenticated").getString("detail"))
        .isEqualTo("the token was signed by an unknown key");
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }
}
