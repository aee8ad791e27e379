package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void upRunsTheWholeSystem() {
    Main.Command command = Main.parse(new String[] {"up"});

    assertThat(command).isEqualTo(new Main.Command(true, false, List.of()));
  }

  @Test
  void allRunsEveryServiceInOneJvm() {
    Main.Command command = Main.parse(new String[] {"all"});

    assertThat(command.up()).isFalse();
    assertThat(command.all()).isTrue();
    assertThat(command.services()).isEqualTo(Services.ALL);
  }

  @Test
  void oneServiceRunsJustThatService() {
    Main.Command command = Main.parse(new String[] {"orders"});

    assertThat(command).isEqualTo(new Main.Command(false, false, List.of("orders")));
  }

  @Test
  void severalServicesKeepTheirOrderAndDropRepeats() {
    Main.Command command = Main.parse(new String[] {"payments", "orders", "payments", "gateway"});

    assertThat(command)
        .isEqualTo(new Main.Command(false, false, List.of("payments", "orders", "gateway")));
  }

  @Test
  void anUnknownServiceIsAUsageErrorNamingIt() {
    assertThatThrownBy(() -> Main.parse(new String[] {"orders", "shipping"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("'shipping'")
        .hasMessageContaining("orders, payments");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThatThrownBy(() -> Main.parse(new String[] {"--frobnicate"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("unknown option '--frobnicate'");
  }

  @Test
  void upTakesNoOtherArgument() {
    assertThatThrownBy(() -> Main.parse(new String[] {"up", "orders"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("'up' takes no other argument");
    assertThatThrownBy(() -> Main.parse(new String[] {"orders", "all"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("'all' takes no other argument");
  }

  @Test
  void dbInitTakesItsSettingsFromTheEnvironmentOnly() {
    assertThat(Main.parse(new String[] {"db-init"}).dbInit()).isTrue();
    assertThat(Main.parse(new String[] {"db-init", "--help"})).isNull();
    assertThatThrownBy(() -> Main.parse(new String[] {"db-init", "postgresql://x@y"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("'db-init' takes no argument");
  }

  @Test
  void upTakesTracingAndNothingElse() {
    Main.Command traced = Main.parse(new String[] {"up", "--tracing"});
    assertThat(traced.up()).isTrue();
    assertThat(traced.tracing()).isTrue();
    assertThat(Main.parse(new String[] {"up"}).tracing()).isFalse();
    assertThatThrownBy(() -> Main.parse(new String[] {"up", "--trace"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("unknown option '--trace'");
    assertThatThrownBy(() -> Main.parse(new String[] {"up", "--tracing", "orders"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("'up' takes no other argument than --tracing");
    assertThatThrownBy(() -> Main.parse(new String[] {"orders", "--tracing"}))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("--tracing goes with up only");
    assertThat(Up.withTracing(Map.of("A", "b"))).containsEntry("MICROSHOP_UP_TRACING", "true");
  }

  @Test
  void secretsTakesExactlyOneDirectory() throws Exception {
    assertThat(Main.parse(new String[] {"secrets", "out/secrets"}).secretsDir())
        .isEqualTo(Path.of("out/secrets"));
    for (String[] bad :
        new String[][] {
          {"secrets"}, {"secrets", "a", "b"}, {"secrets", "--force"}, {"secrets", " "}
        }) {
      assertThatThrownBy(() -> Main.parse(bad))
          .isInstanceOf(Main.UsageException.class)
          .hasMessageContaining("usage: secrets <dir>");
    }
    Path file = Files.createTempFile("not-a-dir", ".txt");
    try {
      assertThatThrownBy(() -> Main.parse(new String[] {"secrets", file.toString()}))
          .isInstanceOf(Main.UsageException.class)
          .hasMessageContaining("is a file, not a directory");
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void helpReturnsNoCommand() {
    assertThat(Main.parse(new String[] {"--help"})).isNull();
    assertThat(Main.parse(new String[] {"-h"})).isNull();
    assertThat(Main.parse(new String[] {"orders", "--help"})).isNull();
  }

  @Test
  void noArgumentsIsAUsageError() {
    assertThatThrownBy(() -> Main.parse(new String[0]))
        .isInstanceOf(Main.UsageException.class)
        .hasMessageContaining("no command given");
  }

  @Test
  void helpListsEverySettingWithItsEnvVarFromTheBundledConfig() {
    // Surefire runs in the module directory, which has no ./config: Help must fall back to the
    // jar's copy.
    assertThat(Files.exists(Path.of("config", "common.json"))).isFalse();
    assertThat(getClass().getClassLoader().getResource("microshop/config/common.json")).isNotNull();

    String help = Help.text();

    assertThat(help)
        .contains(
            "MICROSHOP_DB_POOL_SIZE",
            "MICROSHOP_CLUSTER_MEMBERS",
            "MICROSHOP_GATEWAY_HTTP_PORT",
            "MICROSHOP_UP_READY_TIMEOUT_SECONDS",
            "MICROSHOP_CONFIG_DIR");
    for (String service : Services.ALL) {
      for (String key : Settings.flatten(Settings.load(service, Map.of())).keySet()) {
        if (!key.equals("service")) {
          assertThat(help)
              .as(key)
              .containsAnyOf(
                  Settings.envName(null, key) + " ", Settings.envName(service, key) + " ");
        }
      }
    }
    assertThat(help).containsPattern("db\\.poolSize +MICROSHOP_DB_POOL_SIZE +4\n");
    // A key of one service names that service's variable; one whose default differs per service
    // says so.
    assertThat(help)
        .containsPattern("http\\.port +MICROSHOP_GATEWAY_HTTP_PORT +8080 +\\(gateway\\)");
    assertThat(help).containsPattern("db\\.name +MICROSHOP_DB_NAME +the service's name");
    assertThat(help).doesNotContainPattern("db\\.user +MICROSHOP_DB_USER +users\\b");
  }
}
