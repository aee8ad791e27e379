package dev.microshop.devdb;

import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.db.DbSettings;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
  private static final String HOST = "127.0.0.1";
  private static final String SUPERUSER = "postgres";
  private static final String HBA =
      """
      # Written by microshop: every connection authenticates with a password (SCRAM).
      local   all all                scram-sha-256
      host    all all 127.0.0.1/32   scram-sha-256
      host    all all ::1/128        scram-sha-256
      """;

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
    Integer running = runningPort(dataDir);
    if (running != null) {
      LOG.info("using the embedded PostgreSQL already running on port {}", running);
      return new EmbeddedDatabase(null, dataDir, running, runningSocketDir(dataDir));
    }
    return start(dataDir, durable, services);
  }

  /** The server running on {@code dataDir}, if one is: for tools that must not start one. */
  public static Optional<EmbeddedDatabase> attach(Path dataDir) {
    Integer running = runningPort(dataDir);
    return running == null
        ? Optional.empty()
        : Optional.of(new EmbeddedDatabase(null, dataDir, running, runningSocketDir(dataDir)));
  }

  /** Starts (never attaches): for {@code up}, which owns the server and stops it last. */
  public static EmbeddedDatabase start(Path dataDir, boolean durable, List<String> services) {
    try {
      Files.createDirectories(dataDir);
      String superPassword = Secrets.getOrCreate(dataDir, "postgres-password");
      int port = choosePort(dataDir);
      String socketDir = socketDir(dataDir, port);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir.resolve("pg"))
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(Duration.ofSeconds(60))
              .setRegisterShutdownHook(false)
              .setConnectConfig("password", superPassword)
              .setServerConfig("listen_addresses", HOST)
              .setServerConfig("max_connections", "200")
              .setServerConfig("unix_socket_directories", socketDir)
              // Six databases share one autovacuum launcher; at the default 60 s a busy outbox
              // piles up dead rows.
              .setServerConfig("autovacuum_naptime", "10s")
              .setOutputRedirector(
                  ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()))
              .setErrorRedirector(
                  ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile()));
      // zonky runs postgres with fsync and synchronous_commit off: fine for tests, not for data a
      // user keeps.
      builder
          .setServerConfig("fsync", durable ? "on" : "off")
          .setServerConfig("synchronous_commit", durable ? "on" : "off")
          .setServerConfig("full_page_writes", durable ? "on" : "off");
      EmbeddedPostgres server = builder.start();
      // The owner is recorded so a later start can tell a server left behind (owner dead) from a
      // live one.
      Files.writeString(
          dataDir.resolve("postgres.json"),
          new JsonObject()
              .put("port", port)
              .put("socketDir", socketDir)
              .put("ownerPid", ProcessHandle.current().pid())
              .encode());
      EmbeddedDatabase db = new EmbeddedDatabase(server, dataDir, port, socketDir);
      try {
        db.secure(superPassword);
        db.provision(services);
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
    return postmasterPid(dataDir);
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
    long owner = ownerPid(dataDir);
    if (owner != ProcessHandle.current().pid() && isLiveJvm(owner)) {
      throw new IllegalStateException(
          "the embedded PostgreSQL in "
              + dataDir
              + " belongs to a running microshop JVM"
              + " (pid "
              + owner
              + "); stop it first");
    }
    long pid = postmasterPid(dataDir);
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
    return Files.exists(dataDir.resolve("postgres.json"));
  }

  private static long ownerPid(Path dataDir) {
    try {
      return new JsonObject(Files.readString(dataDir.resolve("postgres.json")))
          .getLong("ownerPid", -1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(
          Files.readAllLines(dataDir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
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
    Properties props = new Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("password", Secrets.getOrCreate(dataDir, "postgres-password"));
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

  private void secure(String superPassword) {
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      s.execute("ALTER ROLE postgres WITH PASSWORD " + literal(superPassword));
      Path hba = dataDir.resolve("pg").resolve("pg_hba.conf");
      if (Files.readString(hba).equals(HBA)) {
        return; // secured by an earlier start: nothing to reload
      }
      Files.writeString(hba, HBA);
      // initdb wrote max_connections into postgresql.conf; the server runs with its own value from
      // the command line, and a reload would log that file value as an error on every start. The
      // command line decides.
      Path conf = dataDir.resolve("pg").resolve("postgresql.conf");
      Files.writeString(
          conf, Files.readString(conf).replaceAll("(?m)^max_connections", "#max_connections"));
      s.execute("SELECT pg_reload_conf()");
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(
          "cannot secure the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  private void provision(List<String> services) {
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      for (String service : services) {
        String role = identifier(service);
        String password = Secrets.getOrCreate(dataDir, service + "-db-password");
        s.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                + role
                + "') THEN "
                + "CREATE ROLE "
                + role
                + " LOGIN; END IF; END $$");
        s.execute(
            "ALTER ROLE "
                + role
                + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD "
                + literal(password));
        boolean exists;
        try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + role + "'")) {
          exists = rs.next();
        }
        if (!exists) {
          s.execute("CREATE DATABASE " + role + " OWNER " + role);
        }
        // Database per service: nobody but the owner may even connect.
        s.execute("REVOKE ALL ON DATABASE " + role + " FROM PUBLIC");
        s.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + role + " TO " + role);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot provision service databases: " + e.getMessage(), e);
    }
  }

  private static String identifier(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a safe SQL identifier: " + name);
    }
    return name;
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * The server's socket goes in its own data directory (mode 0700: only this user reaches it, and
   * still with a password). Only on Linux x86-64, the one platform whose native transport the
   * launcher ships (without it Vert.x cannot use the socket), and only when the path fits a
   * Unix-domain socket; otherwise the server listens on TCP only, as before.
   */
  private static String socketDir(Path dataDir, int port) {
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "";
    }
    String dir = dataDir.resolve("pg").toAbsolutePath().normalize().toString();
    if (!DbSettings.socketPathFits(dir, port)) {
      LOG.info(
          "the data directory's path is too long for a Unix-domain socket; services connect over TCP");
      return "";
    }
    return dir;
  }

  private static String runningSocketDir(Path dataDir) {
    try {
      return new JsonObject(Files.readString(dataDir.resolve("postgres.json")))
          .getString("socketDir", "");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The port of a live server on this data directory, or null. */
  private static Integer runningPort(Path dataDir) {
    Path state = dataDir.resolve("postgres.json");
    if (!Files.exists(dataDir.resolve("pg").resolve("postmaster.pid")) || !Files.exists(state)) {
      return null;
    }
    try {
      int port = new JsonObject(Files.readString(state)).getInteger("port");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, port), 500);
        return port;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static int choosePort(Path dataDir) throws IOException {
    Path state = dataDir.resolve("postgres.json");
    if (Files.exists(state)) {
      int previous = new JsonObject(Files.readString(state)).getInteger("port");
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(HOST, previous));
        return previous;
      } catch (IOException busy) {
        LOG.info("port {} is taken; the embedded PostgreSQL moves to a free one", previous);
      }
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(HOST, 0));
      return probe.getLocalPort();
    }
  }
}
