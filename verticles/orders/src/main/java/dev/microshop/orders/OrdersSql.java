package dev.microshop.orders;

/** Every SQL statement of the orders service. */
final class OrdersSql {
  /**
   * A placement in one statement: claims the Idempotency-Key and, only when it was free, inserts
   * the PENDING order, its lines and its first two timeline steps. Yields the key's order and
   * request hash, and whether this statement created it ({@code created}); a key already used
   * yields the earlier order (its row, as the statement's snapshot sees it) with {@code created}
   * false. Parameters: $1 user, $2 key, $3 request hash, $4 new order id, $5 deadline seconds, $6
   * trace id, $7 product ids, $8 quantities, $9 the PLACED step's detail.
   */
  static final String PLACE =
      """
      WITH claim AS (
        INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id, key) DO NOTHING
        RETURNING order_id, request_hash),
      placed AS (
        INSERT INTO orders (id, user_id, status, stock_state, created_at, updated_at, deadline_at, trace_id)
        SELECT order_id, $1, 'PENDING', 'REQUESTED', clock_timestamp(), clock_timestamp(),
               clock_timestamp() + make_interval(secs => $5), $6 FROM claim
        RETURNING id),
      lines AS (
        INSERT INTO order_lines (order_id, product_id, quantity)
        SELECT placed.id, l.product_id, l.quantity
          FROM placed, unnest($7::uuid[], $8::int[]) AS l (product_id, quantity)),
      steps AS (
        INSERT INTO order_timeline (order_id, step, detail)
        SELECT placed.id, s.step, s.detail
          FROM placed, (VALUES (1, 'PLACED', $9::text), (2, 'STOCK_REQUESTED', NULL)) AS s (n, step, detail)
         ORDER BY s.n)
      SELECT order_id, request_hash, true AS created FROM claim
      UNION ALL
      SELECT order_id, request_hash, false FROM idempotency_keys WHERE user_id = $1 AND key = $2""";

  static final String FIND_KEY =
      """
      SELECT request_hash, order_id, false AS created FROM idempotency_keys WHERE user_id = $1 AND key = $2""";

  static final String TIMELINE =
      """
      INSERT INTO order_timeline (order_id, step, detail) VALUES ($1, $2, $3)""";

  /**
   * Several steps of one transition in one statement, in the given order (the timeline is ordered
   * by id).
   */
  static final String TIMELINE_STEPS =
      """
      INSERT INTO order_timeline (order_id, step, detail)
      SELECT $1, s.step, s.detail FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s (step, detail, n)
       ORDER BY s.n""";

  /**
   * What a saga transition reads of its order, with how long ago it was placed and how long ago its
   * last transition ran (the current step's start), both by the database's clock: any instance, or
   * one restarted since, times the step it applies ({@link OrderMetrics}).
   */
  static final String SAGA_COLUMNS =
      """
      id, user_id, status, reason, total_minor, currency, stock_state, payment_state, step_attempts,
             extract(epoch FROM clock_timestamp() - created_at)::float8 AS placed_age,
             extract(epoch FROM clock_timestamp() - updated_at)::float8 AS step_age""";

  static final String LOCK =
      """
      SELECT %s
      FROM orders WHERE id = $1 FOR UPDATE"""
          .formatted(SAGA_COLUMNS);

  static final String LOCK_OWN =
      """
      SELECT %s
      FROM orders WHERE id = $1 AND user_id = $2 FOR UPDATE"""
          .formatted(SAGA_COLUMNS);

  /**
   * A transition's time is when its statement ran, not when its transaction began ({@code now()}):
   * the next step is timed from it, and a transaction (a group of them) may have begun much
   * earlier.
   */
  static final String SET_STATE =
      """
      UPDATE orders SET status = $2, reason = $3, stock_state = $4, payment_state = $5, updated_at = clock_timestamp(),
        step_at = now(), step_attempts = 0
      WHERE id = $1""";

  /** SET_STATE and the order's total in one row version (the reservation's transition). */
  static final String SET_STATE_PRICED =
      """
      UPDATE orders SET status = $2, reason = $3, stock_state = $4, payment_state = $5, total_minor = $6,
        currency = $7, updated_at = clock_timestamp(), step_at = now(), step_attempts = 0
      WHERE id = $1""";

  static final String PRICE_LINE =
      """
      UPDATE order_lines SET price_minor = $3, name = $4 WHERE order_id = $1 AND product_id = $2""";

  /**
   * An order with its lines (in product order) and timeline (in step order) as arrays: one round
   * trip.
   */
  static final String GET =
      """
      SELECT o.id, o.user_id, o.status, o.reason, o.total_minor, o.currency, o.stock_state, o.payment_state,
             o.created_at, o.updated_at, l.product_ids, l.quantities, l.prices, l.names, t.steps, t.details, t.ats
        FROM orders o
        CROSS JOIN LATERAL (
          SELECT array_agg(product_id ORDER BY product_id) AS product_ids,
                 array_agg(quantity ORDER BY product_id) AS quantities,
                 array_agg(price_minor ORDER BY product_id) AS prices,
                 array_agg(name ORDER BY product_id) AS names
            FROM order_lines WHERE order_id = o.id) l
        CROSS JOIN LATERAL (
          SELECT array_agg(step ORDER BY id) AS steps, array_agg(detail ORDER BY id) AS details,
                 array_agg(at ORDER BY id) AS ats
            FROM order_timeline WHERE order_id = o.id) t
       WHERE o.id = $1 AND o.user_id = $2""";

  static final String LINES =
      """
      SELECT product_id, quantity, price_minor, name FROM order_lines WHERE order_id = $1 ORDER BY product_id""";

  static final String STEPS =
      """
      SELECT step, detail, at FROM order_timeline WHERE order_id = $1 ORDER BY id""";

  /** Newest first, keyset on (created_at, id). */
  static final String LIST =
      """
      SELECT id, user_id, status, reason, total_minor, currency, stock_state, payment_state, created_at, updated_at
      FROM orders WHERE user_id = $1 AND (created_at, id) < ($2, $3)
      ORDER BY created_at DESC, id DESC LIMIT $4""";

  /** Pending orders past their business deadline, claimed by one orders instance at a time. */
  static final String OVERDUE =
      """
      SELECT %s
      FROM orders WHERE status = 'PENDING' AND deadline_at < now()
      ORDER BY deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED"""
          .formatted(SAGA_COLUMNS);

  /** Pending orders whose current step has had no answer for a while: the step is sent again. */
  static final String STALLED =
      """
      SELECT %s
      FROM orders WHERE status = 'PENDING' AND step_at < now() - make_interval(secs => $1)
      ORDER BY step_at LIMIT $2 FOR UPDATE SKIP LOCKED"""
          .formatted(SAGA_COLUMNS);

  static final String STEP_RETRIED =
      """
      UPDATE orders SET step_at = now(), step_attempts = step_attempts + 1 WHERE id = $1""";

  private OrdersSql() {}

  /**
   * Orders placed in the last $1 seconds: how many, and the 99th percentile of their time from
   * placed to final in ms, a pending order counting its age so far (so a stuck saga shows at once).
   */
  static final String ACTIVITY_WINDOW =
      """
      SELECT count(*) AS placed,
             percentile_disc(0.99) WITHIN GROUP (ORDER BY
               extract(epoch FROM (CASE WHEN status = 'PENDING' THEN now() ELSE updated_at END) - created_at)
               * 1000) AS p99_ms
      FROM orders WHERE created_at > now() - make_interval(secs => $1)""";

  /**
   * The latest orders of the last $2 seconds that failed (cancelled, not by their customer) or took
   * longer than $1 ms, newest first, at most $3.
   */
  static final String ACTIVITY_RECENT =
      """
      SELECT id, status, reason, trace_id, created_at,
             extract(epoch FROM (CASE WHEN status = 'PENDING' THEN now() ELSE updated_at END) - created_at)
               * 1000 AS ms
      FROM orders
      WHERE created_at > now() - make_interval(secs => $2)
        AND ((status = 'CANCELLED' AND reason IS DISTINCT FROM 'CANCELLED_BY_CUSTOMER')
          OR (CASE WHEN status = 'PENDING' THEN now() ELSE updated_at END) - created_at
               > make_interval(secs => $1 / 1000.0))
      ORDER BY created_at DESC LIMIT $3""";
}
