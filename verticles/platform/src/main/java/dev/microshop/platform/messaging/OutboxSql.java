package dev.microshop.platform.messaging;

/** The SQL of the outbox and inbox, shared by every service (tables from db/platform). */
public final class OutboxSql {
  static final String ADD =
      """
      INSERT INTO outbox (id, destination, payload, trace_parent) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO NOTHING""";

  /**
   * Adds a message that the writing instance sends itself right after the commit: it is born
   * claimed (one attempt, leased for $4 seconds), so no relay's claim picks it up unless that send
   * fails or its instance dies. The lease starts now, not when the transaction began (now()): a
   * transaction that waited on row locks must not commit a lease that has already run out.
   */
  static final String ADD_LEASED =
      """
      INSERT INTO outbox (id, destination, payload, trace_parent, attempts, next_attempt_at)
      VALUES ($1, $2, $3, $4, 1, clock_timestamp() + make_interval(secs => $5))
      ON CONFLICT (id) DO NOTHING""";

  /**
   * Claims due rows for this instance: each gets a lease (next_attempt_at moves into the future) so
   * another instance's relay skips it while it is in flight; SKIP LOCKED lets relays claim in
   * parallel.
   */
  static final String CLAIM =
      """
      UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
      WHERE id IN (
        SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, destination, payload, trace_parent, attempts""";

  static final String DELIVERED =
      """
      UPDATE outbox SET status = 'DELIVERED', delivered_at = now(), last_error = NULL
      WHERE id = ANY($1) AND status = 'PENDING'""";

  /**
   * Schedules the next attempt, only if the row is still on the failed attempt ($4): a stale send
   * must not cut short the lease of a relay that has claimed the row again since.
   */
  static final String RETRY =
      """
      UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3
      WHERE id = $1 AND status = 'PENDING' AND attempts = $4""";

  static final String DEAD =
      """
      UPDATE outbox SET status = 'DEAD', last_error = $2 WHERE id = $1 AND status = 'PENDING' AND attempts = $3""";

  static final String LIST_DEAD =
      """
      SELECT id, destination, payload, attempts, last_error, created_at FROM outbox
      WHERE status = 'DEAD' ORDER BY created_at LIMIT $1""";

  static final String REDRIVE =
      """
      UPDATE outbox SET status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL
      WHERE id = $1 AND status = 'DEAD'""";

  static final String STATS =
      """
      SELECT count(*) FILTER (WHERE status = 'PENDING') AS pending,
             count(*) FILTER (WHERE status = 'DEAD') AS dead,
             coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'PENDING')), 0) AS lag
      FROM outbox""";

  /**
   * Removes up to $2 delivered rows older than $1 seconds; the relay repeats it while it removes a
   * full batch.
   */
  static final String PURGE =
      """
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE status = 'DELIVERED' AND delivered_at < now() - make_interval(secs => $1)
        ORDER BY delivered_at LIMIT $2)""";

  /**
   * Removes up to $2 inbox entries processed more than $1 seconds ago, oldest first (see
   * OutboxPurge).
   */
  static final String PURGE_INBOX =
      """
      DELETE FROM inbox WHERE (message_id, consumer) IN (
        SELECT message_id, consumer FROM inbox WHERE processed_at < now() - make_interval(secs => $1)
        ORDER BY processed_at LIMIT $2)""";

  /**
   * The inbox insert as a CTE {@code first} to put before a consumer's one-statement effect (see
   * {@code ServiceVerticle.reliablyInOneStatement}): one row on a first delivery, none on a
   * redelivery. $1 is the message id, $2 the consumer.
   */
  public static final String FIRST_DELIVERY_CTE =
      """
      WITH first AS (
        INSERT INTO inbox (message_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id)
      """;

  static final String FIRST_DELIVERY =
      """
      INSERT INTO inbox (message_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING""";

  private OutboxSql() {}
}
