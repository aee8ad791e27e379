package dev.microshop.gateway;

import com.hazelcast.core.HazelcastInstance;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.RemoteAsyncBucketBuilder;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.grid.hazelcast.Bucket4jHazelcast;
import io.github.bucket4j.local.LocalBucket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets per client IP (anonymous routes), per user (authenticated routes), per client IP
 * for invalid tokens and, for logins, per failed attempt: per (account, client IP) and per account.
 * In a cluster the buckets live in Hazelcast, so a limit holds across gateway instances; in the
 * monolith they are local. A rejected request gets 429 with the seconds until a token is back.
 *
 * <p>Login buckets count failures only ({@link #giveBack} returns the token of an attempt that did
 * not fail on its password), and each has a per-minute and a per-hour bandwidth, so the wait grows:
 * with the defaults of {@code config/gateway.json} ({@code
 * rateLimit.loginFailuresPerAccountAndAddress PerMinute} 5, {@code ...PerHour} 20) a sixth wrong
 * guess from one address waits about 12 s, the twenty-first about 3 minutes. A guesser on one
 * address cannot lock the owner out: the owner's address has its own bucket. Many addresses
 * together meet the per-account ceiling ({@code loginFailuresPerAccountPerMinute} 50, {@code
 * ...PerHour} 500), beyond which every address gets 429 for that account: it caps a distributed
 * guess, at the price of a lockout that an attacker with many addresses can cause.
 *
 * <p>Asking Hazelcast for every request costs an entry-processor round trip to the bucket's
 * partition owner, often another JVM: more than the rest of a catalog read. So a bucket of a
 * generous limit (at least {@value #MIN_DELAYED_CAPACITY} a minute, anonymous or user) is consumed
 * from a local copy that is synchronised with the cluster once it has taken 1 % of the capacity or
 * every {@value #SYNC_MS} ms (Bucket4j's delaying optimisation): each gateway instance may
 * overshoot by that 1 % between synchronisations. Login buckets ask the cluster every time and are
 * exact.
 *
 * <p>Hazelcast OSS lets any process that knows the cluster name join and delete or rewrite map
 * entries, so a cluster bucket alone is not a security limit: a stranger resetting it would lift
 * the brute-force limits. The {@linkplain Kind#exact exact} kinds (login failures, invalid tokens)
 * are therefore taken from this instance's own in-JVM bucket first and then from the cluster's, and
 * refused when either is empty: a reset cluster bucket still leaves each gateway's own limit, and a
 * stranger's writes can only make the limit stricter (denial of service, not access).
 *
 * <p>A limit must never take the API down with it. The bucket's partition may live on a JVM that
 * hangs (a long GC pause, a frozen process): Hazelcast then waits for it until the heartbeat
 * timeout drops it. So a cluster answer is waited for at most {@value #CLUSTER_WAIT_MS} ms; after
 * that every limit is enforced from this instance's local buckets for {@value #LOCAL_FOR_MS} ms
 * (each instance then allows the full limit on its own: a trade of exactness for availability; the
 * exact kinds' local buckets have counted all along, so they lose only the other instances' share),
 * and the cluster is asked again.
 */
final class RateLimits {
  enum Kind {
    ANONYMOUS(false),
    USER(false),
    /** Failed logins on one account from one client address. */
    LOGIN_FROM_ADDRESS(true),
    /** Failed logins on one account from all addresses: the ceiling. */
    LOGIN(true),
    /** Status reports per client address. */
    STATUS(false),
    /** Requests with a token that failed verification, per client address. */
    INVALID_TOKEN(true);

    /**
     * A security limit: asked of the cluster every time, never from a delayed local copy, and held
     * by this instance's own bucket too.
     */
    final boolean exact;

    Kind(boolean exact) {
      this.exact = exact;
    }
  }

  private final Vertx vertx;
  private final Map<Kind, BucketConfiguration> configs;
  static final int MIN_DELAYED_CAPACITY = 200;
  static final long SYNC_MS = 250;
  private static final int MAX_BUCKETS = 100_000;
  static final long CLUSTER_WAIT_MS = 250;
  static final long LOCAL_FOR_MS = 5_000;
  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);

  private final AsyncProxyManager<String> cluster;
  private final Map<String, AsyncBucketProxy> proxies = lru();
  private final Map<String, LocalBucket> local = lru();
  private final SpentBudgets spent = new SpentBudgets(MAX_BUCKETS);
  private volatile long
      localUntil; // System.nanoTime(): the cluster did not answer in time, limits are local until

  RateLimits(Vertx vertx, HazelcastInstance hazelcast, JsonObject config) {
    this.vertx = vertx;
    this.localUntil = System.nanoTime(); // already past: ask the cluster
    RateLimitMeters.register();
    this.configs =
        Map.of(
            Kind.ANONYMOUS, perMinute(config.getInteger("anonymousPerMinute")),
            Kind.USER, perMinute(config.getInteger("userPerMinute")),
            Kind.LOGIN_FROM_ADDRESS,
                perMinuteAndHour(
                    config.getInteger("loginFailuresPerAccountAndAddressPerMinute"),
                    config.getInteger("loginFailuresPerAccountAndAddressPerHour")),
            Kind.LOGIN,
                perMinuteAndHour(
                    config.getInteger("loginFailuresPerAccountPerMinute"),
                    config.getInteger("loginFailuresPerAccountPerHour")),
            Kind.STATUS, perMinute(config.getInteger("statusPerMinute", 60)),
            Kind.INVALID_TOKEN, perMinute(config.getInteger("invalidTokensPerMinute", 30)));
    this.cluster =
        hazelcast == null
            ? null
            : Bucket4jHazelcast.<String>entryProcessorBasedBuilder(
                    hazelcast.getMap("microshop.rate-limits"))
                .build()
                .asAsync();
  }

  /**
   * Succeeds when a token was available; otherwise fails with a 429 problem carrying Retry-After.
   */
  Future<Void> take(Kind kind, String key) {
    String id = id(kind, key);
    Future<ConsumptionProbe> probe;
    if (kind.exact) {
      probe = exact(kind, id);
    } else if (cluster == null || isLocal()) {
      probe = Future.succeededFuture(localBucket(kind, id).tryConsumeAndReturnRemaining(1));
    } else {
      probe = fromCluster(kind, id, () -> localBucket(kind, id).tryConsumeAndReturnRemaining(1));
    }
    return probe.compose(
        p -> {
          if (kind.exact) {
            spent.record(id, p, nanosPerToken(kind));
          }
          return p.isConsumed() ? Future.succeededFuture() : Future.failedFuture(limited(kind, p));
        });
  }

  /**
   * Fails at once with 429, asking nobody, while {@code key}'s bucket of an exact {@code kind} was
   * last seen empty (by {@link #take} on this instance) and no token is back yet; succeeds
   * otherwise. Costs a map lookup: what may run before work that is worth sparing (an ECDSA
   * verification).
   */
  Future<Void> unlessSpent(Kind kind, String key) {
    long nanos = spent.nanosToWait(id(kind, key));
    return nanos <= 0
        ? Future.succeededFuture()
        : Future.failedFuture(limited(kind, ConsumptionProbe.rejected(0, nanos, nanos)));
  }

  /**
   * Returns a token {@link #take} took, for a request that turned out not to count (a login that
   * did not fail on its password). Best effort: a refund that does not reach the cluster in time is
   * dropped (logged), the limit errs on the strict side.
   */
  void giveBack(Kind kind, String key) {
    String id = id(kind, key);
    spent.forget(id);
    if (kind.exact || cluster == null || isLocal()) {
      localBucket(kind, id).addTokens(1);
    }
    if (cluster == null || isLocal()) {
      return;
    }
    Future.fromCompletionStage(clusterBucket(kind, id).addTokens(1), vertx.getOrCreateContext())
        .timeout(CLUSTER_WAIT_MS, TimeUnit.MILLISECONDS)
        .onFailure(
            e -> LOG.warn("rate limits: a {} token was not given back: {}", kind, e.toString()));
  }

  /**
   * This instance's own bucket, which nothing outside this JVM can refill, then the cluster's: the
   * stricter answer wins. A token the cluster refuses is returned to the local bucket, so the local
   * bucket counts only attempts that went through; a cluster that does not answer in time leaves
   * the local answer.
   */
  private Future<ConsumptionProbe> exact(Kind kind, String id) {
    LocalBucket mine = localBucket(kind, id);
    ConsumptionProbe here = mine.tryConsumeAndReturnRemaining(1);
    if (!here.isConsumed() || cluster == null || isLocal()) {
      return Future.succeededFuture(here);
    }
    return fromCluster(kind, id, () -> here)
        .map(
            there -> {
              if (!there.isConsumed()) {
                mine.addTokens(1);
                return there;
              }
              return ConsumptionProbe.consumed(
                  Math.min(here.getRemainingTokens(), there.getRemainingTokens()),
                  Math.max(here.getNanosToWaitForReset(), there.getNanosToWaitForReset()));
            });
  }

  private static String id(Kind kind, String key) {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + key;
  }

  /**
   * Most requests are answered at once from the proxy's local copy (the delaying optimisation):
   * those are taken as they are, with no context hop and no timer; only a call that goes to the
   * cluster is waited for, boundedly.
   */
  private Future<ConsumptionProbe> fromCluster(
      Kind kind, String id, Supplier<ConsumptionProbe> unanswered) {
    CompletableFuture<ConsumptionProbe> asked =
        clusterBucket(kind, id).tryConsumeAndReturnRemaining(1);
    if (asked.isDone() && !asked.isCompletedExceptionally()) {
      return Future.succeededFuture(asked.join());
    }
    return Future.fromCompletionStage(asked, vertx.getOrCreateContext())
        .timeout(CLUSTER_WAIT_MS, TimeUnit.MILLISECONDS)
        .recover(
            e -> {
              goLocal(e);
              return Future.succeededFuture(unanswered.get());
            });
  }

  private void goLocal(Throwable cause) {
    if (!isLocal()) {
      LOG.warn(
          "rate limits: the cluster did not answer within {} ms ({}); enforcing them locally for {} ms",
          CLUSTER_WAIT_MS,
          cause.getMessage(),
          LOCAL_FOR_MS);
    }
    localUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOCAL_FOR_MS);
  }

  /** True while limits are enforced from this instance's local buckets only. */
  boolean isLocal() {
    return System.nanoTime() - localUntil < 0;
  }

  /** The proxy is kept: with the delaying optimisation it holds the local copy of the bucket. */
  private synchronized AsyncBucketProxy clusterBucket(Kind kind, String id) {
    return proxies.computeIfAbsent(
        id,
        k -> {
          BucketConfiguration config = configs.get(kind);
          long capacity = config.getBandwidths()[0].getCapacity();
          RemoteAsyncBucketBuilder<String> builder = cluster.builder();
          if (!kind.exact && capacity >= MIN_DELAYED_CAPACITY) {
            builder =
                builder.withOptimization(
                    Optimizations.delaying(
                        new DelayParameters(capacity / 100, Duration.ofMillis(SYNC_MS))));
          }
          return builder.build(id, () -> CompletableFuture.completedFuture(config));
        });
  }

  private synchronized LocalBucket localBucket(Kind kind, String id) {
    return local.computeIfAbsent(
        id,
        k -> {
          var builder = Bucket.builder();
          for (Bandwidth limit : configs.get(kind).getBandwidths()) {
            builder = builder.addLimit(limit);
          }
          return builder.build();
        });
  }

  /** A refusal, counted ({@link RateLimitMeters}). */
  private static Problems.HttpProblem limited(Kind kind, ConsumptionProbe probe) {
    RateLimitMeters.rejected(kind);
    long seconds =
        Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
    String what =
        switch (kind) {
          case LOGIN -> "too many failed login attempts for this account";
          case LOGIN_FROM_ADDRESS ->
              "too many failed login attempts for this account from this address";
          case USER -> "too many requests from this user";
          case ANONYMOUS -> "too many requests from this address";
          case STATUS -> "too many status requests from this address";
          case INVALID_TOKEN -> "too many requests with an invalid token from this address";
        };
    return new Problems.HttpProblem(
        429,
        what + "; retry in " + seconds + " s",
        null,
        Map.of("Retry-After", Long.toString(seconds)));
  }

  /** How long one token of {@code kind}'s first (shortest) bandwidth takes to come back. */
  private long nanosPerToken(Kind kind) {
    Bandwidth first = configs.get(kind).getBandwidths()[0];
    return first.getRefillPeriodNanos() / first.getRefillTokens();
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_BUCKETS;
      }
    };
  }

  private static BucketConfiguration perMinuteAndHour(int perMinute, int perHour) {
    return BucketConfiguration.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(perMinute)
                .refillGreedy(perMinute, Duration.ofMinutes(1))
                .build())
        .addLimit(
            Bandwidth.builder()
                .capacity(perHour)
                .refillGreedy(perHour, Duration.ofHours(1))
                .build())
        .build();
  }

  private static BucketConfiguration perMinute(int capacity) {
    return BucketConfiguration.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(capacity)
                .refillGreedy(capacity, Duration.ofMinutes(1))
                .build())
        .build();
  }
}
