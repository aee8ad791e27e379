package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.config.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL on a host of its own in a {@link Lab}: the project's embedded binaries run as a
 * standalone server listening on that host's address, which the services reach over the lab network
 * as they would reach an external database.
 *
 * <p>The server is made and provisioned exactly as {@code up} makes it ({@link
 * EmbeddedDatabase#start}: initdb, SCRAM passwords, one database and one login role per service,
 * each role's password in a file), on loopback in the root namespace; then it is stopped and its
 * data directory served again from the lab host, with the lab's subnet let in by pg_hba.conf.
 *
 * <p>TODO(issue 14): provision the server on the host with {@code java -jar launcher.jar db-init}
 * once that command exists, instead of borrowing the dev provisioning.
 */
public final class LabDatabase implements AutoCloseable {
  public static final int PORT = 5432;
  private static final Duration READY = Duration.ofSeconds(60);
  private final LabHost host;
  private final Path dataDir;
  private final Process server;
  private final Path log;

  private LabDatabase(LabHost host, Path dataDir, Process server, Path log) {
    this.host = host;
    this.dataDir = dataDir;
    this.server = server;
    this.log = log;
  }

  /** Provisions a server and starts it on {@code host}, open to the lab's network {@code cidr}. */
  public static LabDatabase start(LabHost host, String cidr) {
    Path dataDir = host.dir().resolve("db");
    Path binary;
    EmbeddedDatabase provisioned = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
    try {
      // The postgres the embedded start unpacked and ran: the same binary serves the lab host.
      binary = postgresBinary(provisioned.serverPid());
    } finally {
      provisioned.close();
    }
    allow(dataDir.resolve("pg").resolve("pg_hba.conf"), cidr);
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
                // A test's data: durability would only cost the 2-core box time.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off"),
            log);
    LabDatabase db = new LabDatabase(host, dataDir, server, log);
    try {
      db.awaitAccepting();
    } catch (RuntimeException | Error e) {
      db.close();
      throw e;
    }
    return db;
  }

  public LabHost host() {
    return host;
  }

  /** The file holding {@code service}'s database password, as an operator would hand it over. */
  public Path passwordFile(String service) {
    return Secrets.dbPasswordFile(dataDir, service);
  }

  /** JDBC to the services' own databases over the lab network, as each service's role. */
  public Db db() {
    return Db.at(host.address(), PORT, dataDir);
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

  private void awaitAccepting() {
    long deadline = System.nanoTime() + READY.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new AssertionError("PostgreSQL on " + host + " exited; see " + log);
      }
      try (Connection c = db().connect(Services.ORDERS, Services.ORDERS)) {
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

  private static Path postgresBinary(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().command())
        .map(Path::of)
        .orElseThrow(() -> new IllegalStateException("cannot find the binary of postgres " + pid));
  }

  private static void allow(Path hba, String cidr) {
    try {
      Files.writeString(
          hba, "host    all all " + cidr + "  scram-sha-256\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + hba + " to the lab network", e);
    }
  }
}
