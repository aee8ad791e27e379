package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.launcher.DevTls;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL on a host of its own in a {@link Lab}, made ready as an operator makes an external
 * one: a bare server with TLS, provisioned by {@code db-init} from another host.
 *
 * <p>{@link #start}: the project's embedded binaries initialise a server that knows nothing of
 * microshop (a superuser with a password, SCRAM, no service database or role, as {@link
 * StandaloneServer}), which is then served from the lab host on its address with TLS on. Its
 * certificate names that address and is signed by a lab CA ({@link #caFile()}); pg_hba.conf lets in
 * only TLS connections from the lab's /24, each with a password, so a plaintext login is refused.
 *
 * <p>{@link #provisionFrom}: {@code java -jar launcher.jar db-init} on another lab host, handed the
 * admin's password and the CA, reaching the server over the lab network with {@code verify-full}.
 * The service passwords it generates stay on that host's disk, and the environment it prints for
 * each service is what {@link LabSystem} starts that service with ({@link #env}).
 */
public final class LabDatabase implements AutoCloseable {
  public static final int PORT = 5432;
  private static final String ADMIN = "postgres";
  private static final String CERTIFICATE = "postgres";
  private static final String SUMMARY = "Start each service with this environment";
  private static final String EVERY_SERVICE = "every service";
  private static final Duration READY = Duration.ofSeconds(60);
  private static final Duration DB_INIT = Duration.ofSeconds(120);
  private final LabHost host;
  private final Path dataDir;
  private final Path pki;
  private final Process server;
  private final Path log;
  private Provisioned provisioned;

  /** What db-init left: the operator's files, its output, the environment it printed. */
  private record Provisioned(
      Path handedOver, List<String> output, Map<String, Map<String, String>> env) {}

  /**
   * A client's session on the server, as {@code pg_stat_activity} and {@code pg_stat_ssl} see it.
   */
  public record Session(String role, String database, String client, boolean ssl) {}

  private LabDatabase(LabHost host, Path dataDir, Path pki, Process server, Path log) {
    this.host = host;
    this.dataDir = dataDir;
    this.pki = pki;
    this.server = server;
    this.log = log;
  }

  /**
   * Starts a bare server with TLS on {@code host}, open to TLS logins from the lab's network {@code
   * cidr} only.
   */
  public static LabDatabase start(LabHost host, String cidr) {
    Path dataDir = host.dir().resolve("db");
    Path binary;
    EmbeddedDatabase bare = EmbeddedDatabase.start(dataDir, false, List.of());
    try {
      // The postgres the embedded start unpacked and ran: the same binary serves the lab host.
      binary = postgresBinary(bare.serverPid());
    } finally {
      bare.close();
    }
    // The certificate names the host's address (and loopback), which verify-full checks.
    Path pki = DevTls.ensure(host.dir().resolve("pki"), Set.of(CERTIFICATE), host.address());
    onlyTlsFrom(dataDir.resolve("pg").resolve("pg_hba.conf"), cidr);
    Path log = Path.of("target", "it-logs", "h" + host.number() + "-postgres.log").toAbsolutePath();
    Process server =
        host.exec(
            List.of(
                // PostgreSQL refuses to run as root, and the lab runs as root: in a user namespace
                // of its own the server is "nobody", as the embedded start runs it (zonky does
                // too).
                "unshare",
                "-U",
                binary.toString(),
                "-D",
                dataDir.resolve("pg").toString(),
                "-p",
                Integer.toString(PORT),
                "-c",
                "listen_addresses=" + host.address(),
                // TCP only: a socket file in the shared /tmp could meet another server's.
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=200",
                "-c",
                "ssl=on",
                "-c",
                "ssl_cert_file=" + pki.resolve(CERTIFICATE + ".pem"),
                "-c",
                "ssl_key_file=" + pki.resolve(CERTIFICATE + "-key.pem"),
                // A test's data: durability would only cost the 2-core box time.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off"),
            log);
    LabDatabase db = new LabDatabase(host, dataDir, pki, server, log);
    try {
      db.awaitAccepting();
    } catch (RuntimeException | Error e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * Runs {@code db-init} on {@code operator} as an operator would: handed the admin's password and
   * the CA (copied to that host's disk), with {@code MICROSHOP_DB_SSL_MODE=verify-full}, the
   * service passwords generated into that host's disk. Fails unless it exits 0 and prints an
   * environment for every service with a database.
   */
  public void provisionFrom(LabHost operator) {
    Path handedOver = operator.dir().resolve("db-operator");
    Path ca = handedOver.resolve("db-ca.pem");
    Path adminPassword = handedOver.resolve("admin-password");
    try {
      Files.createDirectories(handedOver);
      Files.copy(caFile(), ca, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(adminPasswordFile(), adminPassword, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hand the database's secrets to " + operator, e);
    }
    Map<String, String> env = new TreeMap<>();
    env.put(Settings.CONFIG_DIR_ENV, TestEnv.repoRoot().resolve("config").toString());
    env.put("MICROSHOP_DATA_DIR", handedOver.resolve("data").toString());
    env.put("MICROSHOP_DB_INIT_ADMIN_URL", adminUrl());
    env.put("MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE", adminPassword.toString());
    env.put("MICROSHOP_DB_INIT_SECRETS_DIR", handedOver.resolve("secrets").toString());
    env.put("MICROSHOP_DB_SSL_MODE", "verify-full");
    env.put("MICROSHOP_DB_SSL_CA_FILE", ca.toString());
    ServiceProcess dbInit = operator.java(env, "db-init");
    int exit = dbInit.awaitExit(DB_INIT);
    dbInit.close();
    if (exit != 0) {
      throw new AssertionError(
          "db-init on " + operator + " exited " + exit + "; output:\n" + dbInit.output());
    }
    provisioned = new Provisioned(handedOver, dbInit.lines(), environments(dbInit.lines()));
  }

  public LabHost host() {
    return host;
  }

  /** The lab CA's certificate, which signed the server's: what verify-full checks against. */
  public Path caFile() {
    return pki.resolve("ca.pem");
  }

  /** The superuser's login for db-init, at this host's address. */
  public String adminUrl() {
    return "postgresql://" + ADMIN + "@" + host.address() + ":" + PORT + "/postgres";
  }

  /** What db-init printed, line by line. */
  public List<String> dbInitOutput() {
    return provisioned().output();
  }

  /**
   * The database settings db-init printed for {@code service}: those for every service (host, port,
   * TLS) and its own (its password file). Exactly what the service is started with.
   */
  public Map<String, String> env(String service) {
    Map<String, Map<String, String>> printed = provisioned().env();
    Map<String, String> own = printed.get(service);
    if (own == null || !printed.containsKey(EVERY_SERVICE)) {
      throw new IllegalStateException(
          "db-init printed no environment for " + service + ": " + provisioned().output());
    }
    Map<String, String> env = new TreeMap<>(printed.get(EVERY_SERVICE));
    env.putAll(own);
    return env;
  }

  /**
   * JDBC to the services' own databases over the lab network, as each service's role (with the
   * password db-init generated), verify-full against the lab CA.
   */
  public Db db() {
    return Db.at(host.address(), PORT, provisioned().handedOver(), tlsParameters());
  }

  /** A JDBC URL of {@code database} on this server with these URL {@code parameters}. */
  public String url(String database, String parameters) {
    return Db.url(host.address(), PORT, database) + "?" + parameters;
  }

  /** pgjdbc's parameters for verify-full against the lab CA. */
  public String tlsParameters() {
    return "sslmode=verify-full&sslrootcert="
        + URLEncoder.encode(caFile().toString(), StandardCharsets.UTF_8);
  }

  /** The password db-init generated for {@code service}'s role, from the file it named. */
  public String password(String service) {
    Path file = Path.of(env(service).get(Settings.envName(service, "db.passwordFile")));
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every client session on the server but the one asking, read as the superuser. */
  public List<Session> sessions() {
    String sql =
        """
        SELECT a.usename, a.datname, host(a.client_addr), s.ssl
        FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
        WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
        """;
    try (Connection c = superuser();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<Session> sessions = new ArrayList<>();
      while (rs.next()) {
        sessions.add(
            new Session(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
      }
      return sessions;
    } catch (SQLException e) {
      throw new AssertionError(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (!server.isAlive()) {
      return;
    }
    // SIGINT is PostgreSQL's fast shutdown: sessions are cut, the data is left consistent.
    Commands.tryRun("kill", "-s", "INT", Long.toString(server.pid()));
    try {
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
    }
  }

  private Provisioned provisioned() {
    if (provisioned == null) {
      throw new IllegalStateException("the lab database is not provisioned: call provisionFrom");
    }
    return provisioned;
  }

  private Path adminPasswordFile() {
    return dataDir.resolve("secrets").resolve("postgres-password");
  }

  private Connection superuser() throws SQLException {
    String password;
    try {
      password = Files.readString(adminPasswordFile()).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Db.connect(url("postgres", tlsParameters()), ADMIN, password);
  }

  private void awaitAccepting() {
    long deadline = System.nanoTime() + READY.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("PostgreSQL on " + host + " exited; see " + log);
      }
      try (Connection c = superuser()) {
        if (c.isValid(2)) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      Lab.sleep(200);
    }
    throw new AssertionError(
        "PostgreSQL on " + host + " not accepting within " + READY + "; see " + log, last);
  }

  /**
   * The environment db-init's summary prints: {@value #EVERY_SERVICE} and each service, to their
   * {@code NAME=value} settings. Lines are read only after the summary's heading and only for those
   * labels, so a log line in between is skipped.
   */
  static Map<String, Map<String, String>> environments(List<String> output) {
    Map<String, Map<String, String>> env = new LinkedHashMap<>();
    boolean inSummary = false;
    for (String line : output) {
      if (line.startsWith(SUMMARY)) {
        inSummary = true;
        continue;
      }
      if (!inSummary || !line.startsWith("  ")) {
        continue;
      }
      String text = line.strip();
      String label =
          text.startsWith(EVERY_SERVICE + " ") ? EVERY_SERVICE : text.split("\\s+", 2)[0];
      if (!label.equals(EVERY_SERVICE) && !Services.WITH_DATABASE.contains(label)) {
        continue;
      }
      Map<String, String> settings = new TreeMap<>();
      for (String setting : text.substring(label.length()).strip().split("\\s+")) {
        int eq = setting.indexOf('=');
        if (eq <= 0) {
          throw new IllegalStateException("not NAME=value in db-init's summary: " + line);
        }
        settings.put(setting.substring(0, eq), setting.substring(eq + 1));
      }
      env.put(label, settings);
    }
    return env;
  }

  private static Path postgresBinary(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().command())
        .map(Path::of)
        .orElseThrow(() -> new IllegalStateException("cannot find the binary of postgres " + pid));
  }

  /**
   * pg_hba.conf with one line: TLS from the lab's network, with a password. Nothing else gets in:
   * no plaintext connection, no other address (the server listens on the lab address only).
   */
  private static void onlyTlsFrom(Path hba, String cidr) {
    try {
      Files.writeString(
          hba,
          "# The lab: TLS connections from the lab's network, each with a password (SCRAM).\n"
              + "hostssl all all "
              + cidr
              + "  scram-sha-256\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + hba + " to the lab network", e);
    }
  }
}
