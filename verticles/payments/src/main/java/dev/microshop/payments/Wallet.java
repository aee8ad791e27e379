package dev.microshop.payments;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.UUID;

/**
 * A user's wallet, as {@code PaymentsApi} replies it. Money in integer minor units of {@code
 * currency}.
 */
record Wallet(UUID userId, long balanceMinor, String currency, Instant updatedAt) {

  static Wallet from(Row row) {
    return new Wallet(
        row.getUUID("user_id"),
        row.getLong("balance_minor"),
        row.getString("currency"),
        row.getOffsetDateTime("updated_at").toInstant());
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("userId", userId.toString())
        .put("balanceMinor", balanceMinor)
        .put("currency", currency)
        .put("updatedAt", updatedAt.toString());
  }
}
