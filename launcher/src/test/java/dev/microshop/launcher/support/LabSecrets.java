package dev.microshop.launcher.support;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.DevTls;
import dev.microshop.platform.config.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an operator hands the hosts of a lab cluster, made once per lab: the cluster CA and a
 * certificate per service (issued by {@link DevTls}, as {@code up} issues them), the key that signs
 * access tokens and the admin's password. Each JVM is told only the files of its own service.
 */
final class LabSecrets {
  private static final Base64.Encoder PEM = Base64.getMimeEncoder(64, new byte[] {'\n'});
  private final Path dir;
  private final Path signingKey;
  private final Path adminPasswordFile;
  private final String adminPassword;

  private LabSecrets(Path dir, Path signingKey, Path adminPasswordFile, String adminPassword) {
    this.dir = dir;
    this.signingKey = signingKey;
    this.adminPasswordFile = adminPasswordFile;
    this.adminPassword = adminPassword;
  }

  static LabSecrets create(Path dir) {
    try {
      Files.createDirectories(dir);
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
      Path key =
          privateFile(
              dir.resolve("signing-key.pem"),
              "-----BEGIN PRIVATE KEY-----\n"
                  + PEM.encodeToString(pkcs8)
                  + "\n-----END PRIVATE KEY-----\n");
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Path passwordFile = privateFile(dir.resolve("admin-password"), password);
      return new LabSecrets(dir, key, passwordFile, password);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  String adminPassword() {
    return adminPassword;
  }

  /**
   * {@code service}'s secrets as settings: its cluster certificate, and for users the signing key
   * and the admin's password. {@code env} is the service's environment so far (its cluster host).
   */
  Map<String, String> of(String service, Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    // The certificate names the host it was first issued on; nothing checks it (the event bus
    // verifies the CA and the admission card, not host names), so a second host may share it.
    JsonObject tls =
        DevTls.bind(Settings.load(service, env), dir, service)
            .getJsonObject("cluster")
            .getJsonObject("tls");
    for (String field : new String[] {"caFile", "certFile", "keyFile"}) {
      out.put(Settings.envName(service, "cluster.tls." + field), tls.getString(field));
    }
    if (service.equals(Services.USERS)) {
      out.put(Settings.envName(service, "auth.signingKeyFile"), signingKey.toString());
      out.put(Settings.envName(service, "admin.passwordFile"), adminPasswordFile.toString());
    }
    return out;
  }

  private static Path privateFile(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
