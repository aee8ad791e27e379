package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registration, login and /v1/me, against stub users and payments. */
class AccountRoutesTest extends RoutesTestBase {
  private static final JsonObject PROFILE =
      new JsonObject()
          .put("id", USER)
          .put("email", "ada@example.com")
          .put("displayName", "Ada")
          .put("roles", new JsonArray().add("customer"));

  @Test
  void registeringSendsTheRegistrationAnonymouslyAndAnswers201WithTheProfile() throws Exception {
    gateway.answer(UsersApi.REGISTER, PROFILE);
    JsonObject registration =
        new JsonObject()
            .put("email", "ada@example.com")
            .put("displayName", "Ada")
            .put("password", "correct horse battery");

    GatewayHarness.Response response = gateway.post("/v1/users", Map.of(), registration);

    assertThat(assertJson(response, 201)).isEqualTo(PROFILE);
    assertThat(response.header("Location")).isEqualTo("/v1/me");
    Message<JsonObject> msg = gateway.received(UsersApi.REGISTER);
    assertThat(msg.body()).isEqualTo(registration);
    assertAnonymous(msg);
  }

  @Test
  void aRegistrationMissingFieldsIs400NamingEachAndReachesNoService() throws Exception {
    GatewayHarness.Response response =
        gateway.post("/v1/users", Map.of(), new JsonObject().put("email", "not-an-email"));

    JsonObject problem = assertProblem(response, 400, "invalid-request");
    assertThat(
            problem.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getString("field")))
        .contains("email", "displayName", "password");
    assertThat(gateway.pending(UsersApi.REGISTER)).isZero();
  }

  @Test
  void aTakenEmailIsTheServicesConflict() throws Exception {
    gateway.fail(UsersApi.REGISTER, ErrorCodes.CONFLICT, "email is already registered");

    GatewayHarness.Response response =
        gateway.post(
            "/v1/users",
            Map.of(),
            new JsonObject()
                .put("email", "taken@example.com")
                .put("displayName", "T")
                .put("password", "long enough password"));

    JsonObject problem = assertProblem(response, 409, "conflict");
    assertThat(problem.getString("detail")).isEqualTo("email is already registered");
    assertThat(problem.getString("instance")).isEqualTo("/v1/users");
    assertThat(response.header("Location")).isNull();
  }

  @Test
  void loggingInAnswersTheTokenUncached() throws Exception {
    JsonObject token =
        new JsonObject()
            .put("accessToken", "a.b.c")
            .put("tokenType", "Bearer")
            .put("expiresIn", 900);
    gateway.answer(UsersApi.ISSUE_TOKEN, token);
    JsonObject credentials =
        new JsonObject().put("email", "login@example.com").put("password", "secret");

    GatewayHarness.Response response = gateway.post("/v1/auth/token", Map.of(), credentials);

    assertThat(assertJson(response, 200)).isEqualTo(token);
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    Message<JsonObject> msg = gateway.received(UsersApi.ISSUE_TOKEN);
    assertThat(msg.body()).isEqualTo(credentials);
    assertAnonymous(msg);
  }

  @Test
  void wrongCredentialsAre401WithAChallenge() throws Exception {
    gateway.fail(UsersApi.ISSUE_TOKEN, ErrorCodes.UNAUTHENTICATED, "wrong email or password");

    GatewayHarness.Response response =
        gateway.post(
            "/v1/auth/token",
            Map.of(),
            new JsonObject().put("email", "wrong@example.com").put("password", "nope"));

    assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
        .isEqualTo("wrong email or password");
    assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"microshop\"");
  }

  @Test
  void meIsTheProfileAndTheWalletAskedAsTheCaller() throws Exception {
    JsonObject wallet =
        new JsonObject().put("userId", USER).put("balanceMinor", 1250).put("currency", "EUR");
    gateway.answer(UsersApi.PROFILE, PROFILE);
    gateway.answer(PaymentsApi.WALLET, wallet);

    GatewayHarness.Response response = gateway.get("/v1/me", customer());

    assertThat(assertJson(response, 200))
        .isEqualTo(
            new JsonObject()
                .put("profile", PROFILE)
                .put("wallet", wallet.copy().put("available", true)));
    Message<JsonObject> profile = gateway.received(UsersApi.PROFILE);
    assertThat(profile.body()).isEqualTo(new JsonObject());
    assertCaller(profile, USER, "customer");
    assertCaller(gateway.received(PaymentsApi.WALLET), USER, "customer");
  }

  @Test
  void meStillAnswersWhenTheWalletFailsAndSaysItIsUnavailable() throws Exception {
    gateway.answer(UsersApi.PROFILE, PROFILE);
    gateway.fail(PaymentsApi.WALLET, ErrorCodes.NOT_FOUND, "no wallet");

    GatewayHarness.Response response = gateway.get("/v1/me", customer());

    JsonObject me = assertJson(response, 200);
    assertThat(me.getJsonObject("profile")).isEqualTo(PROFILE);
    assertThat(me.getJsonObject("wallet"))
        .isEqualTo(
            new JsonObject()
                .put("available", false)
                .put("detail", "the wallet is temporarily unavailable"));
  }

  @Test
  void meFailsWithTheProfile() throws Exception {
    gateway.fail(UsersApi.PROFILE, ErrorCodes.NOT_FOUND, "no such user");

    assertThat(
            assertProblem(gateway.get("/v1/me", customer()), 404, "not-found").getString("detail"))
        .isEqualTo("no such user");
  }

  @Test
  void meWithoutATokenIs401AndAsksNoService() throws Exception {
    GatewayHarness.Response response = gateway.get("/v1/me", Map.of());

    assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
        .isEqualTo("a bearer token is required");
    assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"microshop\"");
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }

  @Test
  void aTokenWithATamperedSignatureIs401AndAsksNoService() throws Exception {
    String forged = customer().get("Authorization");
    // Same kid, one signature byte changed: verified against the stub's JWKS, it must fail.
    String[] parts = forged.substring(7).split("\\.");
    char flipped = parts[2].charAt(10) == 'A' ? 'B' : 'A';
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + parts[2].substring(0, 10)
            + flipped
            + parts[2].substring(11);

    GatewayHarness.Response response =
        gateway.get("/v1/me", Map.of("Authorization", "Bearer " + tampered));

    assertThat(assertProblem(response, 401, "unauthenticated").getString("detail"))
        .isEqualTo("the token is invalid or expired");
    assertThat(gateway.pending(UsersApi.PROFILE)).isZero();
  }
}
