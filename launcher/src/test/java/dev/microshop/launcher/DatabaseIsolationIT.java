package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.SharedDatabase;
import dev.microshop.platform.config.Secrets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Database per service, enforced by PostgreSQL itself: each role reaches its own database and no
 * other.
 */
class DatabaseIsolationIT {
  private final Db db = Db.shared();
  private final int port = SharedDatabase.get().port();

  @Test
  void eachServiceRoleIsRefusedByEveryOtherServicesDatabase() throws Exception {
    for (String owner : Services.WITH_DATABASE) {
      for (String other : Services.WITH_DATABASE) {
        if (owner.equals(other)) {
          try (Connection own = db.connect(owner, owner);
              Statement s = own.createStatement();
              ResultSet rs = s.executeQuery("SELECT current_user, current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(owner);
            assertThat(rs.getString(2)).isEqualTo(owner);
          }
        } else {
          assertThatThrownBy(() -> db.connect(owner, other).close())
              .as("%s connecting to %s", owner, other)
              .isInstanceOf(SQLException.class)
              .hasMessageContaining("permission denied for database \"" + other + "\"")
              .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        }
      }
    }
  }

  @Test
  void aRoleCannotReadAnotherServicesTablesEvenThroughTheSuperusersDatabase() throws Exception {
    // The users role may not even open the orders database, so the orders table is out of reach;
    // and in its own
    // database it is an ordinary role without superuser rights.
    try (Connection own = db.connect(Services.USERS, Services.USERS);
        Statement s = own.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'users'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBoolean(1)).isFalse();
      assertThat(rs.getBoolean(2)).isFalse();
      assertThat(rs.getBoolean(3)).isFalse();
    }
  }

  @Test
  void passwordsAreRequiredAndStoredOutsideTheRepository() throws Exception {
    assertThatThrownBy(() -> Db.connect(Db.url(port, Services.ORDERS), Services.ORDERS, "wrong"))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    assertThatThrownBy(() -> Db.connect(Db.url(port, "postgres"), "postgres", ""))
        .isInstanceOf(SQLException.class);
    assertThat(
            Files.getPosixFilePermissions(
                Secrets.dbPasswordFile(SharedDatabase.dataDir(), Services.ORDERS)))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
  }
}
