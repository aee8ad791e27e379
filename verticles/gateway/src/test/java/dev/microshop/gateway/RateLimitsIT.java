package dev.microshop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's rate limits in a real two-member Hazelcast cluster, the second member in a JVM of
 * its own that the test freezes (SIGSTOP), as a long GC pause or a hung process would: a limit
 * whose bucket that member owns must not hold up requests.
 */
class RateLimitsIT {
  private static final JsonObject LIMITS =
      new JsonObject()
          .put("anonymousPerMinute", 1000)
          .put("userPerMinute", 1000)
          .put("loginFailuresPerAccountAndAddressPerMinute", 5)
          .put("loginFailuresPerAccountAndAddressPerHour", 20)
          .put("loginFailuresPerAccountPerMinute", 5)
          .put("loginFailuresPerAccountPerHour", 20);

  @TempDir Path dir;
  private Process member;
  private HazelcastInstance local;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (member != null) {
      signal("CONT", member.pid());
      member.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (local != null) {
      local.getLifecycleService().terminate();
    }
  }

  @Test
  void aLimitOwnedByAHungMemberIsEnforcedLocallyWithoutWaitingForIt() throws Exception {
    int port = freePort();
    String cluster = "rate-limits-" + UUID.randomUUID();
    Path xml = dir.resolve("member.xml");
    Files.writeString(xml, memberXml(cluster, port + 1, port));
    member =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dhazelcast.config=" + xml,
                "com.hazelcast.core.server.HazelcastMemberStarter")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("member.log").toFile())
            .start();
    local = Hazelcast.newHazelcastInstance(config(cluster, port, port + 1));
    awaitMembers(2, Duration.ofSeconds(60));
    Member remote =
        local.getCluster().getMembers().stream()
            .filter(m -> !m.localMember())
            .findFirst()
            .orElseThrow();
    String account = ownedBy(remote, "login:", "account");
    vertx = Vertx.vertx();
    RateLimits limits = new RateLimits(vertx, local, LIMITS);

    warmUp(limits, ownedBy(remote, "login:", "warm-up"));
    assertThat(await(limits.take(RateLimits.Kind.LOGIN, account)).succeeded()).isTrue();
    assertThat(limits.isLocal()).as("a healthy cluster answers").isFalse();

    signal("STOP", member.pid());
    long started = System.nanoTime();
    Future<Void> taken = await(limits.take(RateLimits.Kind.LOGIN, account));
    Duration waited = Duration.ofNanos(System.nanoTime() - started);

    assertThat(taken.succeeded()).as("taken from the local bucket").isTrue();
    assertThat(waited)
        .as("the cluster is waited for at most %d ms", RateLimits.CLUSTER_WAIT_MS)
        .isLessThan(Duration.ofMillis(RateLimits.CLUSTER_WAIT_MS + 1_000));
    assertThat(limits.isLocal()).isTrue();
    // Locally the limit still holds: 5 a minute, of which the local bucket has given two (a login
    // limit counts in this instance's own bucket while the cluster answers too).
    for (int i = 0; i < 3; i++) {
      assertThat(await(limits.take(RateLimits.Kind.LOGIN, account)).succeeded())
          .as("attempt %d", i + 3)
          .isTrue();
    }
    Future<Void> sixth = await(limits.take(RateLimits.Kind.LOGIN, account));
    assertThat(sixth.failed()).isTrue();
    assertThat(sixth.cause())
        .isInstanceOfSatisfying(
            Problems.HttpProblem.class, p -> assertThat(p.status).isEqualTo(429));
  }

  /**
   * The first entry-processor call to the other JVM loads classes on both sides and can take longer
   * than the limits wait on a busy machine; until one answers in time, wait out the local period
   * and try again.
   */
  private static void warmUp(RateLimits limits, String account) throws Exception {
    for (int attempt = 0; attempt < 10; attempt++) {
      await(
          limits.take(RateLimits.Kind.LOGIN, account)); // answered, even if refused, is what counts
      if (!limits.isLocal()) {
        return;
      }
      Thread.sleep(RateLimits.LOCAL_FOR_MS + 100);
    }
    throw new AssertionError(
        "the healthy cluster never answered within " + RateLimits.CLUSTER_WAIT_MS + " ms");
  }

  /** A key of the given prefix whose partition the member owns. */
  private String ownedBy(Member owner, String prefix, String name) {
    for (int i = 0; ; i++) {
      String account = name + "-" + i + "@example.com";
      if (owner.equals(local.getPartitionService().getPartition(prefix + account).getOwner())) {
        return account;
      }
    }
  }

  private void awaitMembers(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (local.getCluster().getMembers().size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the second member never joined; its log is in " + dir.resolve("member.log"));
      }
      Thread.sleep(100);
    }
    // Partitions are handed to the new member a moment after it joins.
    while (!local.getPartitionService().isClusterSafe() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private static Future<Void> await(Future<Void> take) throws Exception {
    return take.transform(ignored -> Future.succeededFuture(take)).await(10, TimeUnit.SECONDS);
  }

  private static Config config(String cluster, int port, int peer) {
    Config config =
        new Config()
            .setClusterName(cluster)
            .setProperty("hazelcast.logging.type", "slf4j")
            .setProperty("hazelcast.phone.home.enabled", "false")
            .setProperty("hazelcast.heartbeat.interval.seconds", "1")
            .setProperty(
                "hazelcast.max.no.heartbeat.seconds", "30"); // the member stays in while frozen
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config
        .getNetworkConfig()
        .getJoin()
        .getTcpIpConfig()
        .setEnabled(true)
        .addMember("127.0.0.1:" + port)
        .addMember("127.0.0.1:" + peer);
    return config;
  }

  private static String memberXml(String cluster, int port, int peer) {
    return """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>%s</cluster-name>
          <properties>
            <property name="hazelcast.phone.home.enabled">false</property>
            <property name="hazelcast.heartbeat.interval.seconds">1</property>
            <property name="hazelcast.max.no.heartbeat.seconds">30</property>
          </properties>
          <network>
            <port auto-increment="false">%d</port>
            <join>
              <auto-detection enabled="false"/>
              <multicast enabled="false"/>
              <tcp-ip enabled="true"><member>127.0.0.1:%d</member><member>127.0.0.1:%d</member></tcp-ip>
            </join>
            <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
          </network>
        </hazelcast>
        """
        .formatted(cluster, port, port, peer);
  }

  @SuppressWarnings("try") // the second socket only proves the next port is free too
  private static int freePort() throws IOException {
    for (int attempt = 0; ; attempt++) {
      try (ServerSocket first = new ServerSocket(0)) {
        int port = first.getLocalPort();
        try (ServerSocket second = new ServerSocket(port + 1)) {
          return port;
        } catch (IOException taken) {
          if (attempt > 20) {
            throw taken;
          }
        }
      }
    }
  }

  private static void signal(String name, long pid) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor())
        .isZero();
  }
}
