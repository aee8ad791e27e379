package dev.microshop.payments;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * A stand-in for an external payment provider: each call takes a fixed latency, with at most {@code
 * maxConcurrent} calls in flight; the others queue, first come first served. Nothing blocks: the
 * wait is a timer. Confined to the payments verticle's event loop (one instance per JVM), so the
 * counts need no locks.
 */
final class SimulatedProvider {
  private final ProviderConfig config;
  private final LongFunction<Future<?>> sleep;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  // A redelivery that arrives while its order's call is still queued or in flight joins that call
  // instead of paying twice (a real provider dedupes by the idempotency key we would send).
  private final Map<UUID, Future<Void>> pending = new HashMap<>();
  private int inFlight;
  private int peakInFlight;
  private long calls;

  /** {@code sleep} yields a future completed after the given milliseconds (a Vert.x timer). */
  SimulatedProvider(ProviderConfig config, LongFunction<Future<?>> sleep) {
    this.config = config;
    this.sleep = sleep;
  }

  /** Authorizes the charge of {@code orderId}; completes when the provider has answered. */
  Future<Void> authorize(UUID orderId) {
    Future<Void> joined = pending.get(orderId);
    if (joined != null) {
      return joined;
    }
    Promise<Void> answered = Promise.promise();
    pending.put(orderId, answered.future());
    waiting.add(() -> call(orderId, answered));
    next();
    return answered.future();
  }

  private void next() {
    while (inFlight < config.maxConcurrent() && !waiting.isEmpty()) {
      waiting.poll().run();
    }
  }

  private void call(UUID orderId, Promise<Void> answered) {
    inFlight++;
    calls++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    sleep
        .apply(config.latencyMs())
        .onComplete(
            done -> {
              inFlight--;
              pending.remove(orderId);
              answered.handle(done.mapEmpty());
              next();
            });
  }

  /** Calls made (started) so far. */
  long calls() {
    return calls;
  }

  /** The most calls that were ever in flight at once. */
  int peakInFlight() {
    return peakInFlight;
  }

  /** Calls waiting for a free slot. */
  int queued() {
    return waiting.size();
  }
}
