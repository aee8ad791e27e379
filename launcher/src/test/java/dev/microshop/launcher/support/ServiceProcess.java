package dev.microshop.launcher.support;

import dev.microshop.platform.service.Node;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real JVM started from the built launcher jar: {@code java -jar launcher.jar <args>}, run from
 * the repo root. Its output is kept (and echoed with a prefix) so tests can read readiness lines,
 * spans and errors.
 */
public final class ServiceProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final CompletableFuture<JsonObject> ready = new CompletableFuture<>();
  private final Thread pump;

  private ServiceProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.pump = new Thread(this::pump, name + "-output");
    pump.setDaemon(true);
    pump.start();
  }

  public static ServiceProcess start(Map<String, String> env, String... args) {
    return start(List.of(), String.join("+", args), env, args);
  }

  /**
   * The same JVM on a host of a {@link Lab}: {@code ip netns exec} runs it in that network
   * namespace and execs in place, so {@link #pid()} is still the JVM's own. {@code label} (the
   * host) prefixes its log file.
   */
  public static ServiceProcess startIn(
      String namespace, String label, Map<String, String> env, String... args) {
    return start(
        List.of("ip", "netns", "exec", namespace), label + "-" + String.join("+", args), env, args);
  }

  private static ServiceProcess start(
      List<String> prefix, String name, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            javaBinary(),
            "-XX:+UseSerialGC",
            "-Xmx256m",
            // C1 only: a test JVM lives a minute, and C2 compiling for every one of a dozen JVMs
            // on two cores cost more than it gave back (the lab class: 260 s with it, 218 s
            // without).
            "-XX:TieredStopAtLevel=1",
            "-jar",
            TestEnv.jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(TestEnv.repoRoot().toFile())
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("MICROSHOP_"));
    builder.environment().putAll(env);
    try {
      return new ServiceProcess(name, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the node's ready line and returns it (management URL, endpoints, node id). */
  public JsonObject awaitReady(Duration timeout) {
    try {
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      close();
      throw new AssertionError(
          name + " did not become ready within " + timeout + "; output:\n" + output(), e);
    }
  }

  /**
   * Waits for a line of output that matches, e.g. the summary {@code up} prints once everything is
   * ready.
   */
  public String awaitLine(java.util.function.Predicate<String> matching, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : lines) {
        if (matching.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        break;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError(
        name + ": no matching line within " + timeout + "; output:\n" + output());
  }

  public String managementUrl() {
    return ready.join().getString("management");
  }

  public String gatewayUrl() {
    return ready.join().getJsonObject("endpoints").getString("gateway");
  }

  public String nodeId() {
    return ready.join().getString("nodeId");
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public void kill9() {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  /** SIGSTOP: the JVM hangs, its sockets stay open and nothing answers (a long GC pause). */
  public void freeze() {
    Commands.run("kill", "-STOP", Long.toString(pid()));
  }

  /** SIGCONT after {@link #freeze()}. */
  public void thaw() {
    Commands.run("kill", "-CONT", Long.toString(pid()));
  }

  /** SIGTERM, as an orchestrator stops a container. */
  public void terminate() {
    // Through the handle: Process.destroy() would also close our end of its output, losing the
    // shutdown logs.
    process.toHandle().destroy();
  }

  /** The exit code, or -1 if it did not exit in time. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return -1;
      }
      pump.join(5000); // the last lines may still be in the pipe
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public String output() {
    return String.join("\n", lines);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
  }

  /**
   * Keeps every line in memory and in target/it-logs/, one file per process, for a post-mortem. The
   * file is named after the arguments, cut to a length every file system takes; a file that cannot
   * be written costs the post-mortem copy, never the lines a test reads.
   */
  private void pump() {
    // An argument may be a path (verify --acknowledged /tmp/...): one file, not a directory tree.
    String base = name.replace('/', '_');
    Path logFile =
        Path.of(
            "target",
            "it-logs",
            base.substring(0, Math.min(base.length(), 150)) + "-" + process.pid() + ".log");
    PrintWriter log = logWriter(logFile);
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
        if (log != null) {
          log.println(line);
          log.flush();
        }
        if (line.startsWith(Node.READY_MARKER)) {
          ready.complete(new JsonObject(line.substring(Node.READY_MARKER.length())));
        }
      }
    } catch (IOException e) {
      // process ended
    } finally {
      if (log != null) {
        log.close();
      }
    }
    ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready"));
  }

  private static PrintWriter logWriter(Path file) {
    try {
      Files.createDirectories(file.getParent());
      return new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      System.err.println("no post-mortem log " + file + ": " + e);
      return null;
    }
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
