package dev.microshop.users;

import static dev.microshop.users.UsersIT.PASSWORD;
import static dev.microshop.users.UsersIT.login;
import static dev.microshop.users.UsersIT.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPrivateKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first admin: generated and printed once in dev mode, from env or a file in production, never
 * promoted.
 */
class AdminAccountIT {
  private static final String PRINTED = "microshop: created admin account ";
  private final String adminEmail = "admin-" + UUID.randomUUID() + "@microshop.local";
  @TempDir Path dir;

  @Test
  void devModeCreatesTheAdminWithAGeneratedPasswordPrintedOnceAndStoredOwnerOnly()
      throws Exception {
    Map<String, String> env =
        Map.of(
            "MICROSHOP_DEV",
            "true",
            "MICROSHOP_DATA_DIR",
            dir.toString(),
            "MICROSHOP_USERS_ADMIN_EMAIL",
            adminEmail);
    Path secret = dir.resolve("secrets").resolve("admin-password");
    String password;
    try (Stdout out = new Stdout();
        ServiceHarness users = start(env)) {
      password = Files.readString(secret).trim();
      assertThat(out.lines(PRINTED))
          .containsExactly(PRINTED + adminEmail + "; password in " + secret + ": " + password);
      assertThat(password).hasSizeGreaterThanOrEqualTo(32);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
          .isEqualTo("rw-------");
      assertAdminCanLogIn(users, password);
    }

    try (Stdout out = new Stdout();
        ServiceHarness users = start(env)) {
      assertThat(out.lines(PRINTED)).isEmpty();
      assertThat(Files.readString(secret).trim()).isEqualTo(password);
      assertAdminCanLogIn(users, password);
      assertThat(adminRows(users)).containsExactly("admin");
    }
  }

  @Test
  void twoInstancesStartingAtOnceCreateOneAdminAndPrintItOnce() throws Exception {
    Map<String, String> env =
        Map.of(
            "MICROSHOP_DEV",
            "true",
            "MICROSHOP_DATA_DIR",
            dir.toString(),
            "MICROSHOP_USERS_ADMIN_EMAIL",
            adminEmail);
    List<ServiceHarness> started = new ArrayList<>();
    try (Stdout out = new Stdout()) {
      CompletableFuture<ServiceHarness> first = CompletableFuture.supplyAsync(() -> start(env));
      CompletableFuture<ServiceHarness> second = CompletableFuture.supplyAsync(() -> start(env));
      started.add(first.join());
      started.add(second.join());

      assertThat(out.lines(PRINTED)).hasSize(1);
      assertThat(adminRows(started.get(0))).containsExactly("admin");
      assertThat(kid(started.get(0))).isEqualTo(kid(started.get(1)));
      assertAdminCanLogIn(
          started.get(1), Files.readString(dir.resolve("secrets/admin-password")).trim());
    } finally {
      started.forEach(ServiceHarness::close);
    }
  }

  @Test
  void inProductionTheAdminPasswordComesFromTheEnvironmentAndNothingIsPrintedOrGenerated()
      throws Exception {
    String password = "admin password from a vault";
    try (Stdout out = new Stdout();
        ServiceHarness users = production(Map.of("MICROSHOP_USERS_ADMIN_PASSWORD", password))) {
      assertThat(out.lines(PRINTED)).isEmpty();
      assertAdminCanLogIn(users, password);
    }
    assertThat(dir.resolve("secrets/admin-password")).doesNotExist();
  }

  @Test
  void inProductionTheAdminPasswordCanComeFromAFile() throws Exception {
    Path file = dir.resolve("admin-password.txt");
    Files.writeString(file, "admin password in a file\n");

    try (ServiceHarness users =
        production(Map.of("MICROSHOP_USERS_ADMIN_PASSWORD_FILE", file.toString()))) {
      assertAdminCanLogIn(users, "admin password in a file");
    }
  }

  @Test
  void inProductionWithoutAPasswordNoAdminIsCreatedAndARegisteredEmailIsNeverPromoted()
      throws Exception {
    try (ServiceHarness users = production(Map.of())) {
      assertThat(adminRows(users)).isEmpty();
      users.request(
          UsersApi.REGISTER, registration(adminEmail.toUpperCase(), "Squatter", PASSWORD), null);
    }
    assertThat(dir.resolve("secrets/admin-password")).doesNotExist();

    try (ServiceHarness users =
        production(Map.of("MICROSHOP_USERS_ADMIN_PASSWORD", "admin password from a vault"))) {
      assertThat(adminRows(users)).containsExactly("customer");
      ReplyException refused =
          users.failure(
              UsersApi.ISSUE_TOKEN, login(adminEmail, "admin password from a vault"), null);
      assertThat(refused.failureCode()).isEqualTo(401);
      JsonObject squatter =
          Jwt.parse(
                  users
                      .request(UsersApi.ISSUE_TOKEN, login(adminEmail, PASSWORD), null)
                      .getString("accessToken"))
              .claims();
      assertThat(squatter.getJsonArray("roles")).isEqualTo(new JsonArray().add("customer"));
    }
  }

  @Test
  void anAdminPasswordBreakingThePolicyIsRefusedAtStart() {
    ConfigException refused =
        catchThrowableOfType(
            ConfigException.class,
            () -> production(Map.of("MICROSHOP_USERS_ADMIN_PASSWORD", "short")));

    assertThat(refused.key()).isEqualTo("admin.password");
    assertThat(refused.getMessage()).contains("at least 10 characters").doesNotContain("short");
  }

  private void assertAdminCanLogIn(ServiceHarness users, String password) {
    JsonObject token = users.request(UsersApi.ISSUE_TOKEN, login(adminEmail, password), null);
    JsonObject claims = Jwt.parse(token.getString("accessToken")).claims();
    assertThat(claims.getJsonArray("roles")).isEqualTo(new JsonArray().add("admin"));
    assertThat(claims.getString("email")).isEqualTo(adminEmail);
  }

  /** The roles of every account with the admin email, in any case. */
  private List<String> adminRows(ServiceHarness users) throws Exception {
    List<String> roles = new ArrayList<>();
    try (Connection c = users.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT roles FROM users WHERE lower(email) = lower(?)")) {
      s.setString(1, adminEmail);
      ResultSet rows = s.executeQuery();
      while (rows.next()) {
        roles.add(String.join(",", (String[]) rows.getArray(1).getArray()));
      }
    }
    return roles;
  }

  private static String kid(ServiceHarness users) {
    return users
        .request(UsersApi.KEYS, new JsonObject(), null)
        .getJsonArray("keys")
        .getJsonObject(0)
        .getString("kid");
  }

  private static ServiceHarness start(Map<String, String> env) {
    try {
      return ServiceHarness.start(Services.USERS, UsersVerticle::new, env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private ServiceHarness production(Map<String, String> extra) throws Exception {
    Path key = dir.resolve("signing-key.pem");
    if (!Files.exists(key)) {
      Files.writeString(key, EcKeys.toPem((ECPrivateKey) EcKeys.generate().getPrivate()));
    }
    Map<String, String> env = new HashMap<>(extra);
    env.put("MICROSHOP_DEV", "false");
    env.put("MICROSHOP_DATA_DIR", dir.toString());
    env.put("MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE", key.toString());
    env.put("MICROSHOP_USERS_ADMIN_EMAIL", adminEmail);
    return ServiceHarness.start(Services.USERS, UsersVerticle::new, env);
  }
}
