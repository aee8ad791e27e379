package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.ChaosOptions.Action;
import dev.microshop.launcher.ChaosTargets.Instance;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code chaos}: at a schedule, kills, freezes or restarts instances of a running system, found
 * through its own status report, and prints what it did with timestamps. A process it froze is
 * always let go again, at the end of its freeze, at the end of the run, or when chaos is stopped.
 */
final class ChaosCommand {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private final ChaosOptions options;
  private final ChaosTargets targets;
  private final Random random;
  private final Map<Long, Long> frozenUntil = new ConcurrentHashMap<>();
  private final List<String> done = new ArrayList<>();

  private ChaosCommand(ChaosOptions options) {
    this.options = options;
    this.targets = new ChaosTargets(options.gateway(), options.adminPasswordFile());
    this.random = new Random(options.seed());
  }

  static int run(String[] args, Map<String, String> env) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(ChaosOptions.USAGE);
        return 0;
      }
    }
    JsonObject gateway = Settings.load(Services.GATEWAY, env);
    JsonObject http = gateway.getJsonObject("http");
    ChaosOptions options =
        ChaosOptions.parse(
            args,
            "http://" + http.getString("host") + ":" + http.getInteger("port"),
            Path.of(gateway.getString("dataDir"), "secrets", "admin-password"));
    return new ChaosCommand(options).run();
  }

  private int run() {
    Thread release = new Thread(this::releaseAll, "chaos-release");
    Runtime.getRuntime().addShutdownHook(release);
    say(
        "chaos: %s every %d ms for %d s on %s (seed %d)",
        options.action().name().toLowerCase(),
        options.every().toMillis(),
        options.duration().toSeconds(),
        options.gateway(),
        options.seed());
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    long next = start + options.every().toNanos();
    try {
      while (next <= end) {
        sleepUntil(next);
        strike();
        next += options.every().toNanos();
      }
      sleepUntil(Math.min(end, System.nanoTime()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      releaseAll();
    }
    say("chaos: done, %d actions", done.size());
    done.forEach(line -> System.out.println("  " + line));
    return 0;
  }

  /** One tick: read the status, pick, act; a status that cannot be read skips the tick. */
  private void strike() throws InterruptedException {
    thawDue();
    List<Instance> instances;
    try {
      instances = targets.instances();
    } catch (IOException | RuntimeException e) {
      say("chaos: skipped a tick: the status report cannot be read (%s)", e.getMessage());
      return;
    }
    // Among the services with an instance to act on: one still restarting from the last tick is
    // not in the report, and picking it would waste the tick.
    List<Instance> running =
        instances.stream()
            .filter(i -> options.candidates().contains(i.service()))
            .filter(i -> !frozenUntil.containsKey(i.pid()))
            .toList();
    List<String> services = running.stream().map(Instance::service).distinct().toList();
    if (services.isEmpty()) {
      say(
          "chaos: skipped a tick: no running instance of %s in the status report",
          options.candidates());
      return;
    }
    String service = services.get(random.nextInt(services.size()));
    List<Instance> ofService = running.stream().filter(i -> i.service().equals(service)).toList();
    List<Instance> chosen =
        options.allInstances()
            ? ofService
            : List.of(ofService.get(random.nextInt(ofService.size())));
    for (Instance instance : chosen) {
      act(instance);
    }
  }

  private void act(Instance instance) {
    Action action = options.action();
    if (action == Action.ANY) {
      action = Action.values()[random.nextInt(Action.ANY.ordinal())];
    }
    var process = ChaosTargets.confirm(instance);
    if (process.isEmpty()) {
      say(
          "chaos: left pid %d alone: it is not a live %s JVM of this machine",
          instance.pid(), instance.service());
      return;
    }
    boolean sent =
        switch (action) {
          case KILL -> process.get().destroyForcibly();
          case RESTART -> process.get().destroy();
          case FREEZE -> signal("STOP", instance.pid());
          case ANY -> throw new IllegalStateException("chosen above");
        };
    if (sent && action == Action.FREEZE) {
      frozenUntil.put(instance.pid(), System.nanoTime() + options.freezeFor().toNanos());
    }
    String what =
        switch (action) {
          case KILL -> "kill -9";
          case RESTART -> "SIGTERM (restart)";
          case FREEZE -> "freeze for " + options.freezeFor().toMillis() + " ms";
          case ANY -> "";
        };
    String line =
        String.format(
            "%s %s %s pid %d%s",
            LocalTime.now().format(CLOCK),
            what,
            instance.service(),
            instance.pid(),
            sent ? "" : ": the signal was refused");
    done.add(line);
    System.out.println("chaos: " + line);
  }

  private void thawDue() {
    long now = System.nanoTime();
    frozenUntil.forEach(
        (pid, until) -> {
          if (until <= now) {
            thaw(pid);
          }
        });
  }

  private void releaseAll() {
    frozenUntil.keySet().forEach(this::thaw);
  }

  private void thaw(long pid) {
    if (frozenUntil.remove(pid) != null) {
      signal("CONT", pid);
      say("chaos: %s thawed pid %d", LocalTime.now().format(CLOCK), pid);
    }
  }

  /** SIGSTOP / SIGCONT, which the JDK cannot send: through kill(1). */
  private static boolean signal(String name, long pid) {
    try {
      return new ProcessBuilder("kill", "-" + name, Long.toString(pid))
              .redirectErrorStream(true)
              .start()
              .waitFor()
          == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sleeps until {@code deadline} (nanoTime), letting frozen processes go on time meanwhile. */
  private void sleepUntil(long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      thawDue();
      long left = deadline - System.nanoTime();
      Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  private static void say(String format, Object... args) {
    System.out.println(String.format(format, args));
  }
}
