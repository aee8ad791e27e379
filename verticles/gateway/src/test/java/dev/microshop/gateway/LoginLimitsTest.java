package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Login limits and the per-address bound on password checks, against a stub users that accepts one
 * password. Requests come from two loopback addresses: the gateway keys on the TCP peer.
 */
class LoginLimitsTest extends RoutesTestBase {
  private static final String HERE = GatewayHarness.CLIENT;
  private static final String ELSEWHERE = "127.0.0.2";
  private static final String RIGHT = "correct horse battery";
  private static final JsonObject TOKEN =
      new JsonObject().put("accessToken", "a.b.c").put("tokenType", "Bearer").put("expiresIn", 900);

  @BeforeEach
  void usersAcceptsOnlyTheRightPassword() {
    gateway.answer(
        UsersApi.ISSUE_TOKEN,
        msg ->
            RIGHT.equals(msg.body().getString("password"))
                ? Future.succeededFuture(TOKEN)
                : Future.failedFuture(wrongPassword()));
  }

  @Test
  void fiveFailuresFromOneAddressAre429ThereWhileTheOwnerLogsInFromAnother() throws Exception {
    String email = account();
    for (int i = 0; i < 5; i++) {
      assertThat(login(HERE, email, "guess " + i).status()).as("guess %d", i).isEqualTo(401);
      gateway.received(UsersApi.ISSUE_TOKEN);
    }

    GatewayHarness.Response sixth = login(HERE, email, "guess 5");

    assertThat(assertProblem(sixth, 429, "rate-limited").getString("detail"))
        .startsWith("too many failed login attempts for this account from this address");
    assertThat(Long.parseLong(sixth.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(gateway.pending(UsersApi.ISSUE_TOKEN)).isZero();

    GatewayHarness.Response owner = login(ELSEWHERE, email, RIGHT);

    assertThat(assertJson(owner, 200)).isEqualTo(TOKEN);
    assertThat(gateway.received(UsersApi.ISSUE_TOKEN).body().getString("password"))
        .isEqualTo(RIGHT);
  }

  @Test
  void everySpellingOfAnAccountCountsAgainstOneBucket() throws Exception {
    String email = account();
    String local = email.substring(0, email.indexOf('@'));
    List<String> spellings =
        List.of(
            email + "\u2003",
            "\u3000" + email.toUpperCase(Locale.ROOT),
            email + "\u2002\u2009",
            "\u00a0" + email + "\u202f",
            fullWidth(local.toUpperCase(Locale.ROOT)) + email.substring(local.length()));
    for (String spelling : spellings) {
      assertThat(login(HERE, spelling, "a guess").status()).as("%s", spelling).isEqualTo(401);
      gateway.received(UsersApi.ISSUE_TOKEN);
    }

    GatewayHarness.Response plain = login(HERE, email, "a guess");

    assertProblem(plain, 429, "rate-limited");
    assertThat(gateway.pending(UsersApi.ISSUE_TOKEN)).isZero();
  }

  @Test
  void successfulLoginsConsumeNothing() throws Exception {
    String email = account();
    for (int i = 0; i < 12; i++) {
      assertThat(login(HERE, email, RIGHT).status()).as("login %d", i).isEqualTo(200);
    }
    // The bucket is still full: five failures are still allowed.
    for (int i = 0; i < 5; i++) {
      assertThat(login(HERE, email, "guess " + i).status()).as("guess %d", i).isEqualTo(401);
    }
    assertThat(login(HERE, email, "guess 5").status()).isEqualTo(429);
  }

  @Test
  void usersAnsweringBusyDoesNotOpenItsBreaker() throws Exception {
    gateway.fail(
        UsersApi.ISSUE_TOKEN,
        ErrorCodes.UNAVAILABLE,
        "too many password checks in progress; retry shortly");
    gateway.fail(
        UsersApi.REGISTER,
        ErrorCodes.UNAVAILABLE,
        "too many password checks in progress; retry shortly");
    for (int i = 0; i < 20; i++) {
      GatewayHarness.Response busy =
          i % 4 == 0
              ? gateway
                  .postFrom(
                      HERE,
                      "/v1/users",
                      new JsonObject()
                          .put("email", account())
                          .put("displayName", "Busy")
                          .put("password", RIGHT))
                  .await(20, TimeUnit.SECONDS)
              : login(HERE, account(), RIGHT);
      assertThat(assertProblem(busy, 503, "unavailable").getString("detail"))
          .as("call %d", i)
          .startsWith("too many password checks");
      assertThat(busy.header("Retry-After")).isEqualTo("1");
    }
    gateway.reset();
    JsonObject profile =
        new JsonObject()
            .put("id", USER)
            .put("email", "ada@example.com")
            .put("displayName", "Ada")
            .put("roles", new JsonArray().add("customer"));
    gateway.answer(UsersApi.PROFILE, profile);
    gateway.answer(PaymentsApi.WALLET, new JsonObject().put("balanceMinor", 0));

    GatewayHarness.Response me = gateway.get("/v1/me", customer());

    assertThat(assertJson(me, 200).getJsonObject("profile")).isEqualTo(profile);
    assertCaller(gateway.received(UsersApi.PROFILE), USER, "customer");
  }

  @Test
  void oneAddressGetsTwoPasswordChecksAtOnceEightWaitingAndTheRestAre429() throws Exception {
    List<Promise<JsonObject>> held = new CopyOnWriteArrayList<>();
    AtomicBoolean released = new AtomicBoolean();
    gateway.answer(
        UsersApi.ISSUE_TOKEN,
        msg -> {
          if (!msg.body().getString("email").startsWith("flood-")) {
            return Future.succeededFuture(TOKEN);
          }
          Promise<JsonObject> answer = Promise.promise();
          held.add(answer);
          if (released.get()) {
            answer.tryFail(wrongPassword());
          }
          return answer.future();
        });
    List<Future<GatewayHarness.Response>> flood = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      flood.add(
          gateway.postFrom(
              HERE, "/v1/auth/token", credentials("flood-" + i + "@example.com", "a guess")));
    }

    List<GatewayHarness.Response> refused = awaitAnswered(flood, 10);

    assertThat(refused).hasSize(10);
    for (GatewayHarness.Response response : refused) {
      assertThat(assertProblem(response, 429, "rate-limited").getString("detail"))
          .startsWith("too many password checks in progress from this address");
      assertThat(response.header("Retry-After")).isEqualTo("1");
    }
    gateway.received(UsersApi.ISSUE_TOKEN);
    gateway.received(UsersApi.ISSUE_TOKEN);
    assertThat(gateway.pending(UsersApi.ISSUE_TOKEN)).as("only two at once reach users").isZero();
    // Another address is not held up by the flood.
    assertThat(
            assertJson(
                gateway
                    .postFrom(ELSEWHERE, "/v1/auth/token", credentials(account(), RIGHT))
                    .await(20, TimeUnit.SECONDS),
                200))
        .isEqualTo(TOKEN);

    released.set(true);
    held.forEach(answer -> answer.tryFail(wrongPassword()));
    List<Integer> waited = new ArrayList<>();
    for (Future<GatewayHarness.Response> response : flood) {
      waited.add(response.await(20, TimeUnit.SECONDS).status());
    }
    assertThat(waited).containsOnly(429, 401).filteredOn(s -> s == 401).hasSize(10);
  }

  /** The responses of {@code sent} that came back, once {@code count} have (waits up to 20 s). */
  private static List<GatewayHarness.Response> awaitAnswered(
      List<Future<GatewayHarness.Response>> sent, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (sent.stream().filter(Future::isComplete).count() < count
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(200); // none more should come back while users holds its answers
    return sent.stream().filter(Future::isComplete).map(Future::result).toList();
  }

  private static GatewayHarness.Response login(String from, String email, String password)
      throws Exception {
    return gateway
        .postFrom(from, "/v1/auth/token", credentials(email, password))
        .await(20, TimeUnit.SECONDS);
  }

  private static JsonObject credentials(String email, String password) {
    return new JsonObject().put("email", email).put("password", password);
  }

  private static String account() {
    return "victim-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  private static ReplyException wrongPassword() {
    return new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE, ErrorCodes.UNAUTHENTICATED, "invalid email or password");
  }

  /** The full-width form of ASCII letters and digits (U+FF01..): NFKC folds it back. */
  private static String fullWidth(String ascii) {
    StringBuilder out = new StringBuilder();
    ascii
        .chars()
        .forEach(c -> out.append(c > 0x20 && c < 0x7f ? (char) (c - 0x21 + 0xff01) : (char) c));
    return out.toString();
  }
}
