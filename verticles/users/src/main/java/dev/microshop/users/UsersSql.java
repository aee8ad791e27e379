package dev.microshop.users;

/**
 * Every SQL statement of the users service. Emails are stored and looked up in their canonical form
 * ({@code Emails.canonical}; V2 moved older rows to it), and still compared through lower(), so the
 * lookup uses the unique index on lower(email).
 */
final class UsersSql {
  /** $1 id, $2 email, $3 display name, $4 password hash, $5 roles. Fails 23505 on a taken email. */
  static final String INSERT_USER =
      """
      INSERT INTO users (id, email, display_name, password_hash, roles)
      VALUES ($1, $2, $3, $4, $5)
      RETURNING id, email, display_name, roles, created_at
      """;

  /**
   * Like {@link #INSERT_USER} but a taken email inserts nothing, so racing instances cannot fail
   * each other.
   */
  static final String INSERT_USER_IF_ABSENT =
      """
      INSERT INTO users (id, email, display_name, password_hash, roles)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING
      RETURNING id, email, display_name, roles, created_at
      """;

  /** $1 email. */
  static final String FIND_BY_EMAIL =
      """
      SELECT id, email, display_name, password_hash, roles, created_at
      FROM users
      WHERE lower(email) = lower($1)
      """;

  /** $1 id. */
  static final String FIND_PROFILE =
      """
      SELECT id, email, display_name, roles, created_at
      FROM users
      WHERE id = $1
      """;

  /**
   * $1 id, $2 new hash, $3 the hash it replaces: a concurrent password change is not overwritten.
   */
  static final String UPGRADE_HASH =
      """
      UPDATE users SET password_hash = $2
      WHERE id = $1 AND password_hash = $3
      """;

  private UsersSql() {}
}
