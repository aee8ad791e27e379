package dev.microshop.launcher.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The environment of one test's processes: its own cluster name and Hazelcast ports (so it never
 * joins a developer's running {@code up} or another test's cluster), a data directory, dev mode,
 * and the repo's real config.
 */
public final class TestEnv {
  private static final int PORTS = 10;
  private static final int EPHEMERAL = 32_768;
  private final Map<String, String> env = new HashMap<>();
  private final Path dataDir;

  private TestEnv(Path dataDir) {
    this.dataDir = dataDir;
    int base = freePortRange(PORTS);
    env.put("MICROSHOP_CONFIG_DIR", repoRoot().resolve("config").toString());
    env.put("MICROSHOP_CLUSTER_CONFIG_FILE", repoRoot().resolve("cluster.xml").toString());
    env.put("MICROSHOP_CLUSTER_NAME", "test-" + UUID.randomUUID());
    env.put("MICROSHOP_CLUSTER_PORT", Integer.toString(base));
    env.put(
        "MICROSHOP_CLUSTER_MEMBERS",
        IntStream.range(base, base + PORTS)
            .mapToObj(p -> "127.0.0.1:" + p)
            .collect(Collectors.joining(",")));
    env.put("MICROSHOP_DATA_DIR", dataDir.toString());
    // Tests start single services on the embedded database, as a developer beside up does.
    env.put("MICROSHOP_DEV", "true");
    // Tests poll /v1/status for what they just changed: a fresh report each time, and no limit.
    env.put("MICROSHOP_GATEWAY_STATUS_CACHE_MS", "1");
    env.put("MICROSHOP_GATEWAY_RATE_LIMIT_STATUS_PER_MINUTE", "1000000");
    env.put("MICROSHOP_DB_DURABLE", "false");
    env.put("MICROSHOP_GATEWAY_HTTP_PORT", "0");
    // Each service has a fixed management port by default; tests run many JVMs of one service
    // side by side, and beside a developer's up.
    env.put("MICROSHOP_MANAGEMENT_PORT", "0");
  }

  private TestEnv(TestEnv original) {
    this.dataDir = original.dataDir;
    env.putAll(original.env);
  }

  /**
   * The same environment (cluster name and ports included), to change without touching the
   * original.
   */
  public static TestEnv copyOf(TestEnv original) {
    return new TestEnv(original);
  }

  /**
   * A fresh environment whose data directory is {@code dataDir} (shared embedded database or a
   * private one).
   */
  public static TestEnv in(Path dataDir) {
    return new TestEnv(dataDir);
  }

  public TestEnv with(String name, String value) {
    env.put(name, value);
    return this;
  }

  public TestEnv without(String name) {
    env.remove(name);
    return this;
  }

  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  public Path dataDir() {
    return dataDir;
  }

  public static Path jar() {
    Path jar =
        Path.of(System.getProperty("microshop.launcher.jar", "target/launcher.jar"))
            .toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: integration tests run after 'package'");
    }
    return jar;
  }

  public static Path repoRoot() {
    return Path.of(System.getProperty("microshop.repo.root", "..")).toAbsolutePath().normalize();
  }

  /**
   * The first of {@code count} consecutive ports free on 127.0.0.1 now, from a range of fixed ports
   * (for a test of what a fixed port does; everything else binds port 0).
   */
  public static int freePortRange(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      // Below Linux's ephemeral ports (32768 and up): a port free now in that range may become the
      // source port of any outgoing connection a moment later. UpIT's inventory once found its
      // management port, 35371, taken that way.
      int base =
          20_000 + ThreadLocalRandom.current().nextInt((EPHEMERAL - 20_000) / PORTS - 1) * PORTS;
      if (IntStream.range(base, base + count).allMatch(TestEnv::free)) {
        return base;
      }
    }
    throw new IllegalStateException("no free range of " + count + " ports");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
