package dev.microshop.orders;

import dev.microshop.contracts.OrderStatus;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The saga as an operator watches it, in {@code /metrics}: {@code microshop_orders_finished_total}
 * by final state and reason, {@code microshop_saga_step_seconds} by step (reserve: placed until
 * inventory answered; charge: stock reserved until payments answered), and {@code
 * microshop_saga_seconds} from placement to the final state.
 *
 * <p>Everything is recorded once the transition's transaction commits: a transition that rolls back
 * (and is retried) counts once. Durations come from the order's row (its {@code created_at} and
 * {@code updated_at}, read with the lock), so whichever orders instance applies an answer, also one
 * that did not place the order or restarted since, times it, and no clock is kept in memory. Labels
 * are closed sets: a reason outside {@link #REASONS} is counted as {@code OTHER}.
 */
final class OrderMetrics {
  static final String FINISHED = "microshop.orders.finished";
  static final String STEP = "microshop.saga.step";
  static final String SAGA = "microshop.saga";

  /** A saga step timed from its command to its answer. */
  enum Step {
    RESERVE,
    CHARGE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The reason a confirmed order is counted with. */
  static final String NONE = "NONE";

  /** A reason that is none of {@link #REASONS} (never free text in a label). */
  static final String OTHER = "OTHER";

  /**
   * Every reason an order is cancelled for: the stock's refusals, a declined payment, the deadline
   * ({@link SagaClock}) and the customer ({@code OrdersVerticle.cancel}).
   */
  static final Set<String> REASONS =
      Set.copyOf(
          Stream.concat(
                  Stream.of(StockRejected.Reason.values()).map(Enum::name),
                  Stream.of("PAYMENT_DECLINED", "DEADLINE_EXCEEDED", "CANCELLED_BY_CUSTOMER"))
              .toList());

  private OrderMetrics() {}

  /**
   * Registers every series at zero, so that a dashboard or an alert finds them before the first
   * order ({@code absent()} is not 0).
   */
  static void register() {
    MeterRegistry registry = Metrics.registry();
    finished(registry, OrderStatus.CONFIRMED, NONE);
    for (String reason : reasons()) {
      finished(registry, OrderStatus.CANCELLED, reason);
    }
    for (Step step : Step.values()) {
      step(registry, step);
    }
    saga(registry, OrderStatus.CONFIRMED);
    saga(registry, OrderStatus.CANCELLED);
  }

  /**
   * {@code step} of the order was answered: timed once the transition commits, from the order's
   * last transition (its placement for the reserve step, the reservation for the charge step).
   */
  static void answered(SqlConnection tx, OrderRow order, Step step) {
    afterCommit(tx, () -> step(Metrics.registry(), step).record(seconds(order.secondsInStep())));
  }

  /**
   * The order reached its final state, for {@code reason} (null when confirmed); counted, and its
   * whole saga timed, once the transition commits.
   */
  static void finished(SqlConnection tx, OrderRow order, OrderStatus status, String reason) {
    afterCommit(
        tx,
        () -> {
          MeterRegistry registry = Metrics.registry();
          finished(registry, status, status == OrderStatus.CONFIRMED ? NONE : closed(reason))
              .increment();
          saga(registry, status).record(seconds(order.secondsSincePlaced()));
        });
  }

  private static void afterCommit(SqlConnection tx, Runnable action) {
    Transaction transaction = tx.transaction();
    if (transaction == null) {
      action.run();
    } else {
      transaction.completion().onSuccess(v -> action.run());
    }
  }

  private static Duration seconds(double seconds) {
    // Clocks of the database and a long GC pause aside, never negative.
    return Duration.ofNanos(Math.max(0, (long) (seconds * 1e9)));
  }

  static String closed(String reason) {
    return reason != null && REASONS.contains(reason) ? reason : OTHER;
  }

  private static List<String> reasons() {
    List<String> all = new ArrayList<>(REASONS);
    all.add(OTHER);
    return all;
  }

  private static Counter finished(MeterRegistry registry, OrderStatus status, String reason) {
    return Counter.builder(FINISHED)
        .description("Orders that reached a final state, by state and reason")
        .tag("state", status.name())
        .tag("reason", reason)
        .register(registry);
  }

  private static Timer step(MeterRegistry registry, Step step) {
    return Timer.builder(STEP)
        .description("A saga step, from its command to its answer applied (as seen by orders)")
        .tag("step", step.label())
        .register(registry);
  }

  private static Timer saga(MeterRegistry registry, OrderStatus status) {
    return Timer.builder(SAGA)
        .description("An order's saga, from placement to its final state")
        .tag("state", status.name())
        .register(registry);
  }
}
