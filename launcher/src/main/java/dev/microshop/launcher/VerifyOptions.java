package dev.microshop.launcher;

import dev.microshop.launcher.Main.UsageException;
import java.nio.file.Path;

/**
 * The arguments of {@code verify}: the file of acknowledged order ids (none: that check is
 * skipped), the grace given to work still in flight before it counts as stuck, and how long to keep
 * checking again while an invariant fails (a system just back from a fault settles).
 */
record VerifyOptions(boolean help, Path acknowledged, int graceSeconds, int settleSeconds) {
  static final int DEFAULT_GRACE_SECONDS = 30;

  static final String USAGE =
      """
      usage: java -jar launcher.jar verify [--acknowledged <file>] [--grace <seconds>]
                                           [--settle <seconds>]
        Checks the invariants of a system in its databases, each service's as its own role (dev: the
        embedded PostgreSQL of dataDir, MICROSHOP_DATA_DIR; otherwise each service's db.* settings).
        Prints a table; exit 0 if every invariant holds, 1 if one fails, 2 on bad arguments/settings.
        --acknowledged <file>  order ids the gateway answered 202 to, one UUID a line (as written by
                               'load --acknowledged'): each must be in the orders database
        --grace <seconds>      how long work may still be in flight (default 30): orders final for
                               less are not yet held to money and notifications, a PENDING order
                               or outbox message counts as stuck only when older than this
        --settle <seconds>     while an invariant fails, check again every second for up to this
                               long (default 0): right after a fault, a restarted service's
                               outbox is still catching up; a real break still fails at the end
      """;

  static VerifyOptions parse(String[] args) {
    Path acknowledged = null;
    int grace = DEFAULT_GRACE_SECONDS;
    int settle = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-h", "--help", "help" -> {
          return new VerifyOptions(true, null, grace, settle);
        }
        case "--acknowledged" -> acknowledged = Path.of(value(args, i++));
        case "--grace" -> grace = seconds(args[i], value(args, i++));
        case "--settle" -> settle = seconds(args[i], value(args, i++));
        default ->
            throw new UsageException(
                "verify: unknown argument '" + args[i] + "'; try verify --help");
      }
    }
    return new VerifyOptions(false, acknowledged, grace, settle);
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length || args[i + 1].isBlank()) {
      throw new UsageException("verify: " + args[i] + " needs a value; try verify --help");
    }
    return args[i + 1];
  }

  private static int seconds(String option, String value) {
    try {
      int seconds = Integer.parseInt(value);
      if (seconds >= 0) {
        return seconds;
      }
    } catch (NumberFormatException e) {
      // reported below, as a negative number is
    }
    throw new UsageException(
        "verify: " + option + " must be a whole number of seconds, 0 or more, not '" + value + "'");
  }
}
