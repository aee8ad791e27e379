package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class WalletConfigTest {

  private static JsonObject config(boolean dev, String currency, long devOpening) {
    return new JsonObject()
        .put("dev", dev)
        .put(
            "wallet",
            new JsonObject().put("currency", currency).put("devOpeningBalanceMinor", devOpening));
  }

  @Test
  void outsideDevEveryWalletOpensEmpty() {
    assertThat(WalletConfig.from(config(false, "CHF", 100_000)))
        .isEqualTo(new WalletConfig("CHF", 0));
  }

  @Test
  void devModeUsesTheDevOpeningBalance() {
    assertThat(WalletConfig.from(config(true, "EUR", 100_000)))
        .isEqualTo(new WalletConfig("EUR", 100_000));
  }

  @Test
  void missingSettingsDefaultToZeroEuros() {
    assertThat(WalletConfig.from(new JsonObject())).isEqualTo(new WalletConfig("EUR", 0));
  }

  @Test
  void aBadCurrencyOrNegativeBalanceFailsNamingTheKey() {
    assertThatThrownBy(() -> WalletConfig.from(config(false, "euro", 0)))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("wallet.currency");
    assertThatThrownBy(() -> WalletConfig.from(config(true, "EUR", -5)))
        .isInstanceOf(ConfigException.class)
        .extracting(e -> ((ConfigException) e).key())
        .isEqualTo("wallet.devOpeningBalanceMinor");
  }
}
