package dev.microshop.devdb;

import dev.microshop.platform.db.DbSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How dev mode runs the PostgreSQL process: its settings, its log, its socket. */
final class PostgresServer {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);

  private PostgresServer() {}

  /** Starts the server on {@code dataDir}/pg, creating it (initdb) the first time. */
  static EmbeddedPostgres start(
      Path dataDir, int port, String socketDir, String superPassword, boolean durable)
      throws IOException {
    ProcessBuilder.Redirect log =
        ProcessBuilder.Redirect.appendTo(dataDir.resolve("postgres.log").toFile());
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir.resolve("pg"))
            .setCleanDataDirectory(false)
            .setPort(port)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setRegisterShutdownHook(false)
            .setConnectConfig("password", superPassword)
            .setServerConfig("listen_addresses", EmbeddedDatabase.HOST)
            .setServerConfig("max_connections", "200")
            .setServerConfig("unix_socket_directories", socketDir)
            // Six databases share one autovacuum launcher; at the default 60 s a busy outbox
            // piles up dead rows.
            .setServerConfig("autovacuum_naptime", "10s")
            // Six small development databases: 32 MB of buffers hold what they touch (128 MB,
            // the default, was never filled but counted wherever pages were touched), and the
            // OS page cache holds the rest without counting against up's footprint.
            .setServerConfig("shared_buffers", "32MB")
            .setOutputRedirector(log)
            .setErrorRedirector(log);
    // zonky runs postgres with fsync and synchronous_commit off: fine for tests, not for data a
    // user keeps.
    builder
        .setServerConfig("fsync", durable ? "on" : "off")
        .setServerConfig("synchronous_commit", durable ? "on" : "off")
        .setServerConfig("full_page_writes", durable ? "on" : "off");
    return builder.start();
  }

  /**
   * The server's socket goes in its own data directory (mode 0700: only this user reaches it, and
   * still with a password). Only on Linux x86-64 and arm64, the platforms whose native transport
   * the launcher ships (without it Vert.x cannot use the socket), and only when the path fits a
   * Unix-domain socket; otherwise the server listens on TCP only. A service on NIO
   * (nativeTransport=false) connects over TCP even when the socket is there.
   */
  static String socketDir(Path dataDir, int port) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.startsWith("linux") || !List.of("amd64", "x86_64", "aarch64").contains(arch)) {
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
}
