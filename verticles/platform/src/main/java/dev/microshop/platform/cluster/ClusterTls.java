package dev.microshop.platform.cluster;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * This member's place in the cluster's PKI: the cluster CA, its own certificate (whose common name
 * is its service) and private key, from {@code cluster.tls.caFile/certFile/keyFile} (PEM; the key
 * PKCS#8, EC P-256). The event bus runs TLS with client authentication against the CA both ways,
 * and {@link Admission} signs this member's card with the key.
 */
public record ClusterTls(
    X509Certificate ca, X509Certificate cert, PrivateKey key, JsonObject files) {

  /** Reads and checks the files; a missing or unreadable one is a startup error naming it. */
  public static ClusterTls load(JsonObject nodeConfig) {
    JsonObject tls = nodeConfig.getJsonObject("cluster").getJsonObject("tls");
    X509Certificate ca = certificate(tls, "caFile");
    X509Certificate cert = certificate(tls, "certFile");
    try {
      cert.verify(ca.getPublicKey());
      cert.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          "cluster.tls.certFile",
          "is not a valid certificate of the CA in cluster.tls.caFile: " + e.getMessage());
    }
    return new ClusterTls(ca, cert, key(tls), tls.copy());
  }

  /** Mutual TLS on the event bus: a peer must present a certificate of the cluster CA. */
  public void applyTo(EventBusOptions options) {
    options
        .setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertPath(files.getString("certFile"))
                .setKeyPath(files.getString("keyFile")))
        .setTrustOptions(new PemTrustOptions().addCertPath(files.getString("caFile")));
  }

  /** The service this member's certificate names (its common name). */
  public String service() {
    return Admission.commonName(cert);
  }

  private static X509Certificate certificate(JsonObject tls, String key) {
    Path path = file(tls, key);
    try (InputStream in = Files.newInputStream(path)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          "cluster.tls." + key, path + " is not a readable PEM certificate: " + e.getMessage());
    }
  }

  private static PrivateKey key(JsonObject tls) {
    Path path = file(tls, "keyFile");
    try {
      String text = Files.readString(path);
      if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
        throw new ConfigException(
            "cluster.tls.keyFile", path + " must be a PKCS#8 PEM (BEGIN PRIVATE KEY)");
      }
      byte[] der =
          Base64.getDecoder()
              .decode(text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      if (!(key instanceof ECPrivateKey ec)
          || ec.getParams().getCurve().getField().getFieldSize() != 256) {
        throw new ConfigException(
            "cluster.tls.keyFile",
            path + " must be an EC P-256 key: members derive per-pair message keys by ECDH");
      }
      return key;
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException(
          "cluster.tls.keyFile", path + " is not a readable private key: " + e.getMessage());
    }
  }

  private static Path file(JsonObject tls, String key) {
    String name = tls.getString(key, "");
    if (name.isEmpty()) {
      throw new ConfigException(
          "cluster.tls." + key,
          "is required: members of a cluster talk over mutual TLS (up and all make dev certificates)");
    }
    Path path = Path.of(name);
    if (!Files.isReadable(path)) {
      throw new ConfigException("cluster.tls." + key, path.toAbsolutePath() + " cannot be read");
    }
    return path;
  }
}
