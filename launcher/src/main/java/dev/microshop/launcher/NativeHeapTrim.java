package dev.microshop.launcher;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Has each JVM up starts give back to the system, every few seconds, the native memory its threads
 * freed. glibc keeps freed blocks in per-thread arenas for reuse, and a service JVM after load held
 * about 24 MiB of them, measured with {@code jcmd <pid> System.trim_native_heap} (RSS 212 to 189
 * MiB): 145 MiB over six JVMs, for nothing (issue 18).
 */
final class NativeHeapTrim {
  /** Often enough to matter, rarely enough that a trim (a few ms of one thread) costs nothing. */
  static final int INTERVAL_MS = 5_000;

  private NativeHeapTrim() {}

  /**
   * The option, when the JVM up runs on (its children run on the same) knows it: JDK 17.0.9 and
   * later, 21.0.1 and later. On a platform without glibc the JVM ignores it.
   */
  static List<String> options(boolean enabled) {
    if (!enabled) {
      return List.of();
    }
    try {
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .getVMOption("TrimNativeHeapInterval");
      return List.of("-XX:TrimNativeHeapInterval=" + INTERVAL_MS);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }
}
