package dev.microshop.launcher;

import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * One service JVM started by {@code up}: its process, its prefixed output (also kept in the
 * service's own log file), and whether it reported ready.
 */
final class Child {
  private final String service;
  private final List<String> jvmOptions;
  private final Map<String, String> env;
  private final ObjIntConsumer<Child> onExit;
  private final Consumer<Child> onReady;
  private final RollingLog log;
  private int restartsLeft;
  private volatile Process process;
  private volatile JsonObject readyLine;
  private volatile CountDownLatch ready = new CountDownLatch(1);
  private volatile boolean failed;

  Child(
      String service,
      List<String> jvmOptions,
      int maxRestarts,
      Map<String, String> env,
      RollingLog log,
      Consumer<Child> onReady,
      ObjIntConsumer<Child> onExit) {
    this.service = service;
    this.log = log;
    this.jvmOptions = jvmOptions;
    this.restartsLeft = maxRestarts;
    this.env = env;
    this.onReady = onReady;
    this.onExit = onExit;
  }

  synchronized void start() {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(ownJar());
    command.add(service);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Only what up chose for this service (see ChildEnvironment), not up's own environment.
    builder.environment().clear();
    builder.environment().putAll(env);
    // up is a dev command: its children run in dev mode whatever the settings say.
    builder.environment().put(Settings.envName(null, "dev"), "true");
    builder
        .environment()
        .put(ServiceRunner.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
    try {
      readyLine = null;
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + service, e);
    }
    Process started = process;
    Thread pump = new Thread(() -> pump(started), service + "-output");
    pump.setDaemon(true);
    pump.start();
    started.onExit().thenAccept(p -> onExit.accept(this, p.exitValue()));
  }

  /**
   * Copies the child's output (stdout and stderr) to the console and to its log file. The file is
   * written here, from the pipe, rather than by a logback file appender in the child: that way it
   * also holds what the JVM prints outside logback (an OutOfMemoryError, a fatal error report, an
   * exception that escapes main), which is what one opens the file for after a crash.
   */
  private void pump(Process from) {
    String prefix = String.format("[%-13s] ", service);
    log.append(String.format("microshop: %s started (pid %d)", service, from.pid()));
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        boolean marker = Up.isReadyLine(line);
        if (!marker) {
          log.append(line);
        }
        // The pipe is drained, or the service is ready: what came so far is for tail -F to see.
        if (marker || !lines.ready()) {
          log.flush();
        }
        if (marker) {
          readyLine = new JsonObject(line.substring(line.indexOf('{')));
          Up.say(
              "%s ready (pid %d, management %s)",
              service, from.pid(), readyLine.getString("management"));
          onReady.accept(this);
          ready.countDown();
        } else {
          System.out.println(prefix + line);
        }
      }
    } catch (IOException e) {
      // The child closed its output: it is exiting, and onExit reports that.
    }
    try {
      // After its last line, so a crash's file ends with how it ended (kill -9 prints nothing).
      log.append(
          String.format(
              "microshop: %s (pid %d) exited with code %d", service, from.pid(), from.waitFor()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.flush();
  }

  boolean awaitReady(long nanos) {
    try {
      return ready.await(Math.max(0, nanos), TimeUnit.NANOSECONDS) && !failed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void failStartup() {
    failed = true;
    ready.countDown();
  }

  boolean ready() {
    return readyLine != null;
  }

  synchronized boolean restartsLeft() {
    return restartsLeft-- > 0;
  }

  JsonObject readyLine() {
    return readyLine;
  }

  String service() {
    return service;
  }

  long pid() {
    return process.pid();
  }

  void terminate() {
    Process p = process;
    if (p != null && p.isAlive()) {
      // SIGTERM through the handle: Process.destroy() would also close the pipe and lose the
      // child's last logs.
      p.toHandle().destroy();
    }
  }

  boolean awaitExit(long millis) {
    try {
      return process == null || process.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void kill() {
    process.destroyForcibly();
  }

  /** The java this JVM runs on: children run on the same. */
  static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The launcher jar this JVM runs from. */
  static String ownJar() {
    try {
      return Path.of(Child.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the launcher jar", e);
    }
  }
}
