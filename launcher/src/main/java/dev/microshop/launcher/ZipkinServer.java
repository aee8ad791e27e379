package dev.microshop.launcher;

import dev.microshop.platform.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The trace backend of {@code up --tracing}: Zipkin's own server (an executable jar from Maven
 * Central, which the build copies beside the launcher jar), run as a child process like the
 * embedded PostgreSQL, with its spans in memory, on 127.0.0.1 only. Every service JVM then exports
 * to it and its UI shows an order as one trace.
 */
final class ZipkinServer implements AutoCloseable {
  static final String JAR = "zipkin-server.jar";
  private final Process process;
  private final int port;

  private ZipkinServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts it and waits until its health check answers. The jar is {@code up.zipkinJar}, or {@code
   * zipkin-server.jar} beside the launcher jar; a missing one is a config error naming the setting.
   */
  static ZipkinServer start(String configuredJar, int port, Path log, Duration timeout)
      throws IOException {
    Path jar = configuredJar.isBlank() ? besideLauncher() : Path.of(configuredJar);
    if (!Files.isRegularFile(jar)) {
      throw new ConfigException(
          "up.zipkinJar",
          "no Zipkin server at "
              + jar.toAbsolutePath()
              + " (the build copies it beside launcher.jar: ./mvnw package; or set"
              + " MICROSHOP_UP_ZIPKIN_JAR to an io.zipkin:zipkin-server:3.5.1:exec jar)");
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Child.javaBinary(),
                    "-Xmx192m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-jar",
                    jar.toString(),
                    // Loopback only: its API and UI take anyone's spans and show them to anyone.
                    "--armeria.ports[0].ip=127.0.0.1",
                    "--armeria.ports[0].port=" + port,
                    "--armeria.ports[0].protocols[0]=http"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("STORAGE_TYPE", "mem");
    ZipkinServer server = new ZipkinServer(builder.start(), port);
    if (!server.awaitHealthy(timeout)) {
      server.close();
      throw new IOException(
          "Zipkin did not answer on 127.0.0.1:" + port + " within " + timeout + "; see " + log);
    }
    return server;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Where the services post their spans. */
  String spansEndpoint() {
    return "http://127.0.0.1:" + port + "/api/v2/spans";
  }

  /** Its UI, where a trace is looked up by id or found by service and duration. */
  String ui() {
    return "http://127.0.0.1:" + port + "/zipkin/";
  }

  private boolean awaitHealthy(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      sleep(250);
    }
    return false;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static Path besideLauncher() {
    return Path.of(Child.ownJar()).resolveSibling(JAR);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
