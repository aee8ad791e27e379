package dev.microshop.launcher.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One kind of measured operation (a catalog read, an order's POST, an order's trip to its final
 * state): the latencies of those that succeeded, in microseconds, and the count of those that
 * failed, with 429s apart. Recorded from any thread; read by the one thread that prints.
 */
final class Series {
  /** One hour: a latency beyond it is recorded as one hour. */
  private static final long HIGHEST_US = TimeUnit.HOURS.toMicros(1);

  final String name;
  private final Recorder recorder = new Recorder(HIGHEST_US, 3);
  private final Histogram total = new Histogram(HIGHEST_US, 3);
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong limited = new AtomicLong();
  private final Map<String, AtomicLong> errorKinds = new ConcurrentHashMap<>();
  private long lastCount;

  Series(String name) {
    this.name = name;
  }

  void ok(long latencyNs) {
    recorder.recordValue(Math.min(HIGHEST_US, Math.max(0, latencyNs / 1000)));
  }

  void error(String kind) {
    errors.incrementAndGet();
    errorKinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  /** A 429: the system's rate limit said no, which is not a failure of the system. */
  void limited() {
    limited.incrementAndGet();
  }

  /**
   * Folds what was recorded since the last call into the totals; returns how many succeeded since.
   * Called by the printing thread only.
   */
  long roll() {
    total.add(recorder.getIntervalHistogram());
    long now = total.getTotalCount();
    long since = now - lastCount;
    lastCount = now;
    return since;
  }

  long count() {
    return total.getTotalCount();
  }

  long errors() {
    return errors.get();
  }

  long limitedCount() {
    return limited.get();
  }

  Map<String, Long> errorKinds() {
    Map<String, Long> out = new java.util.TreeMap<>();
    errorKinds.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** The latency at this percentile so far, in milliseconds. */
  double ms(double percentile) {
    return total.getTotalCount() == 0 ? 0 : total.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs() {
    return total.getTotalCount() == 0 ? 0 : total.getMaxValue() / 1000.0;
  }
}
