package dev.microshop.platform.db;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * TLS to PostgreSQL, in libpq's terms ({@code db.sslMode}, {@code db.sslCaFile}), applied alike to
 * the Vert.x pool and to JDBC (Flyway, {@code db-init}), so a service migrates and serves over the
 * same kind of connection.
 *
 * @param mode {@code disable}, {@code require} (encrypted, certificate not checked), {@code
 *     verify-ca} (signed by the CA in {@code caFile}) or {@code verify-full} (and naming the host)
 * @param caFile PEM file of the CA that signed the server's certificate; "" unless verifying
 */
public record DbTls(String mode, String caFile) {
  public static final List<String> MODES =
      List.of("disable", "require", "verify-ca", "verify-full");
  public static final DbTls DISABLED = new DbTls("disable", "");

  /** Reads and checks {@code db.sslMode} and {@code db.sslCaFile} of a {@code db} object. */
  public static DbTls from(JsonObject db) {
    DbTls tls = new DbTls(db.getString("sslMode", "disable"), db.getString("sslCaFile", ""));
    tls.check(db.getString("socketDir", ""));
    return tls;
  }

  private void check(String socketDir) {
    if (!MODES.contains(mode)) {
      throw new ConfigException("db.sslMode", "\"" + mode + "\" is not one of " + MODES);
    }
    boolean verifying = mode.startsWith("verify-");
    if (verifying && caFile.isBlank()) {
      throw new ConfigException(
          "db.sslCaFile", "not set: sslMode " + mode + " checks the server against this CA");
    }
    if (!verifying && !caFile.isBlank()) {
      // Better refused than silently unused: the operator meant the certificate to be checked.
      throw new ConfigException(
          "db.sslCaFile",
          "is set but db.sslMode is " + mode + ", which checks no certificate (use verify-full)");
    }
    if (verifying) {
      readableCertificate(Path.of(caFile));
    }
    if (enabled() && !socketDir.isBlank()) {
      throw new ConfigException(
          "db.sslMode",
          mode + " with db.socketDir: PostgreSQL has no TLS on a Unix-domain socket; unset one");
    }
  }

  private static void readableCertificate(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new ConfigException("db.sslCaFile", file + " holds no PEM certificate");
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "db.sslCaFile", file + " is not a readable PEM certificate: " + e.getMessage());
    }
  }

  public boolean enabled() {
    return !mode.equals("disable");
  }

  /** The Vert.x client's equivalent; verify-full checks the name as HTTPS clients do. */
  public void applyTo(PgConnectOptions options) {
    switch (mode) {
      case "disable" -> options.setSslMode(SslMode.DISABLE);
      case "require" ->
          options
              .setSslMode(SslMode.REQUIRE)
              .setSslOptions(new ClientSSLOptions().setTrustAll(true));
      default ->
          options
              .setSslMode(mode.equals("verify-ca") ? SslMode.VERIFY_CA : SslMode.VERIFY_FULL)
              .setSslOptions(
                  new ClientSSLOptions()
                      .setHostnameVerificationAlgorithm(mode.equals("verify-ca") ? "" : "HTTPS")
                      .setTrustOptions(new PemTrustOptions().addCertPath(caFile)));
    }
  }

  /**
   * The JDBC URL parameters (pgjdbc reads libpq's names). sslmode is always given: pgjdbc's own
   * default, prefer, would try TLS and accept any certificate.
   */
  public String jdbcParameters() {
    String params = "sslmode=" + mode;
    if (!caFile.isBlank()) {
      params += "&sslrootcert=" + URLEncoder.encode(caFile, StandardCharsets.UTF_8);
    }
    return params;
  }
}
