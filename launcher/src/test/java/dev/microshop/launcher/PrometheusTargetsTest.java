package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.microshop.launcher.support.TestEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file_sd targets file up keeps, and the Prometheus config shipped with the alerts and
 * dashboards ({@code deploy/monitoring/prometheus.yml}) that reads it.
 */
class PrometheusTargetsTest {
  private static final Path MONITORING = TestEnv.repoRoot().resolve("deploy").resolve("monitoring");

  @TempDir Path dir;

  @Test
  void eachReadyInstanceIsOneGroupWithItsLabelsAndOnlyItsOwnExitDropsIt() throws Exception {
    PrometheusTargets targets = new PrometheusTargets(dir);
    targets.reset();
    assertThat(groups()).isEmpty();

    targets.ready("users", ready(9192, 101, "node-a"));
    targets.ready("payments", ready(9195, 102, "node-b"));
    targets.exited("payments", 999); // an older process of payments: not the one listed
    assertThat(groups())
        .isEqualTo(
            new JsonArray()
                .add(group("127.0.0.1:9192", "users", "node-a", "101"))
                .add(group("127.0.0.1:9195", "payments", "node-b", "102")));

    targets.exited("payments", 102);
    targets.ready("payments", ready(9195, 103, "node-c"));
    assertThat(groups())
        .isEqualTo(
            new JsonArray()
                .add(group("127.0.0.1:9192", "users", "node-a", "101"))
                .add(group("127.0.0.1:9195", "payments", "node-c", "103")));
    try (Stream<Path> files = Files.list(targets.file().getParent())) {
      assertThat(files)
          .as("nothing but the file (no temporary left)")
          .containsExactly(targets.file());
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(targets.file())))
        .as("readable by a Prometheus running as another user")
        .isEqualTo("rw-r--r--");
  }

  @Test
  void theShippedScrapeConfigReadsTheFileUpWritesInTheDefaultDataDirAndScrapesMetrics()
      throws Exception {
    String yml = Files.readString(MONITORING.resolve("prometheus.yml"));
    String common = Files.readString(TestEnv.repoRoot().resolve("config").resolve("common.json"));

    assertThat(new JsonObject(common).getString("dataDir")).isEqualTo(".microshop");
    assertThat(yml)
        .contains("metrics_path: /metrics")
        .contains("file_sd_configs:")
        .contains("- ../../.microshop/prometheus/targets.json")
        .contains("rule_files:\n  - alerts.yml\n");
  }

  @Test
  void promtoolAcceptsTheShippedScrapeConfigAndTheTargetsFile() throws Exception {
    assumeTrue(onPath("promtool"), "promtool is not installed: promtool check config skipped");
    // The config and the alert rules it loads, where it looks for them (it checks them too).
    Path monitoring = Files.createDirectories(dir.resolve("deploy").resolve("monitoring"));
    Files.copy(MONITORING.resolve("prometheus.yml"), monitoring.resolve("prometheus.yml"));
    Files.copy(MonitoringRulesTest.RULES, monitoring.resolve("alerts.yml"));
    PrometheusTargets targets = new PrometheusTargets(dir.resolve(".microshop"));
    targets.ready("orders", ready(9194, 104, "node-d"));

    Process check =
        new ProcessBuilder(
                "promtool", "check", "config", monitoring.resolve("prometheus.yml").toString())
            .redirectErrorStream(true)
            .start();
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(check.exitValue()).as(output).isZero();
    // A warning would mean it did not find, and so did not check, the targets file.
    assertThat(output).contains("SUCCESS").doesNotContain("WARNING");
  }

  private JsonArray groups() throws Exception {
    return new JsonArray(Files.readString(dir.resolve("prometheus").resolve("targets.json")));
  }

  private static JsonObject ready(int port, long pid, String nodeId) {
    return new JsonObject()
        .put("management", "http://127.0.0.1:" + port)
        .put("pid", pid)
        .put("nodeId", nodeId);
  }

  private static JsonObject group(String target, String service, String nodeId, String pid) {
    return new JsonObject()
        .put("targets", new JsonArray().add(target))
        .put(
            "labels",
            new JsonObject().put("service", service).put("instance_id", nodeId).put("pid", pid));
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
  }
}
