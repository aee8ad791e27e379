package dev.microshop.launcher;

import dev.microshop.launcher.load.LoadCommand;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The commands that work on a running system from outside it (load it, break it, check it), each
 * with its own arguments: dispatched before the service commands, which they share nothing with.
 */
final class Tools {
  private Tools() {}

  /** The exit code of the tool {@code args} name, or empty when they name none. */
  static OptionalInt run(String[] args, Map<String, String> env) {
    if (args.length == 0) {
      return OptionalInt.empty();
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "chaos" -> OptionalInt.of(ChaosCommand.run(rest, env));
      case "verify" -> OptionalInt.of(VerifyCommand.run(rest, env));
      case "load" -> OptionalInt.of(LoadCommand.run(rest, env));
      case "cds" -> OptionalInt.of(ClassDataSharing.command(rest, env));
      default -> OptionalInt.empty();
    };
  }
}
