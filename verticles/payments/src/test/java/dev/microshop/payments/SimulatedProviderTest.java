package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The provider's latency and concurrency cap, with a hand-driven clock: each call's wait is a
 * promise the test completes, so nothing here depends on timing.
 */
class SimulatedProviderTest {
  /** The waits the provider asked for, in order: the milliseconds and the promise that ends it. */
  private final List<Long> askedMs = new ArrayList<>();

  private final List<Promise<Void>> waits = new ArrayList<>();

  private SimulatedProvider provider(int latencyMs, int maxConcurrent) {
    return new SimulatedProvider(
        new ProviderConfig(true, latencyMs, maxConcurrent),
        ms -> {
          askedMs.add(ms);
          Promise<Void> wait = Promise.promise();
          waits.add(wait);
          return wait.future();
        });
  }

  @Test
  void eachCallWaitsTheConfiguredLatencyBeforeItIsAnswered() {
    SimulatedProvider provider = provider(50, 4);

    Future<Void> answer = provider.authorize(UUID.randomUUID());

    assertThat(askedMs).containsExactly(50L);
    assertThat(answer.isComplete()).as("answered before its wait ended").isFalse();
    waits.get(0).complete();
    assertThat(answer.succeeded()).isTrue();
  }

  @Test
  void noMoreThanMaxConcurrentCallsAreInFlightAndTheRestQueueInOrder() {
    SimulatedProvider provider = provider(50, 3);
    List<Future<Void>> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answers.add(provider.authorize(UUID.randomUUID()));
    }

    assertThat(provider.calls()).as("calls started at once").isEqualTo(3);
    assertThat(provider.queued()).isEqualTo(7);
    waits.get(1).complete();
    assertThat(answers.get(1).succeeded()).isTrue();
    assertThat(provider.calls()).as("one call ended, the next in line started").isEqualTo(4);
    for (int i = 0; i < waits.size(); i++) {
      waits.get(i).tryComplete(); // waits grows as queued calls start
    }

    assertThat(answers).allMatch(Future::succeeded);
    assertThat(provider.calls()).isEqualTo(10);
    assertThat(provider.peakInFlight()).isEqualTo(3);
    assertThat(askedMs).hasSize(10).containsOnly(50L);
  }

  @Test
  void aSecondCallForAnOrderStillWaitingJoinsTheFirstInsteadOfCallingAgain() {
    SimulatedProvider provider = provider(50, 1);
    UUID order = UUID.randomUUID();

    Future<Void> first = provider.authorize(order);
    Future<Void> redelivered = provider.authorize(order);

    assertThat(redelivered).isSameAs(first);
    waits.get(0).complete();
    assertThat(provider.calls()).isEqualTo(1);
    provider.authorize(order);
    assertThat(provider.calls()).as("a later call is a new call").isEqualTo(2);
  }
}
