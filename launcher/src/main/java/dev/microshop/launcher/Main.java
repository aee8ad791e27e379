package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code java -jar launcher.jar <command>}: the one entry point of microshop. Usage errors and bad
 * settings exit with 2 and one line naming the problem; nothing is logged before the configuration
 * is known good.
 */
public final class Main {
  static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    try {
      OptionalInt tool = Tools.run(args, env);
      if (tool.isPresent()) {
        System.exit(tool.getAsInt());
      }
      Command command = parse(args);
      if (command == null) {
        System.out.print(Help.text());
        return;
      }
      Settings.rejectUnknownEnv(env, Services.ALL, Set.of(ServiceRunner.PARENT_PID_ENV));
      int code;
      if (command.secretsDir() != null) {
        code = OperatorSecrets.run(command.secretsDir());
      } else if (command.dbInit()) {
        code = DbInit.run(env);
      } else if (command.db() != null) {
        code = DbCommand.run(env, command.db(), command.urlOnly());
      } else if (command.up()) {
        code = new Up(command.tracing() ? Up.withTracing(env) : env).run();
      } else {
        code = new ServiceRunner(env, command.services(), command.all()).run();
      }
      System.exit(code);
    } catch (UsageException | ConfigException e) {
      System.err.println("microshop: " + e.getMessage());
      System.exit(USAGE);
    }
  }

  /**
   * What to run: {@code up}, {@code all}, a list of services for this JVM, {@code db <service>}
   * (print how to open its database) or {@code db-init} (provision an external PostgreSQL). Null
   * means help was asked.
   */
  record Command(
      boolean up,
      boolean all,
      List<String> services,
      String db,
      boolean urlOnly,
      boolean dbInit,
      Path secretsDir,
      boolean tracing) {
    Command(boolean up, boolean all, List<String> services) {
      this(up, all, services, null, false, false, null, false);
    }
  }

  static Command parse(String[] args) {
    if (args.length == 0) {
      throw new UsageException("no command given; try --help");
    }
    if (args[0].equals("db")) {
      return parseDb(args);
    }
    if (args[0].equals(DbInit.NAME)) {
      return parseDbInit(args);
    }
    if (args[0].equals(OperatorSecrets.NAME)) {
      return parseSecrets(args);
    }
    Set<String> services = new LinkedHashSet<>();
    boolean up = false;
    boolean all = false;
    boolean tracing = false;
    for (String arg : args) {
      switch (arg) {
        case "-h", "--help", "help" -> {
          return null;
        }
        case "up" -> up = true;
        case "all" -> all = true;
        case "--tracing" -> tracing = true;
        default -> {
          if (arg.startsWith("-")) {
            throw new UsageException("unknown option '" + arg + "'; try --help");
          }
          if (!Services.ALL.contains(arg)) {
            throw new UsageException(
                "unknown service '"
                    + arg
                    + "' (expected up, all or one of "
                    + String.join(", ", Services.ALL)
                    + ")");
          }
          services.add(arg);
        }
      }
    }
    if (tracing && !up) {
      throw new UsageException("--tracing goes with up only");
    }
    if (up && args.length > (tracing ? 2 : 1)) {
      throw new UsageException("'up' takes no other argument than --tracing");
    }
    if (all && args.length > 1) {
      throw new UsageException("'all' takes no other argument");
    }
    return new Command(
        up, all, all ? Services.ALL : new ArrayList<>(services), null, false, false, null, tracing);
  }

  private static Command parseDb(String[] args) {
    boolean url = args.length == 3 && args[2].equals("--url");
    if (args.length < 2 || args.length > 3 || (args.length == 3 && !url)) {
      throw new UsageException("usage: db <service> [--url], e.g. 'db orders'");
    }
    if (!Services.WITH_DATABASE.contains(args[1])) {
      throw new UsageException(
          "'"
              + args[1]
              + "' has no database (expected one of "
              + String.join(", ", Services.WITH_DATABASE)
              + ")");
    }
    return new Command(false, false, List.of(), args[1], url, false, null, false);
  }

  /** Its settings are the environment's (an admin password has no place on a command line). */
  private static Command parseDbInit(String[] args) {
    if (args.length == 2 && (args[1].equals("--help") || args[1].equals("-h"))) {
      return null;
    }
    if (args.length > 1) {
      throw new UsageException(
          "'db-init' takes no argument; it reads MICROSHOP_DB_INIT_* and MICROSHOP_DB_* (see"
              + " --help)");
    }
    return new Command(false, false, List.of(), null, false, true, null, false);
  }

  private static Command parseSecrets(String[] args) {
    if (args.length != 2 || args[1].isBlank() || args[1].startsWith("-")) {
      throw new UsageException(
          "usage: secrets <dir>, e.g. 'secrets deploy/kubernetes/overlays/dev/secrets'");
    }
    Path dir = Path.of(args[1]);
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException("'" + args[1] + "' is a file, not a directory");
    }
    return new Command(false, false, List.of(), null, false, false, dir, false);
  }

  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
