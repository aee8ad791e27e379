package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.microshop.launcher.support.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in deploy/monitoring, checked by Prometheus' own tool: they load, and their unit
 * tests (alerts-test.yml: what fires, what must not) pass. That the metrics they read exist in a
 * live scrape is FirstRunIT's part ({@link #metricNames}).
 */
class MonitoringRulesTest {
  static final Path RULES = TestEnv.repoRoot().resolve("deploy/monitoring/alerts.yml");
  private static final Pattern METRIC =
      Pattern.compile("\\b((?:microshop|vertx|jvm|process)_[a-z0-9_]+)\\b");

  @Test
  void promtoolLoadsTheRules() throws Exception {
    String output = promtool("check", "rules", RULES.toString());

    assertThat(output).contains("SUCCESS");
  }

  @Test
  void theRulesUnitTestsPassUnderPromtool() throws Exception {
    String output = promtool("test", "rules", RULES.resolveSibling("alerts-test.yml").toString());

    assertThat(output).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void theRulesReadMicroshopsOwnMetrics() throws IOException {
    assertThat(metricNames(RULES))
        .contains(
            "microshop_breaker_open",
            "microshop_outbox_lag_seconds",
            "microshop_outbox_dead",
            "vertx_http_server_requests_total",
            "vertx_http_server_response_time_seconds_bucket");
  }

  /** The metric names a rules (or dashboard) file reads; recorded series and {@code up} are not. */
  static Set<String> metricNames(Path file) throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher matcher = METRIC.matcher(Files.readString(file));
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  private static String promtool(String... args) throws Exception {
    assumeTrue(
        onPath(), "promtool is not installed (Debian package prometheus): rules not checked");
    String[] command = new String[args.length + 1];
    command[0] = "promtool";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static boolean onPath() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "promtool"))) {
        return true;
      }
    }
    return false;
  }
}
