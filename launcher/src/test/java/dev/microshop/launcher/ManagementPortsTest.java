package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.service.ManagementPort;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each service's management port: a stable default from its config file (the table in
 * docs/operations.md), overridable, 0 for any free port, and a taken or shared one refused before
 * anything starts, naming the setting, the port and the variable that changes it.
 */
class ManagementPortsTest {
  private static final Map<String, Integer> DOCUMENTED =
      Map.of(
          "all",
          9190,
          Services.GATEWAY,
          9191,
          Services.USERS,
          9192,
          Services.INVENTORY,
          9193,
          Services.ORDERS,
          9194,
          Services.PAYMENTS,
          9195,
          Services.NOTIFICATIONS,
          9196);

  @Test
  void everyServiceAndTheMonolithHaveTheirOwnDocumentedDefaultPort() {
    Map<String, Integer> defaults = new LinkedHashMap<>();
    for (String node : DOCUMENTED.keySet()) {
      defaults.put(node, ManagementPort.of(Settings.load(node, Map.of())));
    }

    assertThat(defaults).isEqualTo(DOCUMENTED);
    assertThat(defaults.values()).doesNotHaveDuplicates();
  }

  @Test
  void aServiceVariableOverridesItsPortAndZeroStillMeansAnyFreePortForEveryService() {
    assertThat(
            ManagementPort.of(
                Settings.load(
                    Services.PAYMENTS, Map.of("MICROSHOP_PAYMENTS_MANAGEMENT_PORT", "19195"))))
        .isEqualTo(19195);
    assertThat(
            ManagementPort.of(
                Settings.load(Services.ORDERS, Map.of("MICROSHOP_PAYMENTS_MANAGEMENT_PORT", "1"))))
        .isEqualTo(9194);

    Map<String, Integer> plan = ManagementPorts.plan(Map.of("MICROSHOP_MANAGEMENT_PORT", "0"));

    assertThat(plan.keySet()).containsExactlyElementsOf(Services.ALL);
    assertThat(plan.values()).containsOnly(0);
  }

  @Test
  void aTakenPortIsRefusedNamingTheSettingTheAddressAndTheVariableToChange() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Map<String, String> env = new HashMap<>(Map.of("MICROSHOP_MANAGEMENT_PORT", "0"));
      env.put("MICROSHOP_ORDERS_MANAGEMENT_PORT", Integer.toString(port));

      assertThatThrownBy(() -> ManagementPorts.plan(env))
          .isInstanceOf(ConfigException.class)
          .hasFieldOrPropertyWithValue("key", "management.port")
          .hasMessage(
              "management port 127.0.0.1:"
                  + port
                  + " (management.port of orders) is already in use; stop what holds it, or set"
                  + " MICROSHOP_ORDERS_MANAGEMENT_PORT to a free port (0 = any free port, which a"
                  + " scraper cannot predict)");
      // The monolith has no variables of its own: it is told the common one.
      assertThatThrownBy(
              () ->
                  ManagementPort.requireFree(
                      Settings.load(
                          "all", Map.of("MICROSHOP_MANAGEMENT_PORT", Integer.toString(port)))))
          .hasMessageContaining("(management.port of all)")
          .hasMessageContaining("set MICROSHOP_MANAGEMENT_PORT to a free port");
    }
  }

  @Test
  void oneFixedPortGivenToEveryServiceIsRefusedNamingTwoOfThem() {
    assertThatThrownBy(() -> ManagementPorts.plan(Map.of("MICROSHOP_MANAGEMENT_PORT", "19190")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad setting management.port: users and inventory are both given port 19190 (a single"
                + " MICROSHOP_MANAGEMENT_PORT sets every service's); give each its own with"
                + " MICROSHOP_USERS_MANAGEMENT_PORT and MICROSHOP_INVENTORY_MANAGEMENT_PORT, or 0"
                + " for any free port");
  }

  @Test
  void portZeroIsNeverRefused() {
    for (String service : Services.ALL) {
      ManagementPort.requireFree(Settings.load(service, Map.of("MICROSHOP_MANAGEMENT_PORT", "0")));
    }
  }
}
