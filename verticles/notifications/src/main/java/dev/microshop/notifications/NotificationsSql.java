package dev.microshop.notifications;

/** Every SQL statement of the notifications service. */
final class NotificationsSql {
  /**
   * After the platform's inbox CTE {@code first} ($1, $2; see reliablyInOneStatement): $3 id, $4
   * user id, $5 event id, $6 kind, $7 title, $8 body. Returns the stored row, or no row on a
   * redelivery or when this event already notified this user (a re-published event, whatever its
   * message id).
   */
  static final String INSERT_ONCE =
      """
      INSERT INTO notifications (id, user_id, event_id, kind, title, body)
      SELECT $3::uuid, $4::uuid, $5::uuid, $6::text, $7::text, $8::jsonb FROM first
      ON CONFLICT (event_id, user_id) DO NOTHING
      RETURNING id, user_id, event_id, kind, title, body, created_at""";

  /** $1 user id, $2 limit: the newest page. */
  static final String FIRST_PAGE =
      """
      SELECT id, user_id, event_id, kind, title, body, created_at
      FROM notifications
      WHERE user_id = $1
      ORDER BY created_at DESC, id DESC
      LIMIT $2""";

  /** $1 user id, $2 and $3 the (created_at, id) of the last row of the previous page, $4 limit. */
  static final String NEXT_PAGE =
      """
      SELECT id, user_id, event_id, kind, title, body, created_at
      FROM notifications
      WHERE user_id = $1 AND (created_at, id) < ($2, $3)
      ORDER BY created_at DESC, id DESC
      LIMIT $4""";

  private NotificationsSql() {}
}
