package dev.microshop.platform;

/** The SQL of the outbox and inbox, shared by every service (tables from db/platform). */
final class OutboxSql {
  static final String ADD = """
      INSERT INTO outbox (id, destination, payload) VALUES ($1, $2, $3)
      ON CONFLICT (id) DO NOTHING""";

  /**
   * Claims due rows for this instance: each gets a lease (next_attempt_at moves into the future) so another
   * instance's relay skips it while it is in flight; SKIP LOCKED lets relays claim in parallel.
   */
  static final String CLAIM = """
      UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
      WHERE id IN (
        SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, destination, payload, attempts""";

  static final String DELIVERED = """
      UPDATE outbox SET status = 'DELIVERED', delivered_at = now(), last_error = NULL
      WHERE id = $1 AND status = 'PENDING'""";

  static final String RETRY = """
      UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3
      WHERE id = $1 AND status = 'PENDING'""";

  static final String DEAD = """
      UPDATE outbox SET status = 'DEAD', last_error = $2 WHERE id = $1 AND status = 'PENDING'""";

  static final String LIST_DEAD = """
      SELECT id, destination, payload, attempts, last_error, created_at FROM outbox
      WHERE status = 'DEAD' ORDER BY created_at LIMIT $1""";

  static final String REDRIVE = """
      UPDATE outbox SET status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL
      WHERE id = $1 AND status = 'DEAD'""";

  static final String STATS = """
      SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
             count(*) FILTER (WHERE status = 'DEAD') AS dead,
             coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'PENDING')), 0) AS lag
      FROM outbox""";

  static final String FIRST_DELIVERY = """
      INSERT INTO inbox (message_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING""";

  private OutboxSql() {}
}
