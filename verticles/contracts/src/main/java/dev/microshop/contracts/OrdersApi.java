package dev.microshop.contracts;

/**
 * Addresses of the orders service: the saga orchestrator. An order is {@code {id, userId, status:
 * PENDING|CONFIRMED|CANCELLED, reason?, lines: [{productId, quantity, priceMinor?, name?}],
 * totalMinor?, currency?, createdAt, updatedAt, timeline: [{step, at, detail?}]}}.
 *
 * <p>The saga's results come back in participants' replies to its commands ({@link SagaResult}),
 * not as messages of their own.
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

  /**
   * Admin only: what the operations console shows of orders. Body {@code {slowMs 1..600000}}. Reply
   * {@code {windowSeconds, placedPerSecond, p99Ms, recent: [{id, status, reason?, ms, traceId?,
   * createdAt}]}}: orders placed in the last window, the 99th percentile of their time from placed
   * to final (a pending order counts its age so far), and the latest orders that failed (cancelled,
   * but not by their customer) or took longer than {@code slowMs}, with their trace id when
   * sampled. Fails 400, 401, 403.
   */
  public static final String ACTIVITY = "orders.activity.recent";

  private OrdersApi() {}
}
