package dev.microshop.payments;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * How new wallets open: their currency and opening balance. Outside dev mode every wallet opens
 * empty, whatever the settings say: money enters only through an admin's credit, which the ledger
 * records with its actor. In dev mode ({@code dev: true}, as {@code up} and {@code all} set it) the
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
    long devOpening = wallet.getLong("devOpeningBalanceMinor", 0L);
    if (devOpening < 0) {
      throw new ConfigException("wallet.devOpeningBalanceMinor", devOpening + " is negative");
    }
    return new WalletConfig(currency, config.getBoolean("dev", false) ? devOpening : 0);
  }
}
