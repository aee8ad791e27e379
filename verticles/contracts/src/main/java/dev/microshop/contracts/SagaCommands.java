package dev.microshop.contracts;

/**
 * The commands orders sends (through its outbox) to the services its saga spans. Each body carries a
 * {@code messageId} and {@code occurredAt}; consumers are idempotent per message id and per order, acknowledge
 * with an empty reply once the effect is committed, and send their result back through their own outbox to the
 * {@link OrdersApi} {@code orders.saga.*} addresses.
 */
public final class SagaCommands {
  /**
   * Reserve every line or none: {@code {messageId, orderId, lines: [{productId, quantity}]}}. Result:
   * {@link OrdersApi#STOCK_RESERVED} or {@link OrdersApi#STOCK_REJECTED}. A repeated reserve for the same order
   * changes nothing and resends the same result.
   */
  public static final String RESERVE_STOCK = "inventory.stock.reserve";

  /** Give back the order's reservation, if it holds one: {@code {messageId, orderId}}. No result message. */
  public static final String RELEASE_STOCK = "inventory.stock.release";

  /** Turn the order's reservation into a sale: {@code {messageId, orderId}}. No result message. */
  public static final String COMMIT_STOCK = "inventory.stock.commit";

  /**
   * Charge the order's total to the user's wallet, at most once per order:
   * {@code {messageId, orderId, userId, amountMinor, currency}}. Result: {@link OrdersApi#PAYMENT_CHARGED} or
   * {@link OrdersApi#PAYMENT_DECLINED}.
   */
  public static final String CHARGE = "payments.order.charge";

  /** Refund the order's charge, if there is one and it was not refunded yet: {@code {messageId, orderId}}. */
  public static final String REFUND = "payments.order.refund";

  private SagaCommands() {}
}
