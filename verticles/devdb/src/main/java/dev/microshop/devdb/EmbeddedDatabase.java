package dev.microshop.devdb;

import dev.microshop.platform.config.Secrets;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The zero-install PostgreSQL: a real server from a Maven artifact, its data kept in {@code
 * <dataDir>/pg} so a restart keeps every row. The first JVM that needs it starts it; later JVMs
 * (the {@code up} children, an extra {@code orders}) attach to the running one. The starter
 * provisions one database and one login role per service; a role can connect only to its own
 * database. Password authentication (SCRAM) is switched on after the first initdb, which zonky runs
 * with "trust".
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String HOST = "127.0.0.1";
  private static final String SUPERUSER = "postgres";

  private final EmbeddedPostgres server;
  private final Path dataDir;
  private final int port;

  /** Where the server's Unix-domain socket is ("" when the path would be too long: TCP only). */
  private final String socketDir;

  private EmbeddedDatabase(EmbeddedPostgres server, Path dataDir, int port, String socketDir) {
    this.server = server;
    this.dataDir = dataDir;
    this.port = port;
    this.socketDir = socketDir;
  }

  /**
   * Attaches to the server already running on {@code dataDir}, or starts it and provisions every
   * service.
   */
  public static EmbeddedDatabase startOrAttach(
      Path dataDir, boolean durable, List<String> services) {
    Integer running = ServerRecord.runningPort(dataDir);
    if (running != null) {
      LOG.info("using the embedded PostgreSQL already running on port {}", running);
      return new EmbeddedDatabase(null, dataDir, running, ServerRecord.runningSocketDir(dataDir));
    }
    return start(dataDir, durable, services);
  }

  /** The server running on {@code dataDir}, if one is: for tools that must not start one. */
  public static Optional<EmbeddedDatabase> attach(Path dataDir) {
    Integer running = ServerRecord.runningPort(dataDir);
    return running == null
        ? Optional.empty()
        : Optional.of(
            new EmbeddedDatabase(null, dataDir, running, ServerRecord.runningSocketDir(dataDir)));
  }

  /** Starts (never attaches): for {@code up}, which owns the server and stops it last. */
  public static EmbeddedDatabase start(Path dataDir, boolean durable, List<String> services) {
    try {
      Files.createDirectories(dataDir);
      String superPassword = Secrets.getOrCreate(dataDir, "postgres-password");
      int port = ServerRecord.choosePort(dataDir);
      String socketDir = PostgresServer.socketDir(dataDir, port);
      EmbeddedPostgres server =
          PostgresServer.start(dataDir, port, socketDir, superPassword, durable);
      ServerRecord.write(dataDir, port, socketDir);
      EmbeddedDatabase db = new EmbeddedDatabase(server, dataDir, port, socketDir);
      try {
        Provisioning provisioning = new Provisioning(db, dataDir);
        provisioning.secure(superPassword);
        provisioning.provision(services, superPassword);
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      LOG.info(
          "embedded PostgreSQL on {}:{}{}, data in {}, durable={}",
          HOST,
          port,
          socketDir.isEmpty() ? "" : " and a Unix-domain socket",
          dataDir.resolve("pg"),
          durable);
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return HOST;
  }

  /** The directory of the server's Unix-domain socket, or "" when it listens on TCP only. */
  public String socketDir() {
    return socketDir;
  }

  /** True when this JVM started the server (and so stops it on close). */
  public boolean owned() {
    return server != null;
  }

  /** The postmaster's process id, or -1 when it cannot be read. */
  public long serverPid() {
    return ServerRecord.postmasterPid(dataDir);
  }

  /**
   * Stops a server left running on {@code dataDir} by a launcher that was killed without cleaning
   * up, so a new {@code up} owns its database again. Smart shutdown first (SIGTERM), a hard stop
   * only if that hangs. A server whose owner (the JVM that started it) is still alive is never
   * touched: that is a running installation.
   *
   * @throws IllegalStateException when the server's owner is alive
   */
  public static void stopOrphan(Path dataDir) {
    long owner = ServerRecord.ownerPid(dataDir);
    if (owner != ProcessHandle.current().pid() && isLiveJvm(owner)) {
      throw new IllegalStateException(
          "the embedded PostgreSQL in "
              + dataDir
              + " belongs to a running microshop JVM"
              + " (pid "
              + owner
              + "); stop it first");
    }
    long pid = ServerRecord.postmasterPid(dataDir);
    // postmaster.pid may be stale and its pid reused by an unrelated process: only a postgres is
    // stopped.
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
        .ifPresent(
            postmaster -> {
              LOG.warn("stopping the PostgreSQL (pid {}) a previous run left behind", pid);
              postmaster.destroy();
              try {
                postmaster.onExit().get(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                postmaster.destroyForcibly();
              }
            });
  }

  /**
   * True when {@code pid} is a live Java process (a recorded pid may since have been reused by
   * anything).
   */
  public static boolean isLiveJvm(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(p -> p.info().command().map(c -> c.endsWith("java")).orElse(true))
        .orElse(false);
  }

  /** True when a database was ever started in {@code dataDir}: it holds an installation. */
  public static boolean exists(Path dataDir) {
    return ServerRecord.exists(dataDir);
  }

  /** Points a service's config at its provisioned database, unless it names an external one. */
  public JsonObject configure(JsonObject config) {
    JsonObject db = config.getJsonObject("db");
    db.put("host", HOST).put("port", port).put("socketDir", socketDir);
    if (db.getString("password", "").isEmpty() && db.getString("passwordFile", "").isBlank()) {
      db.put(
          "passwordFile", Secrets.dbPasswordFile(dataDir, config.getString("service")).toString());
    }
    return config;
  }

  /** Runs SQL as the superuser: for provisioning and for tests that check isolation. */
  public Connection superuser(String database) throws SQLException {
    return connect(database, SUPERUSER, Secrets.getOrCreate(dataDir, "postgres-password"));
  }

  /** A JDBC connection over TCP, with exactly these credentials. */
  Connection connect(String database, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("sslmode", "disable");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + HOST + ":" + port + "/" + database, props);
  }

  @Override
  public void close() {
    if (server == null) {
      return;
    }
    long pid = serverPid();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
    // zonky's pg_ctl gives up after 5 s; a durable shutdown checkpoint can take longer. Wait for
    // the postmaster itself, so "stopped" means stopped.
    ProcessHandle.of(pid)
        .ifPresent(
            postmaster -> {
              try {
                postmaster.onExit().get(30, TimeUnit.SECONDS);
              } catch (Exception e) {
                LOG.warn("PostgreSQL (pid {}) still running 30 s after the stop request", pid);
              }
            });
  }
}
