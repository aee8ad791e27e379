package dev.microshop.payments;

import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The body of {@code PaymentsApi.CREDIT}, validated.
 *
 * @param messageId the idempotency key: the same id again changes nothing
 * @param userId whose wallet
 * @param amountMinor what to add, in minor units of the wallet's currency
 * @param reason why, for the ledger; trimmed
 */
record CreditRequest(UUID messageId, UUID userId, long amountMinor, String reason) {
  static final long MAX_AMOUNT_MINOR = 1_000_000_000L;
  static final int MAX_REASON_LENGTH = 200;

  /** Fails with 400 naming every invalid field. */
  static CreditRequest fromJson(JsonObject body) {
    if (body == null) {
      throw ServiceFailure.invalid(
          FieldError.WHOLE_BODY, "a body {messageId, userId, amountMinor, reason} is required");
    }
    Fields fields = new Fields(body);
    UUID messageId = fields.uuid("messageId", true);
    UUID userId = fields.uuid("userId", true);
    Long amountMinor = fields.integer("amountMinor", true, 1, MAX_AMOUNT_MINOR);
    String reason = fields.line("reason", true, 1, MAX_REASON_LENGTH);
    fields.check();
    return new CreditRequest(messageId, userId, amountMinor, reason);
  }
}
