package dev.microshop.contracts;

/**
 * The commands orders sends (through its outbox) to the services its saga spans. Each body carries
 * a {@code messageId} and {@code occurredAt}; consumers are idempotent per message id and per order
 * and reply once the effect is committed. A command with a result (reserve, charge) is answered in
 * that reply: {@code {result: <an OrdersApi orders.saga.* address>, orderId, ...}} with the fields
 * that address documents (no messageId: the reply is not a message of its own), which orders
 * applies before the command counts as delivered. The others reply with an empty acknowledgement.
 */
public final class SagaCommands {
  /** The field of an answer that names its result, e.g. {@link OrdersApi#STOCK_RESERVED}. */
  public static final String RESULT = "result";

  /**
   * Reserve every line or none: {@code {messageId, orderId, lines: [{productId, quantity}]}}.
   * Answer: {@link OrdersApi#STOCK_RESERVED} or {@link OrdersApi#STOCK_REJECTED}. A repeated
   * reserve for the same order changes nothing and answers the same.
   */
  public static final String RESERVE_STOCK = "inventory.stock.reserve";

  /**
   * Give back the order's reservation, if it holds one: {@code {messageId, orderId}}. No result.
   */
  public static final String RELEASE_STOCK = "inventory.stock.release";

  /** Turn the order's reservation into a sale: {@code {messageId, orderId}}. No result. */
  public static final String COMMIT_STOCK = "inventory.stock.commit";

  /**
   * Charge the order's total to the user's wallet, at most once per order: {@code {messageId,
   * orderId, userId, amountMinor, currency}}. Answer: {@link OrdersApi#PAYMENT_CHARGED} or {@link
   * OrdersApi#PAYMENT_DECLINED}; a repeated charge for the order answers the same.
   */
  public static final String CHARGE = "payments.order.charge";

  /**
   * Refund the order's charge, if there is one and it was not refunded yet: {@code {messageId,
   * orderId}}.
   */
  public static final String REFUND = "payments.order.refund";

  private SagaCommands() {}
}
