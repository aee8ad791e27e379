package dev.microshop.payments;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * How new wallets open: their currency and opening balance. In dev mode ({@code dev: true}) the
 * opening balance is {@code wallet.devOpeningBalanceMinor}, so a fresh local account can shop at
 * once.
 *
 * @param currency ISO 4217 code of every new wallet
 * @param openingBalanceMinor balance of a new wallet, in minor units of {@code currency}
 */
record WalletConfig(String currency, long openingBalanceMinor) {

  static WalletConfig from(JsonObject config) {
    JsonObject wallet = config.getJsonObject("wallet", new JsonObject());
    String currency = wallet.getString("currency", "EUR");
    if (!currency.matches("[A-Z]{3}")) {
      throw new ConfigException(
          "wallet.currency", "\"" + currency + "\" is not an ISO 4217 code like EUR");
    }
    String key = config.getBoolean("dev", false) ? "devOpeningBalanceMinor" : "openingBalanceMinor";
    long opening = wallet.getLong(key, 0L);
    if (opening < 0) {
      throw new ConfigException("wallet." + key, opening + " is negative");
    }
    return new WalletConfig(currency, opening);
  }
}
