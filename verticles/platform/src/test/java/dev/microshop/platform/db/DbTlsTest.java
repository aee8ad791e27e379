package dev.microshop.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTlsTest {
  /**
   * A real self-signed CA certificate (EC P-256, valid until 2126): the CA file check parses it.
   */
  private static final String CERT =
      """
      -----BEGIN CERTIFICATE-----
      MIIBjjCCATWgAwIBAgIUYxI2BF+ihZLXaOKS8pfPNS9BJzkwCgYIKoZIzj0EAwIw
      HDEaMBgGA1UEAwwRbWljcm9zaG9wIHRlc3QgQ0EwIBcNMjYxMjA2MjM0NjM4WhgP
      MjEyNjExMTIyMzQ2MzhaMBwxGjAYBgNVBAMMEW1pY3Jvc2hvcCB0ZXN0IENBMFkw
      EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcQ56g9o+pdR8oSzvLI2NEOsUllhWVDAM
      gOfyGCHoO/6MXCSrJ0BnDPEw3zwqnVnvPzeTNKVzPwqsta4TN34dk6NTMFEwHQYD
      VR0OBBYEFOF+VnjsfERIfC7A/wrC1AmaSyUUMB8GA1UdIwQYMBaAFOF+VnjsfERI
      fC7A/wrC1AmaSyUUMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg
      ZGL5GgZd0Ph7UzaW0QXf7vR9PPPqkkbnlpp+YbKPsx0CIA1h4JW34sw19SpKpPG/
      2OK4/vd8g8BBygmnIOdXF++w
      -----END CERTIFICATE-----
      """;

  @TempDir Path dir;

  private static JsonObject db(String mode, String ca) {
    return new JsonObject().put("sslMode", mode).put("sslCaFile", ca).put("socketDir", "");
  }

  @Test
  void disabledByDefaultAndSaysSoToJdbc() {
    DbTls tls = DbTls.from(new JsonObject());

    assertThat(tls.enabled()).isFalse();
    assertThat(tls.jdbcParameters()).isEqualTo("sslmode=disable");
    PgConnectOptions options = new PgConnectOptions();
    tls.applyTo(options);
    assertThat(options.getSslMode()).isEqualTo(SslMode.DISABLE);
  }

  @Test
  void requireEncryptsWithoutCheckingTheCertificate() {
    PgConnectOptions options = new PgConnectOptions();
    DbTls.from(db("require", "")).applyTo(options);

    assertThat(options.getSslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(options.getSslOptions().isTrustAll()).isTrue();
  }

  @Test
  void verifyFullTrustsOnlyTheCaAndChecksTheHostName() throws Exception {
    Path ca = Files.writeString(dir.resolve("my ca.pem"), CERT);
    DbTls tls = DbTls.from(db("verify-full", ca.toString()));
    PgConnectOptions options = new PgConnectOptions();
    tls.applyTo(options);

    assertThat(options.getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(options.getSslOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(options.getSslOptions().isTrustAll()).isFalse();
    assertThat(tls.jdbcParameters())
        .isEqualTo(
            "sslmode=verify-full&sslrootcert="
                + URLEncoder.encode(ca.toString(), StandardCharsets.UTF_8));
  }

  @Test
  void anUnknownModeNamesTheSetting() {
    assertThatThrownBy(() -> DbTls.from(db("verify", "")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "bad setting db.sslMode: \"verify\" is not one of"
                + " [disable, require, verify-ca, verify-full]");
  }

  @Test
  void verifyingNeedsAReadableCaFile() {
    assertThatThrownBy(() -> DbTls.from(db("verify-ca", "")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting db.sslCaFile: not set");
    assertThatThrownBy(() -> DbTls.from(db("verify-full", dir.resolve("none.pem").toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting db.sslCaFile: ")
        .hasMessageContaining("none.pem is not a readable PEM certificate");
  }

  @Test
  void aCaFileThatWouldGoUncheckedIsRefused() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), CERT);

    assertThatThrownBy(() -> DbTls.from(db("require", ca.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("db.sslMode is require, which checks no certificate");
  }

  @Test
  void tlsOverAUnixSocketIsRefused() {
    assertThatThrownBy(() -> DbTls.from(db("require", "").put("socketDir", "/var/run/postgresql")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting db.sslMode: require with db.socketDir");
  }
}
