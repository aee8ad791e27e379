package dev.microshop.platform.messaging;

import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service's outbox as an operator watches it, in {@code /metrics}: messages pending, dead
 * letters, and the age of the oldest pending message (the lag), read from the table every few
 * seconds. Every instance of a service reads the same table, so dashboards and alerts take the max
 * per service, never the sum.
 */
public final class OutboxGauges {
  static final long REFRESH_MS = 5_000;
  private final Vertx vertx;
  private final Pool pool;
  private final List<Gauge> gauges;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private final AtomicLong lagMillis = new AtomicLong();
  private long timer = -1;

  public OutboxGauges(Vertx vertx, Pool pool, String service) {
    this.vertx = vertx;
    this.pool = pool;
    MeterRegistry registry = Metrics.registry();
    gauges =
        List.of(
            Gauge.builder("microshop.outbox.pending", pending, AtomicLong::get)
                .description("Outbox messages not yet delivered")
                .tag("service", service)
                .register(registry),
            Gauge.builder("microshop.outbox.dead", dead, AtomicLong::get)
                .description("Outbox messages that exhausted their attempts (dead letters)")
                .tag("service", service)
                .register(registry),
            Gauge.builder("microshop.outbox.lag", lagMillis, millis -> millis.get() / 1000.0)
                .description("Age of the oldest pending outbox message")
                .baseUnit("seconds")
                .tag("service", service)
                .register(registry));
  }

  public void start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    gauges.forEach(Metrics.registry()::remove);
  }

  /** A failed read keeps the last values: a database that does not answer is health's to report. */
  private void refresh() {
    Outbox.stats(pool)
        .onSuccess(
            stats -> {
              pending.set(stats.getLong("pending"));
              dead.set(stats.getLong("dead"));
              lagMillis.set(Math.round(stats.getDouble("lagSeconds") * 1000));
            });
  }
}
