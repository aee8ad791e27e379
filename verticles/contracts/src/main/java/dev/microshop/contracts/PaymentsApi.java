package dev.microshop.contracts;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Addresses of the payments service. A wallet is {@code {userId, balanceMinor, currency,
 * updatedAt}}, money in integer minor units.
 */
public final class PaymentsApi {
  /**
   * The caller's wallet (identity headers), opened on first use with the configured opening
   * balance. Reply: the wallet. Fails 401 without identity.
   */
  public static final String WALLET = "payments.wallet.get";

  /**
   * Admin only. Body {@code {messageId, userId, amountMinor, reason}} (amount 1..10^9). Idempotent
   * per messageId. Reply: the wallet. Fails 403, 400, 422 (the messageId was already used for a
   * different credit).
   */
  public static final String CREDIT = "payments.wallet.credit";

  /**
   * The caller's ledger, newest first (identity headers). Body {@code {cursor?, limit 1..100}}.
   * Reply {@code {items: [{id, kind: OPENING|CREDIT|CHARGE|REFUND, amountMinor (signed),
   * balanceAfterMinor, reason, orderId?, createdAt}], nextCursor?}}.
   */
  public static final String TRANSACTIONS = "payments.wallet.transactions";

  /*
   * Saga commands, sent by orders through its outbox. Each body carries a messageId and occurredAt;
   * the consumer is idempotent per message id and per order and replies once the effect is
   * committed: with a SagaResult where the command has a result, else an empty acknowledgement.
   */

  /**
   * Charge the order's total to the user's wallet, at most once per order: {@code {messageId,
   * orderId, userId, amountMinor, currency}}. Answer: {@link SagaResult.PaymentCharged} or {@link
   * SagaResult.PaymentDeclined}; a repeated charge for the order answers the same.
   */
  public static final String CHARGE = "payments.order.charge";

  /**
   * Refund the order's charge, if there is one and it was not refunded yet: {@code {messageId,
   * orderId}}.
   */
  public static final String REFUND = "payments.order.refund";

  private PaymentsApi() {}

  /** The body of {@link #CHARGE}. */
  public record Charge(UUID orderId, UUID userId, long amountMinor, String currency) {
    public static final long MAX_AMOUNT_MINOR = 1_000_000_000_000L;

    public JsonObject toJson() {
      return new JsonObject()
          .put("orderId", orderId.toString())
          .put("userId", userId.toString())
          .put("amountMinor", amountMinor)
          .put("currency", currency);
    }

    /** The command, or null when a field is bad (the reader names it). */
    public static Charge read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      UUID userId = in.uuid("userId", true);
      Long amountMinor = in.integer("amountMinor", true, 0, MAX_AMOUNT_MINOR);
      String currency = in.currency("currency", true);
      return orderId == null || userId == null || amountMinor == null || currency == null
          ? null
          : new Charge(orderId, userId, amountMinor, currency);
    }
  }

  /** The body of {@link #REFUND}. */
  public record Refund(UUID orderId) {
    public JsonObject toJson() {
      return new JsonObject().put("orderId", orderId.toString());
    }

    public static Refund read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      return orderId == null ? null : new Refund(orderId);
    }
  }
}
