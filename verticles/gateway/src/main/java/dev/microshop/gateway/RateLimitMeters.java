package dev.microshop.gateway;

import dev.microshop.platform.observability.Metrics;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Requests the gateway refused with 429, in {@code /metrics}: {@code microshop_rate_limited_total}
 * by kind of limit, each kind at zero from the start. The kinds are the {@link RateLimits.Kind}s
 * (lower case) and the concurrency bounds: password checks in flight per address ({@link
 * AddressGate}) and live streams per user.
 */
final class RateLimitMeters {
  static final String NAME = "microshop.rate.limited";
  static final String PASSWORD_CHECKS = "password_checks";
  static final String LIVE_STREAMS = "live_streams";

  private RateLimitMeters() {}

  /** Every kind, so the series exist before the first refusal. */
  static void register() {
    kinds().forEach(RateLimitMeters::counter);
  }

  static List<String> kinds() {
    List<String> kinds = new ArrayList<>();
    for (RateLimits.Kind kind : RateLimits.Kind.values()) {
      kinds.add(label(kind));
    }
    kinds.add(PASSWORD_CHECKS);
    kinds.add(LIVE_STREAMS);
    return kinds;
  }

  static void rejected(RateLimits.Kind kind) {
    rejected(label(kind));
  }

  static void rejected(String kind) {
    counter(kind).increment();
  }

  static String label(RateLimits.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  static Counter counter(String kind) {
    return Counter.builder(NAME)
        .description("Requests refused with 429 by the gateway, by kind of limit")
        .tag("kind", kind)
        .register(Metrics.registry());
  }
}
