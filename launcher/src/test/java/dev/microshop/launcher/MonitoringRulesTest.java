package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.microshop.launcher.support.TestEnv;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules in deploy/monitoring, checked by Prometheus' own tool: they load, and their unit
 * tests (alerts-test.yml: what fires, what must not) pass. That the metrics they read exist in a
 * live scrape is FirstRunIT's part ({@link #metricNames}).
 */
class MonitoringRulesTest {
  static final Path RULES = TestEnv.repoRoot().resolve("deploy/monitoring/alerts.yml");
  static final Path GRAFANA = TestEnv.repoRoot().resolve("deploy/monitoring/grafana");
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
            "microshop_orders_finished_total",
            "vertx_http_server_requests_total",
            "vertx_http_server_response_time_seconds_bucket");
  }

  /**
   * Every query of the Grafana dashboards is PromQL Prometheus parses: each becomes a recording
   * rule of a scratch rules file that promtool checks (it has no command to check a bare
   * expression). Dashboard variables are replaced by a value first.
   */
  @Test
  void promtoolParsesEveryDashboardQuery(@TempDir Path scratch) throws Exception {
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
    int n = 0;
    for (Path dashboard : dashboards()) {
      JsonObject json = new JsonObject(Files.readString(dashboard));
      for (Object panel : json.getJsonArray("panels")) {
        for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
          String expr = ((JsonObject) target).getString("expr").replace("$service", "orders");
          rules
              .append("      - record: dashboard:query_")
              .append(n++)
              .append("\n        expr: ")
              // A JSON string is a YAML double-quoted string too.
              .append(Json.encode(expr))
              .append('\n');
        }
      }
    }
    Path file = scratch.resolve("dashboard-queries.yml");
    Files.writeString(file, rules);

    assertThat(n).isGreaterThan(15);
    assertThat(promtool("check", "rules", file.toString())).contains("SUCCESS: " + n + " rules");
  }

  /** The three dashboards, each with a uid of its own and panels on the provisioned datasource. */
  @Test
  void eachDashboardHasAUidAndQueriesTheProvisionedPrometheus() throws Exception {
    String provisioned =
        Files.readString(GRAFANA.resolve("provisioning/datasources/microshop.yml"));
    Matcher uid = Pattern.compile("uid: (\\S+)").matcher(provisioned);
    assertThat(uid.find()).isTrue();
    Set<String> uids = new TreeSet<>();
    for (Path dashboard : dashboards()) {
      JsonObject json = new JsonObject(Files.readString(dashboard));
      uids.add(json.getString("uid"));
      assertThat(json.getJsonArray("panels")).as(dashboard.toString()).isNotEmpty();
      for (Object panel : json.getJsonArray("panels")) {
        assertThat(((JsonObject) panel).getJsonObject("datasource").getString("uid"))
            .as("%s: %s", dashboard.getFileName(), ((JsonObject) panel).getString("title"))
            .isEqualTo(uid.group(1));
      }
    }
    assertThat(uids).containsExactly("microshop-orders", "microshop-overview", "microshop-service");
  }

  static List<Path> dashboards() throws IOException {
    try (Stream<Path> files = Files.list(GRAFANA.resolve("dashboards"))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
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
