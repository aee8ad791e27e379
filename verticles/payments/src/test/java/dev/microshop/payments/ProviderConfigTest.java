package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ProviderConfigTest {

  private static JsonObject config(Object enabled, Object latencyMs, Object maxConcurrent) {
    return new JsonObject()
        .put(
            "provider",
            new JsonObject()
                .put("enabled", enabled)
                .put("latencyMs", latencyMs)
                .put("maxConcurrent", maxConcurrent));
  }

  @Test
  void theProviderIsOffUnlessEnabled() {
    assertThat(ProviderConfig.from(new JsonObject())).isEqualTo(new ProviderConfig(false, 50, 4));
    assertThat(ProviderConfig.from(config(true, 50, 2))).isEqualTo(new ProviderConfig(true, 50, 2));
  }

  @Test
  void theCeilingOfOneJvmIsItsCallsInFlightOverTheLatency() {
    assertThat(new ProviderConfig(true, 50, 2).chargesPerSecond()).isEqualTo(40.0);
  }

  @Test
  void aLatencyOrConcurrencyOutOfRangeFailsNamingTheSetting() {
    assertThatThrownBy(() -> ProviderConfig.from(config(true, 0, 4)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad setting provider.latencyMs: 0 is out of range 1..10000");
    assertThatThrownBy(() -> ProviderConfig.from(config(true, 50, 0)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad setting provider.maxConcurrent: 0 is out of range 1..1000");
    assertThatThrownBy(() -> ProviderConfig.from(config(false, 50, 1001)))
        .as("checked even while off, so turning it on later cannot fail")
        .hasMessage("bad setting provider.maxConcurrent: 1001 is out of range 1..1000");
  }

  @Test
  void aValueOfTheWrongKindFailsNamingTheSetting() {
    assertThatThrownBy(() -> ProviderConfig.from(config("yes", 50, 4)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad setting provider.enabled: must be true or false");
    assertThatThrownBy(() -> ProviderConfig.from(config(true, "fast", 4)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("bad setting provider.latencyMs: must be an integer in 1..10000");
  }

  @Test
  void theServiceChecksItsProviderSettingsBeforeItStarts() {
    assertThatThrownBy(() -> PaymentsVerticle.checkSettings(config(true, 20_000, 4)))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("provider.latencyMs");
  }
}
