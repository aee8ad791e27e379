package dev.microshop.launcher.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cores busy during the measured window, from Linux's /proc: per named process with its descendants
 * (PostgreSQL's backends), this load JVM itself, the whole host, and the rest ("other": other work
 * on a shared machine, which depresses every figure). Empty where /proc cannot be read.
 */
final class ProcessCpu {
  /**
   * One reading: CPU nanoseconds per process, of this JVM, and the host's jiffies (total, idle).
   */
  record Sample(
      long wallNs, Map<String, Long> processNs, long selfNs, long hostTotal, long hostIdle) {}

  private static final long NS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

  private final Map<String, Long> pids;

  ProcessCpu(Map<String, Long> pids) {
    this.pids = pids;
  }

  Sample sample() {
    Map<String, Long> ns = new LinkedHashMap<>();
    pids.forEach(
        (name, pid) ->
            ns.put(
                name,
                ProcessHandle.of(pid)
                    .map(p -> cpuNs(p) + p.descendants().mapToLong(ProcessCpu::cpuNs).sum())
                    .orElse(0L)));
    long[] host = host();
    return new Sample(System.nanoTime(), ns, cpuNs(ProcessHandle.current()), host[0], host[1]);
  }

  /** Cores per process, then {@code load}, {@code other} and {@code host}, between two samples. */
  static Map<String, Double> cores(Sample a, Sample b) {
    double seconds = (b.wallNs() - a.wallNs()) / 1e9;
    Map<String, Double> out = new LinkedHashMap<>();
    if (seconds <= 0) {
      return out;
    }
    double ours = 0;
    for (String name : b.processNs().keySet()) {
      double c = (b.processNs().get(name) - a.processNs().getOrDefault(name, 0L)) / 1e9 / seconds;
      out.put(name, c);
      ours += c;
    }
    double self = (b.selfNs() - a.selfNs()) / 1e9 / seconds;
    out.put("load", self);
    long total = b.hostTotal() - a.hostTotal();
    double host =
        total <= 0
            ? 0
            : Runtime.getRuntime().availableProcessors()
                * (1 - (double) (b.hostIdle() - a.hostIdle()) / total);
    out.put("other", Math.max(0, host - ours - self));
    out.put("host", host);
    return out;
  }

  private static long cpuNs(ProcessHandle p) {
    try {
      String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NS_PER_TICK; // utime + stime
    } catch (Exception e) {
      return 0;
    }
  }

  private static long[] host() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])}; // idle + iowait
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }
}
