package dev.microshop.launcher;

import java.util.Optional;

/** Stops a child of {@code up} when its launcher is gone (killed with -9, say), so no JVM is left orphaned. */
final class ParentWatch {
  private ParentWatch() {}

  static void start(String parentPid, Runnable stop) {
    if (parentPid == null || parentPid.isBlank()) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(parentPid.trim()));
    if (parent.isEmpty()) {
      stop.run();
      System.exit(0);
    }
    parent.get().onExit().thenRun(() -> {
      stop.run();
      System.exit(0);
    });
  }
}
