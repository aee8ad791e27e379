package dev.microshop.platform.messaging;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The relay's settings ({@code outbox.*}, and the bus's request timeout) and what follows from
 * them.
 */
record OutboxSettings(
    int batchSize,
    int maxInFlight,
    long pollMs,
    int maxAttempts,
    long baseBackoffMs,
    long maxBackoffMs,
    long sendTimeoutMs,
    boolean deliverTwice,
    long retentionSeconds,
    long purgeMs,
    long inboxRetentionSeconds) {

  /** Reads and checks the settings of a service's config. */
  static OutboxSettings from(JsonObject config) {
    validate(config);
    JsonObject outbox = config.getJsonObject("outbox");
    return new OutboxSettings(
        outbox.getInteger("batchSize"),
        outbox.getInteger("maxInFlight", 1000),
        outbox.getLong("pollMs"),
        outbox.getInteger("maxAttempts"),
        outbox.getLong("baseBackoffMs"),
        outbox.getLong("maxBackoffMs"),
        config.getJsonObject("bus").getLong("requestTimeoutMs"),
        outbox.getBoolean("deliverTwice", false),
        outbox.getLong("retentionSeconds", 3600L),
        outbox.getLong("purgeMs", 60_000L),
        outbox.getLong("inboxRetentionSeconds", 86_400L));
  }

  /** See {@link OutboxRelay#validate}. */
  static void validate(JsonObject config) {
    JsonObject outbox = config.getJsonObject("outbox");
    if (outbox == null) {
      return;
    }
    int batchSize = outbox.getInteger("batchSize", 100);
    int maxInFlight = outbox.getInteger("maxInFlight", 1000);
    if (maxInFlight < batchSize) {
      throw new ConfigException(
          "outbox.maxInFlight", maxInFlight + " is below outbox.batchSize (" + batchSize + ")");
    }
    // A message can come back as long as its sender retries it; its id should still be in the
    // inbox by then. A coarse bound (it ignores send timeouts, leases and a sender that is down):
    // the consumers' own keys per order are the second line.
    long inboxRetentionSeconds = outbox.getLong("inboxRetentionSeconds", 86_400L);
    long longestRetryMs =
        outbox.getLong("maxAttempts", 100L) * outbox.getLong("maxBackoffMs", 30_000L);
    if (inboxRetentionSeconds * 1000 <= longestRetryMs) {
      throw new ConfigException(
          "outbox.inboxRetentionSeconds",
          inboxRetentionSeconds
              + " s is not above the longest a"
              + " message is retried (outbox.maxAttempts x outbox.maxBackoffMs = "
              + longestRetryMs / 1000
              + " s)");
    }
  }

  /**
   * Long enough for a send and its retries; a row leased longer than this is presumed lost and
   * claimed again.
   */
  long leaseSeconds() {
    return Math.max(1, (sendTimeoutMs * 3) / 1000);
  }

  /**
   * Exponential backoff with jitter: uniformly random in [c/2, c] where c = min(max, base *
   * 2^(attempts-1)), so retries of many rows that failed together spread out instead of arriving in
   * waves.
   */
  long backoffMs(int attempts) {
    long ceiling = Math.min(maxBackoffMs, baseBackoffMs << Math.min(20, Math.max(0, attempts - 1)));
    return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
  }
}
