package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secrets <dir>}: what it writes, that each file is private, and that it never replaces. */
class OperatorSecretsTest {
  @TempDir Path dir;

  @Test
  void writesACertificatePerServiceOfOneCaAKeyAndAPasswordPerDatabase() throws Exception {
    List<OperatorSecrets.Item> items = OperatorSecrets.ensure(dir);

    assertThat(items).allMatch(OperatorSecrets.Item::made);
    X509Certificate ca = certificate(dir.resolve("cluster-tls/ca.pem"));
    for (String service : Services.ALL) {
      X509Certificate cert = certificate(dir.resolve("cluster-tls/" + service + ".pem"));
      cert.verify(ca.getPublicKey());
      assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=" + service);
      assertThat(Files.readString(dir.resolve("cluster-tls/" + service + "-key.pem")))
          .startsWith("-----BEGIN PRIVATE KEY-----");
    }
    assertThat(
            ecKey(dir.resolve("signing-key.pem")).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    for (String service : Services.WITH_DATABASE) {
      assertThat(Files.readString(dir.resolve("db/" + service))).hasSizeGreaterThanOrEqualTo(32);
    }
    assertThat(Files.readString(dir.resolve("db/postgres"))).hasSizeGreaterThanOrEqualTo(32);
    assertThat(Files.readString(dir.resolve("admin-password"))).hasSizeGreaterThanOrEqualTo(32);
    for (OperatorSecrets.Item item : items) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(item.file())))
          .as(item.file().toString())
          .isEqualTo("rw-------");
    }
    assertThat(items)
        .filteredOn(i -> i.file().endsWith("signing-key.pem"))
        .extracting(OperatorSecrets.Item::setting)
        .containsExactly("MICROSHOP_USERS_AUTH_SIGNING_KEY_FILE");
  }

  @Test
  void aSecondRunKeepsEveryFileAndMakesOnlyWhatIsMissing() throws Exception {
    OperatorSecrets.ensure(dir);
    Map<Path, String> before = contents();
    Files.delete(dir.resolve("cluster-tls/orders.pem"));
    Files.delete(dir.resolve("cluster-tls/orders-key.pem"));

    List<OperatorSecrets.Item> again = OperatorSecrets.ensure(dir);

    assertThat(again)
        .filteredOn(OperatorSecrets.Item::made)
        .extracting(i -> dir.relativize(i.file()).toString())
        .containsExactlyInAnyOrder("cluster-tls/orders.pem", "cluster-tls/orders-key.pem");
    Map<Path, String> after = contents();
    before.forEach(
        (file, text) -> {
          if (!file.toString().contains("orders")) {
            assertThat(after.get(file)).as(file.toString()).isEqualTo(text);
          }
        });
    // The re-issued certificate is of the same CA.
    certificate(dir.resolve("cluster-tls/orders.pem"))
        .verify(certificate(dir.resolve("cluster-tls/ca.pem")).getPublicKey());
  }

  private Map<Path, String> contents() throws Exception {
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith("."))
          .collect(Collectors.toMap(Function.identity(), OperatorSecretsTest::read));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static ECPrivateKey ecKey(Path file) throws Exception {
    String base64 =
        Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return (ECPrivateKey)
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
