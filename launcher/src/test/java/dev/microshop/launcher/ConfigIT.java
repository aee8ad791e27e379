package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.TestEnv;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input at start: one line naming the problem, exit code 2, and no JVM left running. */
class ConfigIT {
  @TempDir Path dataDir;

  @Test
  void aNonIntegerPortExitsTwoNamingTheKeyAndTheVariable() {
    assertFailsWith(
        Map.of("MICROSHOP_MANAGEMENT_PORT", "abc"),
        new String[] {"orders"},
        "bad setting management.port",
        "MICROSHOP_MANAGEMENT_PORT=\"abc\" is not an integer");
  }

  @Test
  void aServiceSpecificOverrideIsValidatedToo() {
    assertFailsWith(
        Map.of("MICROSHOP_ORDERS_DB_POOL_SIZE", "0"),
        new String[] {"orders"},
        "bad setting db.poolSize",
        "out of range");
  }

  @Test
  void anInboxRetentionShorterThanTheRetriesOfAMessageExitsTwoBeforeAnythingStarts() {
    assertFailsWith(
        Map.of("MICROSHOP_OUTBOX_INBOX_RETENTION_SECONDS", "100"),
        new String[] {"orders"},
        "bad setting outbox.inboxRetentionSeconds",
        "100 s is not above the longest a message is retried");
  }

  @Test
  void aTrustedProxyThatIsNotAnAddressExitsTwoNamingTheSettingBeforeAnythingStarts() {
    assertFailsWith(
        Map.of("MICROSHOP_GATEWAY_HTTP_TRUSTED_PROXIES", "10.0.0.0/8,lb.internal"),
        new String[] {"gateway"},
        "bad setting http.trustedProxies",
        "\"lb.internal\" is not an IP address or CIDR block");
  }

  @Test
  void aCatalogStaleCopiesSettingOutOfRangeExitsTwoNamingItBeforeAnythingStarts() {
    assertFailsWith(
        Map.of("MICROSHOP_GATEWAY_CATALOG_STALE_COPIES", "-1"),
        new String[] {"gateway"},
        "bad setting catalog.staleCopies",
        "-1 is out of range 0..1000000 (0 keeps none)");
  }

  @Test
  void aPaymentsProviderSettingOutOfRangeExitsTwoNamingItBeforeAnythingStarts() {
    assertFailsWith(
        Map.of("MICROSHOP_PAYMENTS_PROVIDER_MAX_CONCURRENT", "0"),
        new String[] {"payments"},
        "bad setting provider.maxConcurrent",
        "0 is out of range 1..1000");
  }

  @Test
  void aMisspeltVariableIsRejectedRatherThanIgnored() {
    assertFailsWith(
        Map.of("MICROSHOP_MANAGMENT_PORT", "9000"),
        new String[] {"orders"},
        "MICROSHOP_MANAGMENT_PORT",
        "no such setting");
  }

  @Test
  void aMissingClusterFileIsAnErrorNotAFallbackToMulticast() {
    assertFailsWith(
        Map.of("MICROSHOP_CLUSTER_CONFIG_FILE", "/nonexistent/cluster.xml"),
        new String[] {"orders"},
        "bad setting cluster.configFile",
        "/nonexistent/cluster.xml does not exist");
  }

  @Test
  void aClusterMemberRangeIsRejected() {
    assertFailsWith(
        Map.of("MICROSHOP_CLUSTER_MEMBERS", "127.0.0.1:5701-5703"),
        new String[] {"gateway"},
        "bad setting cluster.members",
        "127.0.0.1:5701-5703");
  }

  @Test
  void aPublicClusterHostIsRefusedByAServiceAndByUpNamingTheSettingThatWouldAllowIt() {
    for (String command : new String[] {"orders", "up"}) {
      assertFailsWith(
          Map.of("MICROSHOP_CLUSTER_HOST", "8.8.8.8"),
          new String[] {command},
          "bad setting cluster.host: \"8.8.8.8\" is a public address",
          "MICROSHOP_CLUSTER_ALLOW_PUBLIC_HOST=true (cluster.allowPublicHost)");
      assertThat(dataDir.resolve("pg")).as("no database started by %s", command).doesNotExist();
      assertThat(dataDir.resolve("secrets")).as("no secret made by %s", command).doesNotExist();
    }
  }

  @Test
  void aServiceWithNoDatabaseHostAndNoDevFlagExitsTwoNamingTheSettingAndStartsNoDatabase() {
    for (String service : new String[] {"orders", "payments"}) {
      try (ServiceProcess process =
          ServiceProcess.start(TestEnv.in(dataDir).without("MICROSHOP_DEV").env(), service)) {
        assertThat(process.awaitExit(Duration.ofSeconds(30)))
            .as("exit code of %s", service)
            .isEqualTo(2);
        assertThat(process.lines())
            .as("output of %s", service)
            .containsExactly(
                "microshop: bad setting db.host: not set for "
                    + service
                    + "; give MICROSHOP_"
                    + service.toUpperCase()
                    + "_DB_HOST (or MICROSHOP_DB_HOST) to use a PostgreSQL server, or"
                    + " MICROSHOP_DEV=true for dev mode on the embedded database");
      }
      assertThat(dataDir.resolve("pg")).as("no database started by %s", service).doesNotExist();
    }
  }

  @Test
  void anUnknownServiceOrOptionExitsTwo() {
    assertFailsWith(Map.of(), new String[] {"ordrs"}, "unknown service 'ordrs'", "orders");
    assertFailsWith(
        Map.of(), new String[] {"--frobnicate"}, "unknown option '--frobnicate'", "--help");
  }

  @Test
  void helpDocumentsCommandsAndEverySettingsVariable() {
    ServiceProcess help = ServiceProcess.start(TestEnv.in(dataDir).env(), "--help");
    assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
    assertThat(help.output())
        .contains(
            "up",
            "all",
            "orders",
            "MICROSHOP_CLUSTER_MEMBERS",
            "MICROSHOP_DB_HOST",
            "MICROSHOP_MANAGEMENT_PORT",
            "MICROSHOP_TRACING_EXPORTER",
            "MICROSHOP_CONFIG_DIR");
  }

  @Test
  void aBusyPublicPortStopsUpAtOnceNamingThePortAndTheSettingWithNothingLeftRunning()
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String port = Integer.toString(taken.getLocalPort());
      String line =
          "microshop: port "
              + port
              + " (http.port of gateway) is in use; set MICROSHOP_GATEWAY_HTTP_PORT";
      for (String command : new String[] {"up", "gateway", "all"}) {
        long started = System.nanoTime();
        ServiceProcess process =
            ServiceProcess.start(
                TestEnv.in(dataDir).with("MICROSHOP_GATEWAY_HTTP_PORT", port).env(), command);

        assertThat(process.awaitExit(Duration.ofSeconds(30)))
            .as("exit code of %s", command)
            .isEqualTo(2);
        assertThat(process.lines()).as("output of %s", command).containsExactly(line);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .as("%s refused before starting anything", command)
            .isLessThan(Duration.ofSeconds(20));
        // Every service JVM of up starts after its database: no database, nothing left running.
        assertThat(dataDir.resolve("pg"))
            .as("no database was started by %s", command)
            .doesNotExist();
      }
    }
  }

  @Test
  void aTakenManagementPortStopsUpAServiceAndTheMonolithAtOnceNamingThePortAndTheVariable()
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      String port = Integer.toString(taken.getLocalPort());
      Map<String, String[]> runs =
          Map.of(
              "up", new String[] {"MICROSHOP_ORDERS_MANAGEMENT_PORT", "orders"},
              "orders", new String[] {"MICROSHOP_ORDERS_MANAGEMENT_PORT", "orders"},
              "all", new String[] {"MICROSHOP_MANAGEMENT_PORT", "all"});
      for (Map.Entry<String, String[]> run : runs.entrySet()) {
        String variable = run.getValue()[0];
        ServiceProcess process =
            ServiceProcess.start(TestEnv.in(dataDir).with(variable, port).env(), run.getKey());

        assertThat(process.awaitExit(Duration.ofSeconds(30)))
            .as("exit code of %s", run.getKey())
            .isEqualTo(2);
        assertThat(process.lines())
            .as("output of %s", run.getKey())
            .containsExactly(
                "microshop: management port 127.0.0.1:"
                    + port
                    + " (management.port of "
                    + run.getValue()[1]
                    + ") is already in use; stop what holds it, or set "
                    + variable
                    + " to a free port (0 = any free port, which a scraper cannot predict)");
        assertThat(dataDir.resolve("pg")).as("no database was started").doesNotExist();
      }
    }
  }

  @Test
  void aMisspeltKeyInAConfigFileExitsTwoNamingTheFileAndTheKey() throws Exception {
    Path config = copyOfConfig();
    Path gateway = config.resolve("gateway.json");
    Files.writeString(
        gateway, Files.readString(gateway).replace("\"pingTimeoutMs\"", "\"pingTimeoutMS\""));

    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"gateway"},
        "bad setting status.pingTimeoutMS: no such setting in " + gateway,
        "(did you mean status.pingTimeoutMs?)");
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"up"},
        "bad setting status.pingTimeoutMS: no such setting in " + gateway);
  }

  @Test
  void aValueOfTheWrongKindOrBrokenJsonInAConfigFileExitsTwoWithItsPlace() throws Exception {
    Path config = copyOfConfig();
    Path orders = config.resolve("orders.json");
    String original = Files.readString(orders);
    Files.writeString(
        orders, original.replace("\"deadlineSeconds\": 30", "\"deadlineSeconds\": \"30\""));
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"orders"},
        "bad setting saga.deadlineSeconds",
        "\"30\" is a string where " + orders + " needs an integer");

    Files.writeString(
        orders, original.replace("\"deadlineSeconds\": 30,", "\"deadlineSeconds\": 30"));
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"orders"},
        "bad setting " + orders + ": not valid JSON at line");
    assertThat(Files.readString(orders)).contains("deadlineSeconds"); // the edit above took

    Files.writeString(orders, original.substring(0, original.lastIndexOf('}')));
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"orders"},
        "bad setting " + orders + ": not valid JSON at line");
    Files.writeString(orders, "[" + original + "]");
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"orders"},
        "bad setting " + orders + ": holds a JSON list; a settings file is one JSON object");
    Files.writeString(
        orders, original.replace("\"deadlineSeconds\": 30", "\"deadlineSeconds\": {\"s\": 30}"));
    assertFailsWith(
        Map.of("MICROSHOP_CONFIG_DIR", config.toString()),
        new String[] {"orders"},
        "bad setting saga.deadlineSeconds: an object is given where "
            + orders
            + " needs an integer");
  }

  private Path copyOfConfig() throws Exception {
    Path copy = Files.createDirectories(dataDir.resolve("config"));
    try (var files = Files.list(TestEnv.repoRoot().resolve("config"))) {
      for (Path file : files.toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    return copy;
  }

  private void assertFailsWith(Map<String, String> bad, String[] args, String... expected) {
    TestEnv env = TestEnv.in(dataDir);
    bad.forEach(env::with);
    ServiceProcess process = ServiceProcess.start(env.env(), args);
    assertThat(process.awaitExit(Duration.ofSeconds(30))).as("exit code").isEqualTo(2);
    assertThat(process.lines()).as("one line of output").hasSize(1);
    assertThat(process.output())
        .startsWith("microshop: ")
        .contains(expected)
        .doesNotContain("REDACTED");
  }
}
