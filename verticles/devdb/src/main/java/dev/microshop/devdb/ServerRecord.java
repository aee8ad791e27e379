package dev.microshop.devdb;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a data directory says about its server: {@code postgres.json} (port, socket directory, the
 * JVM that started it) and PostgreSQL's own {@code postmaster.pid}. Later JVMs read it to attach,
 * and a new start to tell a server left behind (owner dead) from a live one.
 */
final class ServerRecord {
  private static final Logger LOG = LoggerFactory.getLogger(ServerRecord.class);

  private ServerRecord() {}

  static void write(Path dataDir, int port, String socketDir) throws IOException {
    Files.writeString(
        state(dataDir),
        new JsonObject()
            .put("port", port)
            .put("socketDir", socketDir)
            .put("ownerPid", ProcessHandle.current().pid())
            .encode());
  }

  static boolean exists(Path dataDir) {
    return Files.exists(state(dataDir));
  }

  static long ownerPid(Path dataDir) {
    try {
      return new JsonObject(Files.readString(state(dataDir))).getLong("ownerPid", -1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(postmasterPidFile(dataDir)).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static String runningSocketDir(Path dataDir) {
    try {
      return new JsonObject(Files.readString(state(dataDir))).getString("socketDir", "");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The port of a live server on this data directory, or null. */
  static Integer runningPort(Path dataDir) {
    Path state = state(dataDir);
    if (!Files.exists(postmasterPidFile(dataDir)) || !Files.exists(state)) {
      return null;
    }
    try {
      int port = new JsonObject(Files.readString(state)).getInteger("port");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(EmbeddedDatabase.HOST, port), 500);
        return port;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The port the server had before, so clients keep their settings, unless it is taken now. */
  static int choosePort(Path dataDir) throws IOException {
    Path state = state(dataDir);
    if (Files.exists(state)) {
      int previous = new JsonObject(Files.readString(state)).getInteger("port");
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(EmbeddedDatabase.HOST, previous));
        return previous;
      } catch (IOException busy) {
        LOG.info("port {} is taken; the embedded PostgreSQL moves to a free one", previous);
      }
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(EmbeddedDatabase.HOST, 0));
      return probe.getLocalPort();
    }
  }

  private static Path state(Path dataDir) {
    return dataDir.resolve("postgres.json");
  }

  private static Path postmasterPidFile(Path dataDir) {
    return dataDir.resolve("pg").resolve("postmaster.pid");
  }
}
