package dev.microshop.launcher;

/**
 * The queries of {@code verify}, each run in one service's own database as that service's role (no
 * query reaches across databases; {@link VerifyChecks} compares their figures). {@code ?} is the
 * grace in seconds where a query takes one.
 */
final class VerifySql {
  private VerifySql() {}

  /** inventory: the stock_balance view, summed, with the first unbalanced products. */
  static final String STOCK =
      """
      SELECT count(*),
             count(*) FILTER (WHERE NOT balanced),
             coalesce(sum(initial_available + adjusted), 0),
             coalesce(sum(available), 0),
             coalesce(sum(reserved), 0),
             coalesce(sum(sold), 0),
             coalesce(array_to_string(
               ((array_agg(product_id::text ORDER BY product_id) FILTER (WHERE NOT balanced))[1:3]),
               ', '), '')
        FROM stock_balance
      """;

  /**
   * orders: every order with its status and total, and whether it is settled (final for longer than
   * the grace).
   */
  static final String ORDERS =
      """
      SELECT id::text, status, total_minor,
             status <> 'PENDING' AND updated_at < now() - make_interval(secs => ?)
        FROM orders
      """;

  /** orders: PENDING orders, and those whose deadline passed more than the grace ago. */
  static final String OVERDUE =
      """
      SELECT count(*) FILTER (WHERE status = 'PENDING'),
             count(*) FILTER (WHERE status = 'PENDING'
                                AND deadline_at < now() - make_interval(secs => ?)),
             coalesce(array_to_string(
               ((array_agg(id::text ORDER BY deadline_at)
                   FILTER (WHERE status = 'PENDING'
                             AND deadline_at < now() - make_interval(secs => ?)))[1:3]),
               ', '), '')
        FROM orders
      """;

  /** payments: per order, what was charged (positive), what was refunded, and how many charges. */
  static final String PAYMENTS =
      """
      SELECT order_id::text,
             coalesce(-sum(amount_minor) FILTER (WHERE kind = 'CHARGE'), 0),
             coalesce(sum(amount_minor) FILTER (WHERE kind = 'REFUND'), 0),
             count(*) FILTER (WHERE kind = 'CHARGE')
        FROM wallet_transactions
       WHERE kind IN ('CHARGE', 'REFUND')
       GROUP BY order_id
      """;

  /** notifications: how many of each order notification kind each order has. */
  static final String NOTIFICATIONS =
      """
      SELECT body->>'orderId', kind, count(*)
        FROM notifications
       WHERE kind IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED')
       GROUP BY body->>'orderId', kind
      """;

  /**
   * Any service: messages waiting, waiting for longer than the grace, dead, and dead with no
   * reason.
   */
  static final String OUTBOX =
      """
      SELECT count(*) FILTER (WHERE status = 'PENDING'),
             count(*) FILTER (WHERE status = 'PENDING'
                                AND created_at < now() - make_interval(secs => ?)),
             count(*) FILTER (WHERE status = 'DEAD'),
             count(*) FILTER (WHERE status = 'DEAD' AND coalesce(btrim(last_error), '') = '')
        FROM outbox
      """;

  /** orders: which of these ids (a uuid[]) no order has, the first few, and how many. */
  static final String MISSING =
      """
      SELECT count(*),
             coalesce(array_to_string(((array_agg(a.id::text ORDER BY a.id))[1:3]), ', '), '')
        FROM unnest(?::uuid[]) AS a(id)
       WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.id)
      """;
}
