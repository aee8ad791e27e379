package dev.microshop.users;

import static dev.microshop.users.UsersIT.PASSWORD;
import static dev.microshop.users.UsersIT.login;
import static dev.microshop.users.UsersIT.registration;
import static dev.microshop.users.UsersIT.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the signing key comes from, that it survives restarts, and that a rotation keeps old tokens
 * valid.
 */
class SigningKeysIT {
  @TempDir Path dir;

  @Test
  void theDevKeyIsGeneratedOnceOwnerOnlyAndKeptAcrossRestarts() throws Exception {
    Map<String, String> env = Map.of("MICROSHOP_DEV", "true", "MICROSHOP_DATA_DIR", dir.toString());
    String kid;
    String token;
    try (ServiceHarness users = ServiceHarness.start(Services.USERS, UsersVerticle::new, env)) {
      kid = onlyKid(users);
      token = tokenOfNewUser(users);
    }
    Path key = dir.resolve("keys").resolve("signing-key.pem");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())))
        .isEqualTo("rwx------");
    assertThat(
            EcKeys.thumbprint(
                EcKeys.publicKeyFromPem(Files.readString(dir.resolve("keys/signing-key.pub.pem")))))
        .isEqualTo(kid);
    String pemBefore = Files.readString(key);

    try (ServiceHarness users = ServiceHarness.start(Services.USERS, UsersVerticle::new, env)) {
      assertThat(onlyKid(users)).isEqualTo(kid);
      assertThat(Files.readString(key)).isEqualTo(pemBefore);
      JsonObject jwks = users.request(UsersApi.KEYS, new JsonObject(), null);
      assertThat(
              Jwt.parse(token)
                  .verifiesWith(Jwt.publicKey(jwks.getJsonArray("keys").getJsonObject(0))))
          .isTrue();
    }
  }

  @Test
  void duringARotationTheJwksHoldsBothKeysAndTokensOfTheOldKeyStillVerify() throws Exception {
    KeyPair old = EcKeys.generate();
    KeyPair current = EcKeys.generate();
    Path oldKey = write("old.pem", EcKeys.toPem((ECPrivateKey) old.getPrivate()));
    Path oldPublic = write("old.pub.pem", EcKeys.toPem((ECPublicKey) old.getPublic()));
    String oldKid = EcKeys.thumbprint((ECPublicKey) old.getPublic());
    String currentKid = EcKeys.thumbprint((ECPublicKey) current.getPublic());
    String oldToken;
    try (ServiceHarness users =
        production(Map.of("MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE", oldKey.toString()))) {
      assertThat(onlyKid(users)).isEqualTo(oldKid);
      oldToken = tokenOfNewUser(users);
    }

    // The new key as PEM text in the environment, the old public key from a file.
    try (ServiceHarness users =
        production(
            Map.of(
                "MICROSHOP_USERS_AUTH_SIGNING_KEY",
                    EcKeys.toPem((ECPrivateKey) current.getPrivate()),
                "MICROSHOP_USERS_AUTH_PREVIOUS_PUBLIC_KEY_FILES", oldPublic.toString()))) {
      JsonObject jwks = users.request(UsersApi.KEYS, new JsonObject(), null);
      List<String> kids =
          jwks.getJsonArray("keys").stream().map(k -> ((JsonObject) k).getString("kid")).toList();
      assertThat(kids).containsExactly(currentKid, oldKid);
      String newToken = tokenOfNewUser(users);
      assertThat(Jwt.parse(newToken).header().getString("kid")).isEqualTo(currentKid);
      assertThat(Jwt.parse(oldToken).header().getString("kid")).isEqualTo(oldKid);

      JWTAuth gateway =
          JWTAuth.create(
              users.vertx(),
              new JWTAuthOptions()
                  .setJwks(jwks.getJsonArray("keys").stream().map(JsonObject.class::cast).toList())
                  .setJWTOptions(
                      new JWTOptions().setIssuer("microshop").addAudience("microshop-api")));
      for (String token : List.of(oldToken, newToken)) {
        JsonObject principal =
            ServiceHarness.await(gateway.authenticate(new TokenCredentials(token))).principal();
        assertThat(principal.getString("sub"))
            .isEqualTo(Jwt.parse(token).claims().getString("sub"));
      }
    }
  }

  @Test
  void outsideDevModeWithoutASigningKeyTheServiceRefusesToStartNamingTheSetting() {
    ConfigException refused =
        catchThrowableOfType(ConfigException.class, () -> production(Map.of()));

    assertThat(refused).isNotNull();
    assertThat(refused.key()).isEqualTo("auth.signingKeyFile");
    assertThat(refused.getMessage())
        .startsWith("bad setting auth.signingKeyFile: not set")
        .contains("MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE");
    assertThat(dir.resolve("keys")).doesNotExist();
  }

  @Test
  void unusableKeyFilesAreRefusedNamingTheSettingAndTheFile() throws Exception {
    Path publicInsteadOfPrivate =
        write("wrong.pem", EcKeys.toPem((ECPublicKey) EcKeys.generate().getPublic()));
    Path missing = dir.resolve("missing.pem");
    Path goodKey = write("good.pem", EcKeys.toPem((ECPrivateKey) EcKeys.generate().getPrivate()));

    ConfigException notPrivate =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                production(
                    Map.of(
                        "MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE",
                        publicInsteadOfPrivate.toString())));
    ConfigException absent =
        catchThrowableOfType(
            ConfigException.class,
            () -> production(Map.of("MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE", missing.toString())));
    ConfigException previousAbsent =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                production(
                    Map.of(
                        "MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE", goodKey.toString(),
                        "MICROSHOP_USERS_AUTH_PREVIOUS_PUBLIC_KEY_FILES", missing.toString())));

    assertThat(notPrivate.key()).isEqualTo("auth.signingKeyFile");
    assertThat(notPrivate.getMessage())
        .contains(publicInsteadOfPrivate.toString())
        .contains("BEGIN PRIVATE KEY");
    assertThat(absent.key()).isEqualTo("auth.signingKeyFile");
    assertThat(absent.getMessage()).contains("cannot read " + missing);
    assertThat(previousAbsent.key()).isEqualTo("auth.previousPublicKeyFiles");
    assertThat(previousAbsent.getMessage()).contains(missing.toString());
  }

  @Test
  void aTokenLifetimeAboveADayIsRefused() throws Exception {
    ConfigException refused =
        catchThrowableOfType(
            ConfigException.class,
            () ->
                ServiceHarness.start(
                    Services.USERS,
                    UsersVerticle::new,
                    Map.of(
                        "MICROSHOP_DEV",
                        "true",
                        "MICROSHOP_DATA_DIR",
                        dir.toString(),
                        "MICROSHOP_USERS_AUTH_TOKEN_TTL_SECONDS",
                        "86401")));

    assertThat(refused.key()).isEqualTo("auth.tokenTtlSeconds");
  }

  private ServiceHarness production(Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>(extra);
    env.put("MICROSHOP_DEV", "false");
    env.put("MICROSHOP_DATA_DIR", dir.toString());
    return ServiceHarness.start(Services.USERS, UsersVerticle::new, env);
  }

  private Path write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static String onlyKid(ServiceHarness users) {
    JsonObject jwks = users.request(UsersApi.KEYS, new JsonObject(), null);
    assertThat(jwks.getJsonArray("keys")).hasSize(1);
    return jwks.getJsonArray("keys").getJsonObject(0).getString("kid");
  }

  private static String tokenOfNewUser(ServiceHarness users) {
    String email = uniqueEmail();
    users.request(UsersApi.REGISTER, registration(email, "Rotating", PASSWORD), null);
    return users
        .request(UsersApi.ISSUE_TOKEN, login(email, PASSWORD), null)
        .getString("accessToken");
  }
}
