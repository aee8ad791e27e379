package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The store's bounds (count, least recently used first; age) and its settings. */
class LastKnownCopiesTest {
  private static final ReplyException TIMEOUT =
      new ReplyException(ReplyFailure.TIMEOUT, "timed out");
  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));

  @Test
  void pastItsCountTheLeastRecentlyUsedCopyGoesFirst() {
    LastKnownCopies copies = new LastKnownCopies(2, 60, now::get);
    copies.keep("a", product(1));
    copies.keep("b", product(2));
    assertThat(served(copies, "a")).isNotNull(); // a is now the most recently used

    copies.keep("c", product(3));

    assertThat(copies.size()).isEqualTo(2);
    assertThat(served(copies, "a").body()).isEqualTo(product(1));
    assertThat(served(copies, "b")).isNull();
    assertThat(served(copies, "c").body()).isEqualTo(product(3));
  }

  @Test
  void aCopyIsServedWithItsAgeUpToMaxStaleSecondsAndNeverAfter() {
    LastKnownCopies copies = new LastKnownCopies(10, 60, now::get);
    copies.keep("a", product(1));

    now.addAndGet(TimeUnit.SECONDS.toNanos(60));
    CatalogAnswer<JsonObject> atTheLimit = served(copies, "a");
    now.addAndGet(1);
    CatalogAnswer<JsonObject> past = served(copies, "a");

    assertThat(atTheLimit.ageSeconds()).isEqualTo(60);
    assertThat(atTheLimit.whyStale()).isEqualTo("timeout");
    assertThat(atTheLimit.insteadOf()).isSameAs(TIMEOUT);
    assertThat(past).isNull();
    assertThat(copies.size()).isZero();
  }

  @Test
  void withStaleCopiesZeroNothingIsKept() {
    LastKnownCopies copies = new LastKnownCopies(0, 60, now::get);
    copies.keep("a", product(1));

    assertThat(copies.size()).isZero();
    assertThat(served(copies, "a")).isNull();
  }

  @Test
  void everySpellingOfOneListQueryHasOneKey() {
    assertThat(LastKnownCopies.page(new JsonObject().put("limit", 20).put("q", "kb")))
        .isEqualTo("page {\"limit\":20,\"q\":\"kb\"}")
        .isNotEqualTo(LastKnownCopies.product("kb"));
  }

  @Test
  void theRepoDefaultsKeepAThousandCopiesForFiveMinutes() {
    JsonObject catalog = gatewayConfig(Map.of()).getJsonObject("catalog");

    assertThat(catalog)
        .isEqualTo(new JsonObject().put("staleCopies", 1000).put("maxStaleSeconds", 300));
    GatewayVerticle.checkSettings(gatewayConfig(Map.of()));
  }

  @Test
  void aBadCatalogSettingStopsTheGatewayAtStartNamingIt() {
    assertThatThrownBy(
            () ->
                GatewayVerticle.checkSettings(
                    gatewayConfig(Map.of("MICROSHOP_GATEWAY_CATALOG_STALE_COPIES", "-1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad setting catalog.staleCopies: -1 is out of range 0..1000000 (0 keeps none)");
    assertThatThrownBy(
            () ->
                GatewayVerticle.checkSettings(
                    gatewayConfig(Map.of("MICROSHOP_GATEWAY_CATALOG_MAX_STALE_SECONDS", "86401"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad setting catalog.maxStaleSeconds: 86401 is out of range 1..86400 (a day at most)");
    // Zero is refused before the gateway's own check, by the rule every *Seconds setting follows.
    assertThatThrownBy(
            () -> gatewayConfig(Map.of("MICROSHOP_GATEWAY_CATALOG_MAX_STALE_SECONDS", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting catalog.maxStaleSeconds: ");
    assertThatThrownBy(() -> LastKnownCopies.from(new JsonObject().put("maxStaleSeconds", 60)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad setting catalog.staleCopies: must be an integer in 0..1000000");
  }

  private static JsonObject gatewayConfig(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put(Settings.CONFIG_DIR_ENV, ServiceHarness.repoRoot().resolve("config").toString());
    return Settings.load(Services.GATEWAY, all);
  }

  /** What a read of {@code key} that timed out answers: the stale copy, or null for the failure. */
  private static CatalogAnswer<JsonObject> served(LastKnownCopies copies, String key) {
    Future<CatalogAnswer<JsonObject>> answer = copies.instead(key, TIMEOUT);
    assertThat(answer.isComplete()).isTrue();
    if (answer.failed()) {
      assertThat(answer.cause()).isSameAs(TIMEOUT);
      return null;
    }
    return answer.result();
  }

  private static JsonObject product(long version) {
    return new JsonObject().put("id", "p").put("version", version);
  }
}
