package dev.microshop.launcher.support;

import dev.microshop.devdb.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server standing in for an operator's own: the embedded binaries started in a temp
 * directory on a free port, with password (SCRAM) logins and a superuser, but no service database
 * or role until {@code db-init} makes them.
 */
public final class StandaloneServer implements AutoCloseable {
  private final Path dir;
  private final EmbeddedDatabase server;

  private StandaloneServer(Path dir, EmbeddedDatabase server) {
    this.dir = dir;
    this.server = server;
  }

  public static StandaloneServer start() {
    Path dir = TestEnv.tempDir("microshop-pg-");
    return new StandaloneServer(dir, EmbeddedDatabase.start(dir, false, List.of()));
  }

  public int port() {
    return server.port();
  }

  /** The superuser's login, as an operator would hand it to db-init. */
  public String adminUrl() {
    return "postgresql://postgres@127.0.0.1:" + port() + "/postgres";
  }

  public Path adminPasswordFile() {
    return dir.resolve("secrets").resolve("postgres-password");
  }

  /** Where tests put files of their own (secrets, certificates) next to the server's. */
  public Path dir() {
    return dir;
  }

  public Connection superuser(String database) throws SQLException {
    return server.superuser(database);
  }

  /** Runs statements as the superuser in the postgres database. */
  public void execute(String... statements) {
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** The first column of the first row of a superuser query in {@code database}. */
  public Object value(String database, String sql) {
    try (Connection c = superuser(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1) : null;
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
