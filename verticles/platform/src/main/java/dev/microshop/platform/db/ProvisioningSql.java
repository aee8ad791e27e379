package dev.microshop.platform.db;

/**
 * The SQL that gives a service its own database and login role, for {@link RoleProvisioning}: the
 * embedded server of {@code up} and an external one ({@code db-init}) are provisioned by the same
 * text. Queries take {@code ?} parameters. Role and database names cannot be parameters in
 * PostgreSQL's utility statements, so they are plain identifiers checked by {@link #identifier},
 * and passwords are quoted literals.
 */
final class ProvisioningSql {
  private ProvisioningSql() {}

  /**
   * No row: no such role. False: it may log in, but has a power a service role must not have (or
   * cannot log in at all).
   */
  static final String ROLE_IS_PLAIN =
      """
      SELECT rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication
                                  OR rolbypassrls)
      FROM pg_roles WHERE rolname = ?
      """;

  static final String CREATE_ROLE =
      """
      CREATE ROLE %s WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
        PASSWORD %s
      """;

  static final String MAKE_ROLE_PLAIN =
      """
      ALTER ROLE %s WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
      """;

  static final String SET_PASSWORD = "ALTER ROLE %s WITH PASSWORD %s";

  /** No row: no such database. */
  static final String DATABASE_OWNER =
      "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = ?";

  static final String CREATE_DATABASE = "CREATE DATABASE %s OWNER %s";

  static final String SET_DATABASE_OWNER = "ALTER DATABASE %s OWNER TO %s";

  /**
   * Everyone but the owner who holds a privilege on the database, PUBLIC included (grantee 0); a
   * database never granted or revoked has the default ACL, where PUBLIC may connect and make
   * temporary tables.
   */
  static final String DATABASE_OUTSIDERS =
      """
      SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
             string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type)
      FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
      WHERE d.datname = ? AND a.grantee <> d.datdba
      GROUP BY a.grantee
      ORDER BY 1
      """;

  /** The grantee is PUBLIC or a quoted identifier. */
  static final String REVOKE_DATABASE = "REVOKE ALL ON DATABASE %s FROM %s";

  static final String OWNER_CAN_CONNECT =
      "SELECT has_database_privilege(?, ?, 'CONNECT') AND has_database_privilege(?, ?, 'TEMP')";

  static final String GRANT_DATABASE = "GRANT CONNECT, TEMPORARY ON DATABASE %s TO %s";

  /**
   * Run in the service's database. PostgreSQL 15 and later give schema public to the database's
   * owner (pg_database_owner) and PUBLIC only USAGE; older servers give it to the bootstrap
   * superuser with CREATE for PUBLIC, which both checks below correct.
   */
  static final String PUBLIC_SCHEMA =
      """
      SELECT pg_get_userbyid(n.nspowner),
             EXISTS (SELECT FROM aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
                     WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
      FROM pg_namespace n WHERE n.nspname = 'public'
      """;

  static final String REVOKE_PUBLIC_CREATE = "REVOKE CREATE ON SCHEMA public FROM PUBLIC";

  static final String SET_SCHEMA_OWNER = "ALTER SCHEMA public OWNER TO %s";

  /** The owner that stands for "whoever owns the database" (PostgreSQL 15 and later). */
  static final String DATABASE_OWNER_ROLE = "pg_database_owner";

  /**
   * Lower-case letters, digits and underscores, at most 63 bytes: the same name quoted or not, and
   * nothing to escape.
   */
  static boolean isPlainIdentifier(String name) {
    return name != null && name.matches("[a-z_][a-z0-9_]{0,62}");
  }

  static String identifier(String name) {
    if (!isPlainIdentifier(name)) {
      throw new IllegalArgumentException("not a plain SQL identifier: " + name);
    }
    return name;
  }

  /** A role found in the catalog, whatever its name. */
  static String quoted(String name) {
    return name.equals("PUBLIC") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** An escape string, so a backslash means the same whatever standard_conforming_strings is. */
  static String literal(String value) {
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
