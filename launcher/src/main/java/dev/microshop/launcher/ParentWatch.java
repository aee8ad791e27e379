package dev.microshop.launcher;

import java.util.Optional;

/**
 * Stops a child of {@code up} when its launcher is gone (killed with -9, say), so no JVM is left
 * orphaned.
 */
final class ParentWatch {
  private ParentWatch() {}

  static void start(long parentPid, Runnable stop) {
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    if (parent.isEmpty()) {
      stop.run();
      System.exit(0);
    }
    parent
        .get()
        .onExit()
        .thenRun(
            () -> {
              stop.run();
              System.exit(0);
            });
  }
}
