package dev.microshop.contracts;

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

  private PaymentsApi() {}
}
