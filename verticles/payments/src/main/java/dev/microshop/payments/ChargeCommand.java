package dev.microshop.payments;

import dev.microshop.contracts.SagaResult.PaymentDeclined;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * A validated {@code payments.order.charge} from the order saga.
 *
 * @param messageId the command's id, also the id of the ledger row it writes
 * @param orderId the order; it is charged at most once
 * @param userId whose wallet pays
 * @param amountMinor the order's total, in minor units of {@code currency}
 * @param currency must be the wallet's
 */
record ChargeCommand(UUID messageId, UUID orderId, UUID userId, long amountMinor, String currency) {
  static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;
  static final String INSUFFICIENT_FUNDS = PaymentDeclined.Reason.INSUFFICIENT_FUNDS.name();
  static final String CURRENCY_MISMATCH = PaymentDeclined.Reason.CURRENCY_MISMATCH.name();

  /**
   * Fails with 400 naming every invalid field: a malformed command is the sender's bug, not a
   * decline.
   */
  static ChargeCommand fromJson(JsonObject body) {
    Fields fields = new Fields(body);
    UUID messageId = fields.uuid("messageId", true);
    UUID orderId = fields.uuid("orderId", true);
    UUID userId = fields.uuid("userId", true);
    Long amountMinor = fields.integer("amountMinor", true, 0, MAX_AMOUNT_MINOR);
    String currency = fields.currency("currency", true);
    fields.check();
    return new ChargeCommand(messageId, orderId, userId, amountMinor, currency);
  }

  /** Why this charge cannot be taken from {@code wallet}, or null when it can. */
  String declineReason(Wallet wallet) {
    if (!wallet.currency().equals(currency)) {
      return CURRENCY_MISMATCH;
    }
    return wallet.balanceMinor() < amountMinor ? INSUFFICIENT_FUNDS : null;
  }

  String ledgerReason() {
    return "order " + orderId;
  }
}
