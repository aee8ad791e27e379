package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {
  private static final Set<String> COMMON =
      Set.of("service", "dataDir", "cluster.host", "db.host", "db.password", "db.passwordFile");
  private static final Map<String, String> PARENT =
      Map.ofEntries(
          Map.entry("PATH", "/usr/bin"),
          Map.entry("HOME", "/home/dev"),
          Map.entry("LANG", "C.UTF-8"),
          Map.entry("LC_ALL", "C.UTF-8"),
          Map.entry("JAVA_TOOL_OPTIONS", "-Dx=y"),
          Map.entry("AWS_SECRET_ACCESS_KEY", "cloud-secret"),
          Map.entry("PGPASSWORD", "superuser-secret"),
          Map.entry("MICROSHOP_CONFIG_DIR", "/repo/config"),
          Map.entry("MICROSHOP_DATA_DIR", "/data"),
          Map.entry("MICROSHOP_CLUSTER_HOST", "10.0.0.5"),
          Map.entry("MICROSHOP_SERVICE", "nonsense"),
          Map.entry("MICROSHOP_DB_PASSWORD", "shared-db-password"),
          Map.entry("MICROSHOP_ORDERS_DB_PASSWORD", "orders-password"),
          Map.entry("MICROSHOP_PAYMENTS_DB_PASSWORD", "payments-password"),
          Map.entry("MICROSHOP_ORDERS_SAGA_SCAN_MS", "500"),
          Map.entry("MICROSHOP_USERS_AUTH_SIGNING_KEY", "the-signing-key"),
          Map.entry("MICROSHOP_AUTH_SIGNING_KEY_FILE", "/keys/signing.pem"),
          Map.entry("MICROSHOP_USERS_ADMIN_PASSWORD", "admin-password"),
          Map.entry("MICROSHOP_GATEWAY_HTTP_PORT", "8080"),
          Map.entry("MICROSHOP_HTTP_HOST", "0.0.0.0"));

  @Test
  void aServiceGetsTheSystemBasicsTheSharedSettingsAndOnlyItsOwnSettingsAndSecrets() {
    Map<String, String> orders =
        ChildEnvironment.of("orders", union(COMMON, Set.of("saga.scanMs")), PARENT, Map.of());

    assertThat(orders)
        .containsOnlyKeys(
            "PATH",
            "HOME",
            "LANG",
            "LC_ALL",
            "JAVA_TOOL_OPTIONS",
            "MICROSHOP_CONFIG_DIR",
            "MICROSHOP_DATA_DIR",
            "MICROSHOP_CLUSTER_HOST",
            "MICROSHOP_DB_PASSWORD",
            "MICROSHOP_ORDERS_DB_PASSWORD",
            "MICROSHOP_ORDERS_SAGA_SCAN_MS");
    assertThat(orders.values())
        .doesNotContain(
            "payments-password",
            "the-signing-key",
            "admin-password",
            "superuser-secret",
            "cloud-secret");
  }

  @Test
  void onlyUsersGetsTheSigningKeyAndTheAdminPassword() {
    Set<String> usersKeys =
        union(
            COMMON,
            Set.of(
                "auth.signingKey", "auth.signingKeyFile", "admin.password", "admin.passwordFile"));
    Map<String, String> users = ChildEnvironment.of("users", usersKeys, PARENT, Map.of());
    assertThat(users)
        .containsEntry("MICROSHOP_USERS_AUTH_SIGNING_KEY", "the-signing-key")
        .containsEntry("MICROSHOP_AUTH_SIGNING_KEY_FILE", "/keys/signing.pem")
        .containsEntry("MICROSHOP_USERS_ADMIN_PASSWORD", "admin-password")
        .doesNotContainKey("MICROSHOP_ORDERS_DB_PASSWORD");

    // Even if a settings file gave the gateway these keys, their values stay with users.
    Map<String, String> gateway =
        ChildEnvironment.of("gateway", union(usersKeys, Set.of("http.port")), PARENT, Map.of());
    assertThat(gateway)
        .containsEntry("MICROSHOP_GATEWAY_HTTP_PORT", "8080")
        .doesNotContainKeys(
            "MICROSHOP_USERS_AUTH_SIGNING_KEY",
            "MICROSHOP_AUTH_SIGNING_KEY_FILE",
            "MICROSHOP_USERS_ADMIN_PASSWORD",
            "MICROSHOP_DB_PASSWORD");
  }

  @Test
  void aSettingOfAnotherServiceIsNotPassedEvenInItsSharedForm() {
    Map<String, String> orders = ChildEnvironment.of("orders", COMMON, PARENT, Map.of());
    assertThat(orders).doesNotContainKeys("MICROSHOP_HTTP_HOST", "MICROSHOP_GATEWAY_HTTP_PORT");
  }

  @Test
  void noServiceGetsDbInitsAdminPassword() {
    Map<String, String> parent = new java.util.HashMap<>(PARENT);
    parent.put("MICROSHOP_DB_INIT_ADMIN_URL", "postgresql://postgres@db/postgres");
    parent.put("MICROSHOP_DB_INIT_ADMIN_PASSWORD", "superuser-secret");
    parent.put("MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE", "/root/pg-admin");
    Set<String> keys =
        union(
            COMMON, Set.of("dbInit.adminUrl", "dbInit.adminPassword", "dbInit.adminPasswordFile"));

    for (String service : new String[] {"orders", "users", "gateway"}) {
      assertThat(ChildEnvironment.of(service, keys, parent, Map.of()))
          .as(service)
          .doesNotContainKeys(
              "MICROSHOP_DB_INIT_ADMIN_PASSWORD", "MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE");
    }
  }

  @Test
  void whatUpProvidesWins() {
    Map<String, String> orders =
        ChildEnvironment.of(
            "orders",
            COMMON,
            PARENT,
            Map.of("MICROSHOP_ORDERS_DB_HOST", "127.0.0.1", "MICROSHOP_CLUSTER_HOST", "127.0.0.1"));
    assertThat(orders)
        .containsEntry("MICROSHOP_ORDERS_DB_HOST", "127.0.0.1")
        .containsEntry("MICROSHOP_CLUSTER_HOST", "127.0.0.1");
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
