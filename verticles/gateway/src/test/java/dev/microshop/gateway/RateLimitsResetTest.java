package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hazelcast OSS lets a stranger who knows the cluster name delete or rewrite any map entry: the
 * security limits must survive it. A real one-member Hazelcast holds the cluster buckets; the test
 * plays the stranger by clearing and corrupting the map the gateway's buckets live in.
 */
class RateLimitsResetTest {
  private static final JsonObject LIMITS =
      new JsonObject()
          .put("anonymousPerMinute", 1000)
          .put("userPerMinute", 1000)
          .put("loginFailuresPerAccountAndAddressPerMinute", 5)
          .put("loginFailuresPerAccountAndAddressPerHour", 20)
          .put("loginFailuresPerAccountPerMinute", 50)
          .put("loginFailuresPerAccountPerHour", 500)
          .put("invalidTokensPerMinute", 5);

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;

  @BeforeAll
  static void startHazelcast() throws Exception {
    Config config =
        new Config()
            .setClusterName("rate-limits-reset-" + UUID.randomUUID())
            .setProperty("hazelcast.logging.type", "slf4j")
            .setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    new RateLimitSerializers().contribute(config);
    hazelcast = Hazelcast.newHazelcastInstance(config);
    vertx = Vertx.vertx();
    warmUp();
  }

  /**
   * The first entry-processor calls load classes and can take longer than the limits wait for the
   * cluster: until one answers in time, try again with a fresh instance (a late answer sends an
   * instance local for a while).
   */
  private static void warmUp() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      RateLimits limits = new RateLimits(vertx, hazelcast, LIMITS);
      take(limits, RateLimits.Kind.INVALID_TOKEN, "warm-up");
      if (!limits.isLocal()) {
        return;
      }
    }
    throw new AssertionError("Hazelcast never answered within " + RateLimits.CLUSTER_WAIT_MS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (hazelcast != null) {
      hazelcast.getLifecycleService().terminate();
    }
  }

  @Test
  void clearingTheClusterBucketsLiftsNoLoginOrInvalidTokenLimit() throws Exception {
    RateLimits limits = new RateLimits(vertx, hazelcast, LIMITS);
    String fromAddress = "victim@example.com 192.0.2.7";
    String address = "192.0.2.8";
    spend(limits, RateLimits.Kind.LOGIN_FROM_ADDRESS, fromAddress, 5);
    spend(limits, RateLimits.Kind.INVALID_TOKEN, address, 5);
    assertThat(limits.isLocal()).as("the cluster answered every take").isFalse();
    assertThat(buckets().containsKey("login_from_address:" + fromAddress)).isTrue();
    assertThat(buckets().containsKey("invalid_token:" + address)).isTrue();

    buckets().clear(); // what a stranger on Hazelcast can do

    assertLimited(take(limits, RateLimits.Kind.LOGIN_FROM_ADDRESS, fromAddress));
    assertLimited(take(limits, RateLimits.Kind.INVALID_TOKEN, address));
    assertThat(limits.isLocal()).isFalse();
  }

  @Test
  void aCorruptedClusterBucketLiftsNoLimitEither() throws Exception {
    RateLimits limits = new RateLimits(vertx, hazelcast, LIMITS);
    String address = "192.0.2.9";
    spend(limits, RateLimits.Kind.INVALID_TOKEN, address, 5);

    buckets().put("invalid_token:" + address, new byte[] {1, 2, 3});

    assertLimited(take(limits, RateLimits.Kind.INVALID_TOKEN, address));
  }

  @Test
  void theClusterBucketStillCountsAcrossGatewayInstances() throws Exception {
    RateLimits one = new RateLimits(vertx, hazelcast, LIMITS);
    RateLimits other = new RateLimits(vertx, hazelcast, LIMITS);
    String address = "192.0.2.10";
    spend(one, RateLimits.Kind.INVALID_TOKEN, address, 3);
    spend(other, RateLimits.Kind.INVALID_TOKEN, address, 2);
    assertThat(one.isLocal() || other.isLocal()).as("the cluster answered every take").isFalse();

    assertLimited(take(other, RateLimits.Kind.INVALID_TOKEN, address));
    // The refused token went back to the other instance's own bucket: it had taken two of five.
    buckets().clear();
    spend(other, RateLimits.Kind.INVALID_TOKEN, address, 3);
    assertLimited(take(other, RateLimits.Kind.INVALID_TOKEN, address));
  }

  private static IMap<String, byte[]> buckets() {
    return hazelcast.getMap("microshop.rate-limits");
  }

  private static void spend(RateLimits limits, RateLimits.Kind kind, String key, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      assertThat(take(limits, kind, key).succeeded()).as("%s take %d", kind, i + 1).isTrue();
    }
  }

  private static void assertLimited(Future<Void> taken) {
    assertThat(taken.failed()).as("refused").isTrue();
    assertThat(taken.cause())
        .isInstanceOfSatisfying(
            Problems.HttpProblem.class,
            p -> {
              assertThat(p.status).isEqualTo(429);
              assertThat(p.headers).containsKey("Retry-After");
            });
  }

  private static Future<Void> take(RateLimits limits, RateLimits.Kind kind, String key)
      throws Exception {
    Future<Void> take = limits.take(kind, key);
    return take.transform(ignored -> Future.succeededFuture(take)).await(10, TimeUnit.SECONDS);
  }
}
