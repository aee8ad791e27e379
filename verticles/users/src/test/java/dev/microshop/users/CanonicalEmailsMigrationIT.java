package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.testkit.ServiceHarness;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The V2 migration on rows stored as typed before it, on the real PostgreSQL: run against a
 * temporary copy of the users table (a temp table shadows it in the session), so the service's own
 * rows are untouched.
 */
class CanonicalEmailsMigrationIT {
  private static ServiceHarness users;

  @BeforeAll
  static void start() throws Exception {
    users =
        ServiceHarness.start(
            Services.USERS,
            UsersVerticle::new,
            Map.of(
                "MICROSHOP_DEV",
                "true",
                "MICROSHOP_DATA_DIR",
                Files.createTempDirectory("users-v2-it-").toString()));
  }

  @AfterAll
  static void stop() {
    if (users != null) {
      users.close();
    }
  }

  @Test
  void rowsStoredAsTypedMoveToTheCanonicalFormAndTheOldestAccountKeepsACollision()
      throws Exception {
    Map<String, String> typed = new LinkedHashMap<>();
    typed.put("ann", "Ann@Example.COM");
    typed.put("bob", "bob@example.com\u00a0\u202f");
    typed.put("carol", "\uff43\uff41\uff52\uff4f\uff4c@example.com");
    typed.put("dave", "dave@example.com");
    typed.put("ann-later", "ann@example.com\u00a0"); // the same account as ann, registered later
    Map<String, UUID> ids = new LinkedHashMap<>();
    try (Connection c = users.sql();
        Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE users (LIKE public.users INCLUDING ALL)");
      Instant created = Instant.parse("2026-01-01T00:00:00Z");
      for (Map.Entry<String, String> row : typed.entrySet()) {
        UUID id = UUID.randomUUID();
        ids.put(row.getKey(), id);
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO users (id, email, display_name, password_hash, created_at)"
                    + " VALUES (?, ?, ?, 'x', ?)")) {
          insert.setObject(1, id);
          insert.setString(2, row.getValue());
          insert.setString(3, row.getKey());
          insert.setTimestamp(4, Timestamp.from(created));
          insert.executeUpdate();
        }
        created = created.plusSeconds(60);
      }

      s.execute(migration());

      Map<UUID, String> stored = new LinkedHashMap<>();
      try (ResultSet rows = s.executeQuery("SELECT id, email FROM users")) {
        while (rows.next()) {
          stored.put(rows.getObject(1, UUID.class), rows.getString(2));
        }
      }
      assertThat(stored.get(ids.get("ann"))).isEqualTo("ann@example.com");
      assertThat(stored.get(ids.get("bob"))).isEqualTo("bob@example.com");
      assertThat(stored.get(ids.get("carol"))).isEqualTo("carol@example.com");
      assertThat(stored.get(ids.get("dave"))).isEqualTo("dave@example.com");
      assertThat(stored.get(ids.get("ann-later"))).isEqualTo("ann@example.com\u00a0");
      s.execute("DROP TABLE pg_temp.users");
    }
  }

  private static String migration() throws Exception {
    try (InputStream in =
        UsersVerticle.class.getResourceAsStream("/db/users/V2__canonical_emails.sql")) {
      assertThat(in).as("the migration is on the classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
