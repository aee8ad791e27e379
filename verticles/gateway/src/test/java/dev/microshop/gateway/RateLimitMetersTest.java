package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal with 429 is counted in {@code microshop_rate_limited_total} by its kind, and only
 * its kind; every kind is there at zero before the first refusal.
 */
class RateLimitMetersTest {
  /** One token of each kind, so the second request of a key is refused. */
  private static final JsonObject ONE_EACH =
      new JsonObject()
          .put("anonymousPerMinute", 1)
          .put("userPerMinute", 1)
          .put("loginFailuresPerAccountAndAddressPerMinute", 1)
          .put("loginFailuresPerAccountAndAddressPerHour", 1)
          .put("loginFailuresPerAccountPerMinute", 1)
          .put("loginFailuresPerAccountPerHour", 1)
          .put("statusPerMinute", 1)
          .put("invalidTokensPerMinute", 1);

  private static Vertx vertx;
  private static RateLimits limits;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    limits = new RateLimits(vertx, null, ONE_EACH);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void everyKindIsRegisteredBeforeItsFirstRefusal() {
    assertThat(counts().keySet())
        .containsExactlyInAnyOrder(
            "anonymous",
            "user",
            "login_from_address",
            "login",
            "status",
            "invalid_token",
            "password_checks",
            "live_streams");
  }

  @Test
  void aRefusalIsCountedUnderItsOwnKindAndAGrantedRequestIsNot() throws Exception {
    for (RateLimits.Kind kind : RateLimits.Kind.values()) {
      String key = UUID.randomUUID().toString();
      Map<String, Double> before = counts();

      assertThat(limits.take(kind, key).await(5, TimeUnit.SECONDS)).as("first " + kind).isNull();
      assertThat(counts()).as("granted " + kind).isEqualTo(before);

      assertThat(granted(limits.take(kind, key))).as("second " + kind).isFalse();

      Map<String, Double> expected = new TreeMap<>(before);
      expected.merge(RateLimitMeters.label(kind), 1.0, Double::sum);
      assertThat(counts()).as("refused " + kind).isEqualTo(expected);
    }
  }

  @Test
  void anInvalidTokenRefusedBeforeVerificationIsCountedToo() {
    String address = UUID.randomUUID().toString();
    limits.take(RateLimits.Kind.INVALID_TOKEN, address);
    limits.take(RateLimits.Kind.INVALID_TOKEN, address);
    double before = counts().get("invalid_token");

    assertThat(limits.unlessSpent(RateLimits.Kind.INVALID_TOKEN, address).failed()).isTrue();

    assertThat(counts().get("invalid_token")).isEqualTo(before + 1);
  }

  @Test
  void aPasswordCheckBeyondTheAddressesQueueIsCountedAsPasswordChecks() {
    AddressGate gate = new AddressGate(vertx, 1, 0);
    Promise<Void> running = Promise.promise();
    gate.run("198.51.100.7", running::future);
    Map<String, Double> before = counts();

    Future<Void> refused = gate.run("198.51.100.7", Future::succeededFuture);

    assertThat(refused.failed()).isTrue();
    Map<String, Double> expected = new TreeMap<>(before);
    expected.merge(RateLimitMeters.PASSWORD_CHECKS, 1.0, Double::sum);
    assertThat(counts()).isEqualTo(expected);
    running.complete();
  }

  /** True when {@code take} succeeded. */
  private static boolean granted(Future<Void> take) {
    try {
      take.await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception refused) {
      return false;
    }
  }

  static Map<String, Double> counts() {
    Map<String, Double> counts = new TreeMap<>();
    for (Counter counter : Metrics.registry().find(RateLimitMeters.NAME).counters()) {
      counts.put(counter.getId().getTag("kind"), counter.count());
    }
    return counts;
  }
}
