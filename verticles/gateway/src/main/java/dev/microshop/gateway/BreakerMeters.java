package dev.microshop.gateway;

import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A breaker's state in {@code /metrics}, for dashboards and the breaker-open alert: {@code
 * microshop_breaker_open} (1 while open, 0.5 half-open, 0 closed) and {@code
 * microshop_breaker_transitions_total} by the state it went to.
 */
final class BreakerMeters {
  private final String downstream;
  private final MeterRegistry registry = Metrics.registry();
  private final AtomicInteger halves = new AtomicInteger();

  BreakerMeters(String downstream) {
    this.downstream = downstream;
    Gauge.builder("microshop.breaker.open", halves, h -> h.get() / 2.0)
        .description("1 while the gateway's circuit to a service is open, 0.5 half-open, 0 closed")
        .tag("downstream", downstream)
        .register(registry);
  }

  void now(CircuitBreakerState state) {
    halves.set(
        switch (state) {
          case OPEN -> 2;
          case HALF_OPEN -> 1;
          case CLOSED -> 0;
        });
    Counter.builder("microshop.breaker.transitions")
        .description("Transitions of the gateway's circuit to a service, by the state it went to")
        .tag("downstream", downstream)
        .tag("to", state.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry)
        .increment();
  }
}
