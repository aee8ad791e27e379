package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.Main.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The arguments of {@code chaos}, checked: anything wrong is a usage error naming it. */
record ChaosOptions(
    String gateway,
    ChaosOptions.Action action,
    Duration every,
    Duration duration,
    Duration freezeFor,
    String service,
    boolean allInstances,
    boolean includeGateway,
    long seed,
    Path adminPasswordFile) {

  /**
   * What is done to a process: SIGKILL, SIGSTOP then SIGCONT, SIGTERM, or one of them at random.
   */
  enum Action {
    KILL,
    FREEZE,
    RESTART,
    ANY;

    static Action of(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "chaos: --action '" + name + "' is not one of kill, freeze, restart, any");
      }
    }
  }

  static final String USAGE =
      """
      usage: chaos [--gateway URL] [--action kill|freeze|restart|any] [--every 5s] [--duration 60s]
                   [--freeze-for 5s] [--service NAME] [--all-instances] [--include-gateway]
                   [--seed N] [--admin-password-file FILE]
        Every --every, for --duration, picks a random instance of a random service (or of --service;
        --all-instances: every instance of it) from the gateway's admin status report and kills it
        (kill -9), freezes it (SIGSTOP, SIGCONT after --freeze-for) or restarts it (SIGTERM; up or
        the orchestrator starts it again). Only processes the status report names, running the
        launcher as that service, are touched. The gateway itself only with --include-gateway.
        Defaults: the gateway of this configuration, and the dev admin password in
        <dataDir>/secrets/admin-password.""";

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  static ChaosOptions parse(String[] args, String defaultGateway, Path defaultPasswordFile) {
    String gateway = defaultGateway;
    Action action = Action.KILL;
    Duration every = Duration.ofSeconds(5);
    Duration duration = Duration.ofSeconds(60);
    Duration freezeFor = Duration.ofSeconds(5);
    String service = null;
    boolean allInstances = false;
    boolean includeGateway = false;
    long seed = System.nanoTime();
    Path passwordFile = defaultPasswordFile;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--all-instances" -> allInstances = true;
        case "--include-gateway" -> includeGateway = true;
        case "--gateway" -> gateway = url(value(args, ++i, arg));
        case "--action" -> action = Action.of(value(args, ++i, arg));
        case "--every" -> every = positive(arg, value(args, ++i, arg));
        case "--duration" -> duration = positive(arg, value(args, ++i, arg));
        case "--freeze-for" -> freezeFor = positive(arg, value(args, ++i, arg));
        case "--service" -> service = service(value(args, ++i, arg));
        case "--seed" -> seed = number(arg, value(args, ++i, arg));
        case "--admin-password-file" -> passwordFile = Path.of(value(args, ++i, arg));
        default ->
            throw new UsageException("chaos: unknown argument '" + arg + "'; try chaos --help");
      }
    }
    if (allInstances && service == null) {
      throw new UsageException("chaos: --all-instances needs --service NAME");
    }
    if (Services.GATEWAY.equals(service)) {
      includeGateway = true;
    }
    if (every.compareTo(duration) > 0) {
      throw new UsageException(
          "chaos: --every " + every.toMillis() + " ms is longer than --duration");
    }
    return new ChaosOptions(
        gateway,
        action,
        every,
        duration,
        freezeFor,
        service,
        allInstances,
        includeGateway,
        seed,
        passwordFile);
  }

  /** The services it may pick from. */
  List<String> candidates() {
    if (service != null) {
      return List.of(service);
    }
    return Services.ALL.stream()
        .filter(s -> includeGateway || !s.equals(Services.GATEWAY))
        .toList();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new UsageException("chaos: " + option + " needs a value");
    }
    return args[i];
  }

  private static String url(String value) {
    if (!value.matches("https?://[^/\\s]+/?")) {
      throw new UsageException(
          "chaos: --gateway '" + value + "' is not a base URL like http://127.0.0.1:8080");
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static String service(String value) {
    if (!Services.ALL.contains(value)) {
      throw new UsageException(
          "chaos: --service '" + value + "' is not one of " + String.join(", ", Services.ALL));
    }
    return value;
  }

  /** {@code 500ms}, {@code 5s} or {@code 2m}, above zero. */
  static Duration positive(String option, String value) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new UsageException(
          "chaos: "
              + option
              + " '"
              + value
              + "' is not a duration above zero like 500ms, 5s or 2m");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }

  private static long number(String option, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UsageException("chaos: " + option + " '" + value + "' is not a whole number");
    }
  }
}
