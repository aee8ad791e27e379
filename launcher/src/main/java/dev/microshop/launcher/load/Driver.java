package dev.microshop.launcher.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When operations start. Open loop: operation k is due at {@code start + k / rate}, whatever
 * happened to earlier ones, and its latency counts from that intended time, so a stall of the
 * system (or of this client: a full connection pool, a GC pause) shows in full as the latency of
 * every operation it delayed instead of as fewer, faster samples (coordinated omission). Closed
 * loop: each of N clients starts its next operation when the last one ends; latency is service
 * time, as with wrk.
 *
 * <p>An operation whose intended start falls in the warm-up records into the warm-up's stats; one
 * from the measured window into the window's; none starts after the window.
 */
final class Driver {
  /** One operation, recording into {@code stats}; its future completes when it is done. */
  interface Operation {
    Future<Void> once(long intendedNs, Stats stats);
  }

  private final Vertx vertx;
  private final Operation operation;
  private final Stats warmup;
  private final Stats measured;
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong started = new AtomicLong();
  private long startNs;
  private long windowStartNs;
  private long windowEndNs;

  Driver(Vertx vertx, Operation operation, Stats warmup, Stats measured) {
    this.vertx = vertx;
    this.operation = operation;
    this.warmup = warmup;
    this.measured = measured;
  }

  /** Starts driving now; returns at once. */
  void start(LoadOptions options) {
    startNs = System.nanoTime();
    windowStartNs = startNs + options.warmup().toNanos();
    windowEndNs = windowStartNs + options.duration().toNanos();
    if (options.openLoop()) {
      double intervalNs = TimeUnit.SECONDS.toNanos(1) / options.rate();
      // The timer hands the operations round-robin to a context per core, so one event loop is not
      // what limits the rate.
      List<Context> contexts = new ArrayList<>();
      for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
        contexts.add(vertx.getOrCreateContext());
      }
      vertx.getOrCreateContext().runOnContext(v -> openLoop(intervalNs, contexts));
    } else {
      // A context per client (called from outside Vert.x, each call makes a new one), so the
      // clients and their connections spread over the event loops.
      for (int i = 0; i < options.concurrency(); i++) {
        Context context = vertx.getOrCreateContext();
        context.runOnContext(v -> closedLoop());
      }
    }
  }

  long windowStartNs() {
    return windowStartNs;
  }

  long windowEndNs() {
    return windowEndNs;
  }

  long inFlight() {
    return inFlight.get();
  }

  /** Every millisecond, starts each operation whose intended time has come. */
  private void openLoop(double intervalNs, List<Context> contexts) {
    vertx.setPeriodic(
        1,
        timer -> {
          long now = System.nanoTime();
          while (true) {
            long intended = startNs + (long) (started.get() * intervalNs);
            if (intended >= windowEndNs) {
              vertx.cancelTimer(timer);
              return;
            }
            if (intended > now) {
              return;
            }
            long k = started.getAndIncrement();
            inFlight
                .incrementAndGet(); // counted now: the main thread must not see 0 before it runs
            contexts.get((int) (k % contexts.size())).runOnContext(v -> dispatch(intended));
          }
        });
  }

  private void closedLoop() {
    long now = System.nanoTime();
    if (now >= windowEndNs) {
      return;
    }
    started.incrementAndGet();
    inFlight.incrementAndGet();
    // Through the context, so an operation that fails at once does not recurse.
    dispatch(now).onComplete(ar -> vertx.getOrCreateContext().runOnContext(v -> closedLoop()));
  }

  /** Runs one operation already counted in flight. */
  private Future<Void> dispatch(long intendedNs) {
    Future<Void> done;
    try {
      done = operation.once(intendedNs, intendedNs < windowStartNs ? warmup : measured);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.onComplete(ar -> inFlight.decrementAndGet());
  }
}
