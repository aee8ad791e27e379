package dev.microshop.payments;

import dev.microshop.contracts.PaymentsApi.Charge;
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
  static final long MAX_AMOUNT_MINOR = Charge.MAX_AMOUNT_MINOR;
  static final String INSUFFICIENT_FUNDS = PaymentDeclined.Reason.INSUFFICIENT_FUNDS.name();
  static final String CURRENCY_MISMATCH = PaymentDeclined.Reason.CURRENCY_MISMATCH.name();

  /**
   * Fails with 400 naming every invalid field: a malformed command is the sender's bug, not a
   * decline.
   */
  static ChargeCommand fromJson(JsonObject body) {
    Fields fields = new Fields(body);
    UUID messageId = fields.uuid("messageId", true);
    Charge charge = Charge.read(fields);
    fields.check();
    return new ChargeCommand(
        messageId, charge.orderId(), charge.userId(), charge.amountMinor(), charge.currency());
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
