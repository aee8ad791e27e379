package dev.microshop.payments;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * The simulated external payment provider ({@code provider.*}): off by default. When on, every new
 * charge first waits {@code latencyMs} for the provider, at most {@code maxConcurrent} calls in
 * flight per payments JVM (a real provider is reached through a bounded HTTP connection pool), so a
 * payments JVM handles at most {@code maxConcurrent * 1000 / latencyMs} new charges a second and
 * another JVM adds as much again. It exists to measure scale-out; see docs/benchmarks.md.
 *
 * @param enabled whether charges call the provider at all
 * @param latencyMs how long each call takes
 * @param maxConcurrent calls in flight per JVM; the rest wait in line
 */
record ProviderConfig(boolean enabled, int latencyMs, int maxConcurrent) {
  static final int MAX_LATENCY_MS = 10_000;
  static final int MAX_CONCURRENT = 1_000;

  static ProviderConfig from(JsonObject config) {
    JsonObject provider = config.getJsonObject("provider", new JsonObject());
    Object enabled = provider.getValue("enabled", false);
    if (!(enabled instanceof Boolean on)) {
      throw new ConfigException("provider.enabled", "must be true or false");
    }
    int latency = setting(provider, "latencyMs", 50, MAX_LATENCY_MS);
    int concurrent = setting(provider, "maxConcurrent", 4, MAX_CONCURRENT);
    return new ProviderConfig(on, latency, concurrent);
  }

  /** Calls a payments JVM can complete per second: the ceiling this setting puts on charges. */
  double chargesPerSecond() {
    return maxConcurrent * 1000.0 / latencyMs;
  }

  private static int setting(JsonObject provider, String key, int fallback, int max) {
    Object value = provider.getValue(key, fallback);
    if (!(value instanceof Integer number)) {
      throw new ConfigException("provider." + key, "must be an integer in 1.." + max);
    }
    if (number < 1 || number > max) {
      throw new ConfigException("provider." + key, number + " is out of range 1.." + max);
    }
    return number;
  }
}
