package dev.microshop.gateway;

import io.github.bucket4j.ConsumptionProbe;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which buckets this instance last saw empty, and until when: what lets {@link RateLimits} refuse a
 * client whose budget is spent before any costly work, and without asking the cluster. It only
 * remembers what {@link RateLimits#take} answered, so it can be late by one request (another
 * gateway instance spent the budget), never early.
 */
final class SpentBudgets {
  private final int max;
  private final Map<String, Long> until; // System.nanoTime() when a token is back

  SpentBudgets(int max) {
    this.max = max;
    this.until =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > SpentBudgets.this.max;
          }
        };
  }

  /**
   * Notes what a take of bucket {@code id} answered: refused, it waits as long as the bucket said;
   * taking the last token, one token's refill time ({@code nanosPerToken}).
   */
  synchronized void record(String id, ConsumptionProbe probe, long nanosPerToken) {
    long wait =
        !probe.isConsumed()
            ? probe.getNanosToWaitForRefill()
            : probe.getRemainingTokens() == 0 ? nanosPerToken : 0;
    if (wait > 0) {
      until.put(id, System.nanoTime() + wait);
    } else {
      until.remove(id);
    }
  }

  /** Nanoseconds until bucket {@code id} has a token again; 0 or less when it may have one. */
  synchronized long nanosToWait(String id) {
    Long end = until.get(id);
    if (end == null) {
      return 0;
    }
    long wait = end - System.nanoTime();
    if (wait <= 0) {
      until.remove(id);
    }
    return wait;
  }

  synchronized void forget(String id) {
    until.remove(id);
  }
}
