package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.platform.cluster.ClusterHost;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Secrets;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.service.ManagementPort;
import dev.microshop.platform.service.Node;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code up}: the embedded PostgreSQL, then one child JVM per service from this same jar. It prints
 * progress, then a table of PIDs and management URLs once every child reports ready. Each child
 * gets its service's management port and is listed in a Prometheus targets file while it runs. A
 * child that dies is restarted (a few times). SIGTERM / Ctrl-C stops every child gracefully, then
 * the database.
 */
final class Up {
  private static final Logger LOG = LoggerFactory.getLogger(Up.class);

  private final Map<String, String> env;
  private final List<Child> children = new CopyOnWriteArrayList<>();

  /**
   * Held while the database starts, so a stop that arrives meanwhile waits and then stops it too.
   */
  private final Object dbLock = new Object();

  private EmbeddedDatabase db;
  private Path upPidFile;
  private FileChannel lockChannel;
  private DevCluster devCluster;
  private Map<String, Integer> managementPorts;
  private PrometheusTargets targets;
  private ZipkinServer zipkin;
  private volatile boolean stopping;

  Up(Map<String, String> env) {
    this.env = env;
  }

  /** {@code up --tracing}: {@code env} with {@code up.tracing} on. */
  static Map<String, String> withTracing(Map<String, String> env) {
    Map<String, String> with = new LinkedHashMap<>(env);
    with.put(Settings.envName(null, "up.tracing"), "true");
    return with;
  }

  int run() {
    JsonObject config = Settings.load("up", env);
    for (String service : Services.ALL) {
      ClusterHost.requirePrivate(Settings.load(service, env));
    }
    // up is a dev command (its children run in dev mode): its own lines are text by default too.
    Logging.init(config.copy().put("dev", true));
    long started = System.nanoTime();
    Path dataDir = Path.of(config.getString("dataDir")).toAbsolutePath().normalize();
    CountDownLatch done = new CountDownLatch(1);
    // Installed before anything starts, so a Ctrl-C during start-up still stops what did start.
    Signals.onTermination(
        () -> {
          stopAll();
          done.countDown();
        });
    if (!startDatabase(config, dataDir, started)) {
      return stopping ? 0 : 1;
    }
    JsonObject up = config.getJsonObject("up");
    if (up.getBoolean("tracing") && !startZipkin(up, dataDir)) {
      stopAll();
      return 1;
    }
    if (!startServices(up, dataDir)) {
      return 1;
    }
    if (!awaitReady(up.getInteger("readyTimeoutSeconds"))) {
      System.err.println("microshop: not every service became ready; stopping");
      stopAll();
      return 1;
    }
    printSummary(started, dataDir);
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Claims this installation and data directory, then starts PostgreSQL; false when it did not
   * (already said why, or a stop came first). A config error propagates: it exits 2.
   */
  private boolean startDatabase(JsonObject config, Path dataDir, long started) {
    try {
      // A JVM of another installation is refused before anything is written; then one up per data
      // directory; then the public port, which would otherwise fail only after every other service
      // has started.
      devCluster = DevCluster.claim(config, true, ProcessHandle.current().pid());
      refuseIfRunning(dataDir);
      Preflight.gateway(Settings.load(Services.GATEWAY, env), false);
      Preflight.payments(Settings.load(Services.PAYMENTS, env));
      Preflight.zipkin(config.getJsonObject("up"));
      managementPorts = ManagementPorts.plan(env);
      claim(dataDir);
      targets = new PrometheusTargets(dataDir);
      targets.reset();
      Secrets.tightenAll(dataDir);
      say("settings from %s", Settings.source(env));
      say("starting PostgreSQL (data in %s)", dataDir);
      synchronized (dbLock) {
        if (stopping) {
          return false;
        }
        db =
            EmbeddedDatabase.start(
                dataDir, config.getJsonObject("db").getBoolean("durable"), Services.WITH_DATABASE);
      }
      say(
          "PostgreSQL ready on 127.0.0.1:%d in %.1f s; starting %d services",
          db.port(), seconds(started), Services.ALL.size());
      return true;
    } catch (ConfigException e) {
      release();
      throw e;
    } catch (RuntimeException | IOException e) {
      System.err.println("microshop: cannot start: " + e.getMessage());
      release();
      return false;
    }
  }

  /** Starts Zipkin for {@code up --tracing}; false when it did not (already said why). */
  private boolean startZipkin(JsonObject up, Path dataDir) {
    long started = System.nanoTime();
    say("starting Zipkin on 127.0.0.1:%d (traces in memory)", up.getInteger("zipkinPort"));
    try {
      zipkin =
          ZipkinServer.start(
              up.getString("zipkinJar"),
              up.getInteger("zipkinPort"),
              logFile(dataDir, "zipkin"),
              Duration.ofSeconds(up.getInteger("readyTimeoutSeconds")));
      say("Zipkin ready in %.1f s", seconds(started));
      return true;
    } catch (IOException e) {
      System.err.println("microshop: cannot start Zipkin: " + e.getMessage());
      return false;
    }
  }

  /**
   * Starts a child per service, each with its own environment; false (everything stopped) when one
   * cannot be prepared. A config error propagates: it exits 2.
   */
  private boolean startServices(JsonObject up, Path dataDir) {
    List<String> jvmOptions = new ArrayList<>();
    up.getJsonArray("jvmOptions").forEach(option -> jvmOptions.add(String.valueOf(option)));
    // One class-data archive for all six (built with the jar), when there is one.
    jvmOptions.addAll(ClassDataSharing.options(up.getBoolean("cds")));
    jvmOptions.addAll(NativeHeapTrim.options(up.getBoolean("trimNativeHeap")));
    long logBytes = up.getInteger("logFileMaxMb") * 1024L * 1024L;
    for (String service : Services.ALL) {
      if (stopping) {
        break;
      }
      Map<String, String> own;
      try {
        Map<String, String> provided =
            new LinkedHashMap<>(ChildEnvironment.provided(service, env, db, dataDir));
        // The port checked above, given again on every restart (see ManagementPorts).
        provided.put(
            Settings.envName(service, ManagementPort.KEY),
            Integer.toString(managementPorts.get(service)));
        if (zipkin != null) {
          // Every service sends its spans to the Zipkin up started; dev records every trace.
          provided.put(Settings.envName(service, "tracing.exporter"), "zipkin");
          provided.put(Settings.envName(service, "tracing.zipkinEndpoint"), zipkin.spansEndpoint());
        }
        own = ChildEnvironment.of(service, ChildEnvironment.keys(service, env), env, provided);
      } catch (ConfigException e) {
        stopAll();
        throw e;
      } catch (RuntimeException e) {
        System.err.println("microshop: cannot start " + service + ": " + e.getMessage());
        stopAll();
        return false;
      }
      RollingLog log =
          new RollingLog(logFile(dataDir, service), logBytes, up.getInteger("logFilesKept"));
      // A service's own options come after the common ones, so its -Xmx (users' hashing) wins.
      List<String> options = new ArrayList<>(jvmOptions);
      up.getJsonObject("serviceJvmOptions", new JsonObject())
          .getJsonArray(service, new JsonArray())
          .forEach(option -> options.add(String.valueOf(option)));
      Child child =
          new Child(
              service,
              options,
              up.getInteger("maxRestarts"),
              own,
              log,
              this::onReady,
              this::onExit);
      children.add(child);
      child.start();
    }
    return true;
  }

  /** Where a service's output goes besides the console: {@code tail -F} follows one service. */
  static Path logFile(Path dataDir, String service) {
    return dataDir.resolve("logs").resolve(service + ".log");
  }

  private boolean awaitReady(int timeoutSeconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (Child child : children) {
      long left = deadline - System.nanoTime();
      if (!child.awaitReady(left) || stopping) {
        return false;
      }
    }
    return true;
  }

  private void onReady(Child child) {
    targets.ready(child.service(), child.readyLine());
  }

  private void onExit(Child child, int code) {
    targets.exited(child.service(), child.pid());
    if (stopping) {
      return;
    }
    if (!child.ready()) {
      System.err.printf(
          "microshop: %s exited with code %d before it was ready%n", child.service(), code);
      child.failStartup();
      return;
    }
    if (child.restartsLeft()) {
      say("%s (pid %d) exited with code %d; restarting it", child.service(), child.pid(), code);
      child.start();
    } else {
      say(
          "%s exited with code %d and has restarted too often; leaving it down",
          child.service(), code);
    }
  }

  private void printSummary(long started, Path dataDir) {
    StringBuilder table = new StringBuilder();
    table.append(String.format("%nmicroshop is up in %.1f s%n", seconds(started)));
    table.append(
        String.format(
            "  %-14s %-8s %s%n", "service", "pid", "management (/health/ready, /metrics)"));
    String gateway = null;
    for (Child child : children) {
      JsonObject ready = child.readyLine();
      table.append(
          String.format(
              "  %-14s %-8d %s%n", child.service(), child.pid(), ready.getString("management")));
      gateway = ready.getJsonObject("endpoints", new JsonObject()).getString("gateway", gateway);
    }
    table.append(
        String.format(
            "  %-14s %-8d 127.0.0.1:%d (embedded PostgreSQL)%n",
            "postgres", db.serverPid(), db.port()));
    if (zipkin != null) {
      table.append(
          String.format(
              "  %-14s %-8d %s (traces: find one by service, or paste a trace id)%n",
              "zipkin", zipkin.pid(), zipkin.ui()));
    }
    table.append(String.format("%n  gateway: %s   try: curl %s/v1/status%n", gateway, gateway));
    table.append(
        String.format(
            "  logs: %s   follow one: tail -F %s%n",
            logFile(dataDir, "<service>"), logFile(dataDir, Services.ORDERS)));
    table.append(
        String.format(
            "  Prometheus targets (file_sd): %s   Prometheus config: deploy/monitoring/prometheus.yml%n",
            targets.file()));
    table.append(String.format("  Ctrl-C stops everything.%n"));
    System.out.print(table);
    System.out.flush();
  }

  private synchronized void stopAll() {
    if (stopping) {
      return;
    }
    stopping = true;
    say("stopping %d services", children.size());
    children.forEach(Child::terminate);
    for (Child child : children) {
      if (!child.awaitExit(20_000)) {
        say("%s did not stop within 20 s; killing it", child.service());
        child.kill();
      }
    }
    if (targets != null) {
      targets.reset();
    }
    if (zipkin != null) {
      say("stopping Zipkin");
      zipkin.close();
    }
    synchronized (dbLock) {
      if (db != null) {
        say("stopping PostgreSQL");
        db.close();
      }
    }
    release();
    say("stopped");
  }

  /**
   * One {@code up} per data directory: a lock the OS drops when the process dies, so a killed
   * {@code up} never blocks the next one, and a refused {@code up} never touches the files of the
   * one that runs. Only the holder stops a database left behind.
   */
  private void claim(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path pidFile = dataDir.resolve("up.pid");
    lockChannel =
        FileChannel.open(
            dataDir.resolve("up.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = lockChannel.tryLock(); // held until the channel closes
    if (lock == null) {
      lockChannel.close();
      lockChannel = null;
      throw alreadyRunning(dataDir);
    }
    upPidFile = pidFile;
    Files.writeString(upPidFile, Long.toString(ProcessHandle.current().pid()));
    EmbeddedDatabase.stopOrphan(dataDir);
  }

  /**
   * Refuses at once, writing nothing, when an up holds this data directory (the claim below still
   * decides).
   */
  private static void refuseIfRunning(Path dataDir) throws IOException {
    Path lockFile = dataDir.resolve("up.lock");
    if (!Files.exists(lockFile)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        throw alreadyRunning(dataDir);
      }
      probe.release();
    }
  }

  private static ConfigException alreadyRunning(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("up.pid");
    String pid = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "unknown";
    return ConfigException.refusal(
        "dataDir",
        "already running from "
            + dataDir
            + " (pid "
            + pid
            + "); stop it first (Ctrl-C there, or kill "
            + pid
            + ")");
  }

  /**
   * Gives up what {@link #claim} took; a refused {@code up} took nothing, so this leaves the
   * running one alone.
   */
  private void release() {
    if (devCluster != null) {
      devCluster.release();
    }
    try {
      if (upPidFile != null) {
        Files.deleteIfExists(upPidFile);
      }
      if (lockChannel != null) {
        lockChannel.close(); // releases the lock
      }
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", upPidFile, e.getMessage());
    }
  }

  static void say(String format, Object... args) {
    System.out.println("microshop: " + String.format(format, args));
    System.out.flush();
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  static boolean isReadyLine(String line) {
    return line.startsWith(Node.READY_MARKER);
  }
}
