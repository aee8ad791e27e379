package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's view of which services run, when the registry fails at once or does not answer at
 * all.
 */
class DiscoveryCacheTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aRegistryThatFailsAtOnceLeavesTheLastKnownAnswerAndTheNextReadStillRuns() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    List<Future<List<Record>>> answers =
        new ArrayList<>(
            List.of(
                Future.succeededFuture(List.of(record("inventory"))),
                Future.failedFuture("Not Member!"),
                Future.succeededFuture(List.of())));
    DiscoveryCache cache =
        new DiscoveryCache(vertx, () -> answers.get(Math.min(reads.getAndIncrement(), 2)), 0);
    onContext(cache::start);

    assertThat(onContext(() -> cache.recheck("inventory")))
        .as("the failed read keeps what was known")
        .isTrue();
    assertThat(onContext(() -> cache.recheck("inventory")))
        .as("a later read runs and is taken")
        .isFalse();
    assertThat(reads.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aServiceMissingFromReadsStaysAvailableForTheGracePeriodAndNotAfter() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    List<Future<List<Record>>> answers =
        List.of(
            Future.succeededFuture(List.of(record("inventory"))),
            Future.succeededFuture(List.of()));
    DiscoveryCache cache =
        new DiscoveryCache(vertx, () -> answers.get(Math.min(reads.getAndIncrement(), 1)), 1_000);
    onContext(cache::start);

    assertThat(onContext(() -> cache.recheck("inventory")))
        .as("missing from the last read, listed less than a second ago (a merge, a republish)")
        .isTrue();
    assertThat(onContext(() -> cache.recheck("payments"))).as("never listed").isFalse();
    Thread.sleep(1_100);
    assertThat(onContext(() -> cache.recheck("inventory"))).as("gone for over a second").isFalse();
    assertThat(reads.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aRecheckWaitsAtMostItsBoundForARegistryThatHangsAndReadsDoNotPileUp() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    Promise<List<Record>> never = Promise.promise();
    List<Future<List<Record>>> answers =
        List.of(Future.succeededFuture(List.of(record("orders"))), never.future());
    DiscoveryCache cache =
        new DiscoveryCache(vertx, () -> answers.get(Math.min(reads.getAndIncrement(), 1)));
    onContext(cache::start);

    long started = System.nanoTime();
    boolean first = onContext(() -> cache.recheck("orders"));
    boolean second = onContext(() -> cache.recheck("payments"));
    Duration waited = Duration.ofNanos(System.nanoTime() - started);

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    assertThat(waited).isLessThan(Duration.ofMillis(2 * DiscoveryCache.RECHECK_WAIT_MS + 1_000));
    assertThat(reads.get()).as("both rechecks shared the one hanging read").isEqualTo(2);
  }

  private <T> T onContext(Supplier<Future<T>> work) throws Exception {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(v -> work.get().onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  private static Record record(String service) {
    return new Record().setName(service).setType("microshop-service").setLocation(new JsonObject());
  }
}
