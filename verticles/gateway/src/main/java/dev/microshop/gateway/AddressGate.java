package dev.microshop.gateway;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A concurrency bound per client address for expensive routes (login and registration: an argon2
 * hash each, from a pool every user shares): at most {@code inFlight} calls of one address run at
 * once, {@code queued} more wait their turn, and the rest get 429 with Retry-After at once, without
 * reaching the service. One client can then hold only a few of the service's hashing slots, and a
 * flood from it is refused here instead of filling the service's queue for everyone.
 *
 * <p>The bound holds per gateway instance (it counts what is in flight here, not in the cluster).
 * Route handlers run on several event loops, hence the lock; a waiting call resumes on its own.
 */
final class AddressGate {
  static final long RETRY_AFTER_SECONDS = 1;

  private final Vertx vertx;
  private final int inFlight;
  private final int queued;
  private final Map<String, Lane> lanes = new HashMap<>();

  private static final class Lane {
    int running;
    final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  }

  private record Waiter(Context context, Promise<Void> turn) {}

  AddressGate(Vertx vertx, int inFlight, int queued) {
    if (inFlight < 1 || queued < 0) {
      throw new IllegalArgumentException(
          "in flight must be at least 1 and queued at least 0: " + inFlight + ", " + queued);
    }
    this.vertx = vertx;
    this.inFlight = inFlight;
    this.queued = queued;
  }

  /** Runs {@code work} when {@code address} has a free slot; 429 when its queue is full too. */
  <T> Future<T> run(String address, Supplier<Future<T>> work) {
    Future<Void> turn;
    synchronized (this) {
      Lane lane = lanes.computeIfAbsent(address, a -> new Lane());
      if (lane.running < inFlight) {
        lane.running++;
        turn = Future.succeededFuture();
      } else if (lane.waiting.size() < queued) {
        Waiter waiter = new Waiter(vertx.getOrCreateContext(), Promise.promise());
        lane.waiting.add(waiter);
        turn = waiter.turn().future();
      } else {
        RateLimitMeters.rejected(RateLimitMeters.PASSWORD_CHECKS);
        return Future.failedFuture(
            new Problems.HttpProblem(
                429,
                "too many password checks in progress from this address; retry in "
                    + RETRY_AFTER_SECONDS
                    + " s",
                null,
                Map.of("Retry-After", Long.toString(RETRY_AFTER_SECONDS))));
      }
    }
    return turn.compose(v -> work.get()).andThen(done -> release(address));
  }

  /** Passes the slot to the next waiter, on its own context, or frees it. */
  private void release(String address) {
    Waiter next;
    synchronized (this) {
      Lane lane = lanes.get(address);
      next = lane.waiting.poll();
      if (next == null && --lane.running == 0) {
        lanes.remove(address);
      }
    }
    if (next != null) {
      next.context().runOnContext(v -> next.turn().complete());
    }
  }

  /** Calls running or waiting for {@code address}: for tests. */
  synchronized int pending(String address) {
    Lane lane = lanes.get(address);
    return lane == null ? 0 : lane.running + lane.waiting.size();
  }
}
