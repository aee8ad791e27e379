package dev.microshop.contracts;

/**
 * Addresses of the orders service: the saga orchestrator. An order is {@code {id, userId, status:
 * PENDING|CONFIRMED|CANCELLED, reason?, lines: [{productId, quantity, priceMinor?, name?}],
 * totalMinor?, currency?, createdAt, updatedAt, timeline: [{step, at, detail?}]}}.
 *
 * <p>Saga results arrive at the {@code orders.saga.*} addresses through the sender's outbox: each
 * carries a {@code messageId} (deduplicated) and the {@code orderId}; the reply is an empty
 * acknowledgement.
 */
public final class OrdersApi {
  /**
   * Place an order (identity headers). Body {@code {idempotencyKey, lines: [{productId, quantity
   * 1..10}] (1..20, distinct products)}}. Reply: the order, PENDING (or the existing order for a
   * repeated key with the same lines). Fails 400, 401, 422 (the key was used with different lines).
   */
  public static final String PLACE = "orders.order.place";

  /**
   * One of the caller's orders, with its timeline. Body {@code {id}}. Fails 401, 404 (also another
   * user's).
   */
  public static final String GET = "orders.order.get";

  /**
   * The caller's orders, newest first. Body {@code {cursor?, limit 1..100}}. Reply {@code {items,
   * nextCursor?}}.
   */
  public static final String LIST = "orders.order.list";

  /**
   * Cancel one of the caller's orders while it is not final; the saga then undoes what was done
   * (refund, release). Body {@code {id}}. Reply: the order. Fails 401, 404, 409 (already CONFIRMED
   * or CANCELLED).
   */
  public static final String CANCEL = "orders.order.cancel";

  /*
   * The saga's results, named in a participant's answer to a command (SagaCommands.RESULT). Participants of earlier
   * builds send them as messages to these addresses instead (with a messageId), and orders still consumes them
   * there, so orders can be upgraded first.
   */

  /**
   * From inventory: every line is reserved. {@code {result, orderId, lines: [{productId, quantity,
   * priceMinor, currency, name}], totalMinor, currency}}: prices are inventory's at reservation
   * time.
   */
  public static final String STOCK_RESERVED = "orders.saga.stock-reserved";

  /**
   * From inventory: nothing was reserved. {@code {result, orderId, reason:
   * OUT_OF_STOCK|UNKNOWN_PRODUCT| MIXED_CURRENCY}}.
   */
  public static final String STOCK_REJECTED = "orders.saga.stock-rejected";

  /**
   * From payments: the order's total was charged. {@code {result, orderId, amountMinor, currency}}.
   */
  public static final String PAYMENT_CHARGED = "orders.saga.payment-charged";

  /**
   * From payments: nothing was charged. {@code {result, orderId, reason:
   * INSUFFICIENT_FUNDS|CURRENCY_MISMATCH}}.
   */
  public static final String PAYMENT_DECLINED = "orders.saga.payment-declined";

  private OrdersApi() {}
}
