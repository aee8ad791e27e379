package dev.microshop.gateway;

import com.hazelcast.core.HazelcastInstance;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.grid.hazelcast.Bucket4jHazelcast;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.Bucket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets per client IP (anonymous routes), per user (authenticated routes) and per account (login
 * attempts). In a cluster the buckets live in Hazelcast, so a limit holds across gateway instances; in the
 * monolith they are local. A rejected request gets 429 with the seconds until a token is back.
 */
final class RateLimits {
  enum Kind { ANONYMOUS, USER, LOGIN }

  private final Vertx vertx;
  private final Map<Kind, BucketConfiguration> configs;
  private final AsyncProxyManager<String> cluster;
  private final Map<String, LocalBucket> local = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, LocalBucket> eldest) {
      return size() > 100_000;
    }
  };

  RateLimits(Vertx vertx, HazelcastInstance hazelcast, JsonObject config) {
    this.vertx = vertx;
    this.configs = Map.of(
        Kind.ANONYMOUS, perMinute(config.getInteger("anonymousPerMinute")),
        Kind.USER, perMinute(config.getInteger("userPerMinute")),
        Kind.LOGIN, perMinute(config.getInteger("loginPerAccountPerMinute")));
    this.cluster = hazelcast == null ? null
        : Bucket4jHazelcast.<String>entryProcessorBasedBuilder(hazelcast.getMap("microshop.rate-limits")).build().asAsync();
  }

  /** Succeeds when a token was available; otherwise fails with a 429 problem carrying Retry-After. */
  Future<Void> take(Kind kind, String key) {
    String id = kind.name().toLowerCase() + ":" + key;
    Future<ConsumptionProbe> probe = cluster == null
        ? Future.succeededFuture(localBucket(kind, id).tryConsumeAndReturnRemaining(1))
        : Future.fromCompletionStage(cluster.builder()
            .build(id, () -> CompletableFuture.completedFuture(configs.get(kind)))
            .tryConsumeAndReturnRemaining(1), vertx.getOrCreateContext());
    return probe.compose(p -> p.isConsumed() ? Future.succeededFuture() : Future.failedFuture(limited(kind, p)));
  }

  private synchronized LocalBucket localBucket(Kind kind, String id) {
    return local.computeIfAbsent(id, k -> Bucket.builder().addLimit(configs.get(kind).getBandwidths()[0]).build());
  }

  private static Problems.HttpProblem limited(Kind kind, ConsumptionProbe probe) {
    long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
    String what = switch (kind) {
      case LOGIN -> "too many login attempts for this account";
      case USER -> "too many requests from this user";
      case ANONYMOUS -> "too many requests from this address";
    };
    return new Problems.HttpProblem(429, what + "; retry in " + seconds + " s", null,
        Map.of("Retry-After", Long.toString(seconds)));
  }

  private static BucketConfiguration perMinute(int capacity) {
    return BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofMinutes(1)).build())
        .build();
  }
}
