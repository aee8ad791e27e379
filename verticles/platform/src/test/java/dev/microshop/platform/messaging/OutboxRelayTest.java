package dev.microshop.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.LongSummaryStatistics;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The relay's retry schedule; delivery itself is covered by OutboxIT on a real database. */
class OutboxRelayTest {
  private static final int SAMPLES = 2_000;

  @Test
  void theNthRetryWaitsBetweenHalfAndAllOfBaseTimesTwoToTheNMinusOne() {
    OutboxSettings schedule = schedule(200, 30_000);

    for (int attempts = 1; attempts <= 8; attempts++) {
      long ceiling = 200L << (attempts - 1);
      LongSummaryStatistics delays = sample(schedule, attempts);

      assertThat(delays.getMin()).as("attempt %d", attempts).isGreaterThanOrEqualTo(ceiling / 2);
      assertThat(delays.getMax()).as("attempt %d", attempts).isLessThanOrEqualTo(ceiling);
      // Jitter spreads retries that failed together over the whole range rather than one instant.
      assertThat(delays.getMax() - delays.getMin())
          .as("attempt %d", attempts)
          .isGreaterThan(ceiling / 4);
    }
  }

  @Test
  void theDelayIsCappedAtTheMaximumAndNeverOverflowsForManyAttempts() {
    OutboxSettings schedule = schedule(200, 30_000);

    for (int attempts : new int[] {9, 12, 21, 40, 64, 1_000, Integer.MAX_VALUE}) {
      LongSummaryStatistics delays = sample(schedule, attempts);

      assertThat(delays.getMin()).as("attempt %d", attempts).isGreaterThanOrEqualTo(15_000);
      assertThat(delays.getMax()).as("attempt %d", attempts).isLessThanOrEqualTo(30_000);
    }
  }

  @Test
  void theLargestConfigurableSettingsStayWithinTheCap() {
    OutboxSettings schedule = schedule(Integer.MAX_VALUE, Integer.MAX_VALUE);

    for (int attempts : new int[] {1, 2, 40, Integer.MAX_VALUE}) {
      LongSummaryStatistics delays = sample(schedule, attempts);

      assertThat(delays.getMin()).isGreaterThanOrEqualTo(Integer.MAX_VALUE / 2);
      assertThat(delays.getMax()).isLessThanOrEqualTo(Integer.MAX_VALUE);
    }
  }

  @Test
  void aFirstAttemptOrNoneYetWaitsAboutTheBase() {
    OutboxSettings schedule = schedule(50, 30_000);

    for (int attempts : new int[] {-1, 0, 1}) {
      LongSummaryStatistics delays = sample(schedule, attempts);

      assertThat(delays.getMin()).isGreaterThanOrEqualTo(25);
      assertThat(delays.getMax()).isLessThanOrEqualTo(50);
    }
  }

  @Test
  void aOneMillisecondBaseDoesNotBreakTheRandomRange() {
    OutboxSettings schedule = schedule(1, 1);

    assertThat(sample(schedule, 1).getMax()).isLessThanOrEqualTo(1);
    assertThat(sample(schedule, 30).getMin()).isGreaterThanOrEqualTo(0);
  }

  private static LongSummaryStatistics sample(OutboxSettings schedule, int attempts) {
    return LongStream.range(0, SAMPLES).map(i -> schedule.backoffMs(attempts)).summaryStatistics();
  }

  @Test
  void anInboxRetentionShorterThanTheRetriesOfAMessageIsAStartupError() {
    // 12 attempts x 60 s: a message can come back up to 720 s after its first delivery.
    JsonObject config = config(200, 60_000).put("inboxRetentionSeconds", 720);

    assertThatThrownBy(() -> new OutboxRelay(null, null, wrap(config)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbox.inboxRetentionSeconds")
        .hasMessageContaining("720 s");
    assertThat(new OutboxRelay(null, null, wrap(config.put("inboxRetentionSeconds", 721))))
        .isNotNull();
  }

  private static OutboxSettings schedule(long baseBackoffMs, long maxBackoffMs) {
    return OutboxSettings.from(
        wrap(config(baseBackoffMs, maxBackoffMs).put("inboxRetentionSeconds", Integer.MAX_VALUE)));
  }

  private static JsonObject config(long baseBackoffMs, long maxBackoffMs) {
    return new JsonObject()
        .put("batchSize", 100)
        .put("pollMs", 500)
        .put("maxAttempts", 12)
        .put("baseBackoffMs", baseBackoffMs)
        .put("maxBackoffMs", maxBackoffMs);
  }

  private static JsonObject wrap(JsonObject outbox) {
    return new JsonObject()
        .put("bus", new JsonObject().put("requestTimeoutMs", 2000))
        .put("outbox", outbox);
  }
}
