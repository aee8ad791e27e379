package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The budget of invalid tokens per client address: spent by tokens that fail verification only, and
 * once spent, every request with a token from that address is refused before any verification. Each
 * test sends from loopback addresses of its own: the gateway keys on the TCP peer.
 */
class InvalidTokenLimitsTest extends RoutesTestBase {
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
  void onceAnAddressSpentItsBudgetItsTokensAre429UnverifiedWhileOtherAddressesAreServed()
      throws Exception {
    // Three a minute: a token comes back every 20 s, far longer than this test's requests take.
    try (GatewayHarness limited =
        GatewayHarness.start(
            Map.of("MICROSHOP_GATEWAY_RATE_LIMIT_INVALID_TOKENS_PER_MINUTE", "3"),
            List.of(UsersApi.PROFILE, PaymentsApi.WALLET),
            List.of(Services.USERS, Services.PAYMENTS))) {
      limited.answer(UsersApi.PROFILE, PROFILE);
      limited.answer(PaymentsApi.WALLET, WALLET);
      // Signed with another key under the trusted kid: only the ECDSA verification can refuse it.
      TestTokens forger = new TestTokens(TestTokens.KID);
      String attacker = "127.0.0.3";
      for (int i = 0; i < 3; i++) {
        GatewayHarness.Response forged = me(limited, attacker, forger.token(USER, Identity.ADMIN));
        assertThat(assertProblem(forged, 401, "unauthenticated").getString("detail"))
            .as("forgery %d", i)
            .isEqualTo("the token is invalid or expired");
      }
      long verified = limited.verifications();

      GatewayHarness.Response fourth = me(limited, attacker, forger.token(USER, Identity.ADMIN));

      assertThat(assertProblem(fourth, 429, "rate-limited").getString("detail"))
          .startsWith("too many requests with an invalid token from this address");
      assertThat(Long.parseLong(fourth.header("Retry-After"))).isBetween(1L, 20L);
      assertThat(limited.verifications()).as("refused before verification").isEqualTo(verified);
      // The address is refused for the window, a valid token too: only verifying tells it apart.
      GatewayHarness.Response valid =
          me(limited, attacker, limited.tokens().token(USER, Identity.CUSTOMER));
      assertProblem(valid, 429, "rate-limited");
      assertThat(limited.verifications()).isEqualTo(verified);
      assertThat(limited.pending(UsersApi.PROFILE)).isZero();

      GatewayHarness.Response other =
          me(limited, "127.0.0.4", limited.tokens().token(USER, Identity.CUSTOMER));

      assertThat(assertJson(other, 200).getJsonObject("profile")).isEqualTo(PROFILE);
      assertCaller(limited.received(UsersApi.PROFILE), USER, "customer");
    }
  }

  @Test
  void validTokensAndRequestsWithoutOneSpendNothingAndGarbageSpendsTheDefaultBudget()
      throws Exception {
    int budget = defaultBudget();
    String client = "127.0.0.5";
    String token = gateway.tokens().token(USER, Identity.CUSTOMER);
    for (int i = 0; i < budget + 5; i++) {
      assertThat(me(gateway, client, token).status()).as("valid %d", i).isEqualTo(200);
      assertThat(me(gateway, client, null).status()).as("no token %d", i).isEqualTo(401);
    }
    int refusedAfter = -1;
    // A token comes back every 60/budget s: allow for a few on a slow machine.
    for (int i = 0; i < budget + 5 && refusedAfter < 0; i++) {
      long verified = gateway.verifications();
      GatewayHarness.Response garbage = me(gateway, client, "garbage." + i);
      if (garbage.status() == 429) {
        assertProblem(garbage, 429, "rate-limited");
        assertThat(gateway.verifications()).isEqualTo(verified);
        refusedAfter = i;
      } else {
        assertProblem(garbage, 401, "unauthenticated");
      }
    }

    assertThat(refusedAfter).isBetween(budget, budget + 4);
  }

  /** {@code rateLimit.invalidTokensPerMinute} of the repo's config/gateway.json. */
  private static int defaultBudget() throws Exception {
    String file =
        Files.readString(ServiceHarness.repoRoot().resolve("config").resolve("gateway.json"));
    return new JsonObject(file).getJsonObject("rateLimit").getInteger("invalidTokensPerMinute");
  }

  /** {@code GET /v1/me} from {@code from}, with {@code token} as bearer (null: no token). */
  private static GatewayHarness.Response me(GatewayHarness to, String from, String token)
      throws Exception {
    Map<String, String> headers = token == null ? Map.of() : GatewayHarness.withToken(token);
    return to.send(from, HttpMethod.GET, "/v1/me", headers, null).await(20, TimeUnit.SECONDS);
  }
}
