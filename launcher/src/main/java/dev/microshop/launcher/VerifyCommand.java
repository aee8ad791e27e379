package dev.microshop.launcher;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.Main.UsageException;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code verify}: checks a system's invariants in its databases and prints them as a table, each
 * with its figures. Exit 0 when all hold, 1 when one fails, 2 on a bad argument or setting (one
 * line naming it). It only reads.
 */
final class VerifyCommand {
  static final int HOLDS = 0;
  static final int FAILS = 1;

  private VerifyCommand() {}

  static int run(String[] args, Map<String, String> env) {
    return run(args, env, System.out, System.err);
  }

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    try {
      VerifyOptions options = VerifyOptions.parse(args);
      if (options.help()) {
        out.print(VerifyOptions.USAGE);
        return HOLDS;
      }
      List<UUID> acknowledged =
          options.acknowledged() == null ? null : readAcknowledged(options.acknowledged());
      Settings.rejectUnknownEnv(env, Services.ALL, Set.of());
      ServiceConnections connections = new ServiceConnections(env);
      VerifyChecks verifier = new VerifyChecks(connections, options.graceSeconds());
      long started = System.nanoTime();
      long settleBy = started + TimeUnit.SECONDS.toNanos(options.settleSeconds());
      List<Check> checks = verifier.run(acknowledged);
      while (checks.stream().anyMatch(Check::fails) && System.nanoTime() < settleBy) {
        Thread.sleep(1000);
        checks = verifier.run(acknowledged);
      }
      out.printf(
          "microshop verify: %s, grace %d s%s%n",
          connections.where(Services.ORDERS),
          options.graceSeconds(),
          options.settleSeconds() == 0
              ? ""
              : String.format(
                  ", settled for %d s of at most %d",
                  TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                  options.settleSeconds()));
      out.print(table(checks));
      long failed = checks.stream().filter(Check::fails).count();
      out.println(
          failed == 0
              ? "every invariant holds"
              : failed + " invariant" + (failed == 1 ? "" : "s") + " FAIL");
      return failed == 0 ? HOLDS : FAILS;
    } catch (UsageException | ConfigException e) {
      err.println(oneLine("microshop: " + e.getMessage()));
      return Main.USAGE;
    } catch (SQLException e) {
      err.println(oneLine("microshop: verify: cannot read the " + e.getMessage()));
      return Main.USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("microshop: verify: interrupted");
      return FAILS;
    }
  }

  /** PostgreSQL's messages may run over lines ("Position: 48"); an error is one line. */
  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** One UUID a line; blank lines are skipped, anything else is a usage error naming the line. */
  static List<UUID> readAcknowledged(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UsageException(
          "verify: --acknowledged " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        ids.add(UUID.fromString(line));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "verify: --acknowledged "
                + file
                + " line "
                + (i + 1)
                + " is not an order id (a UUID): '"
                + line
                + "'");
      }
    }
    return ids;
  }

  static String table(List<Check> checks) {
    int width = "invariant".length();
    for (Check check : checks) {
      width = Math.max(width, check.invariant().length());
    }
    String row = "%-" + width + "s  %-4s  %s%n";
    StringBuilder out = new StringBuilder(String.format(row, "invariant", "", "figures"));
    for (Check check : checks) {
      out.append(String.format(row, check.invariant(), check.outcome().label, check.figure()));
    }
    return out.toString();
  }
}
