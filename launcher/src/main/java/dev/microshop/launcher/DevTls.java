package dev.microshop.launcher;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Dev mode's cluster CA and per-service certificates, generated once into {@code
 * <dataDir>/secrets/cluster-tls} (0700). A service JVM's event bus only talks to peers whose
 * certificate this CA signed, so a process that merely knows the cluster name can neither deliver
 * nor receive a message. Production brings its own CA and certificates ({@code cluster.tls.*File}).
 */
public final class DevTls {
  static final String DIR = "cluster-tls";
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevTls() {}

  /**
   * The node config with {@code cluster.tls} pointing at {@code service}'s dev certificate (made,
   * with the CA, if missing). Settings already given are kept: a dev JVM may use real certificates.
   */
  public static JsonObject bind(JsonObject nodeConfig, Path dataDir, String service) {
    JsonObject tls = nodeConfig.getJsonObject("cluster").getJsonObject("tls");
    if (!tls.getString("certFile", "").isEmpty()) {
      return nodeConfig;
    }
    Path dir =
        ensure(dataDir, Set.of(service), nodeConfig.getJsonObject("cluster").getString("host"));
    JsonObject bound = nodeConfig.copy();
    bound
        .getJsonObject("cluster")
        .put(
            "tls",
            new JsonObject()
                .put("caFile", dir.resolve("ca.pem").toString())
                .put("certFile", dir.resolve(service + ".pem").toString())
                .put("keyFile", dir.resolve(service + "-key.pem").toString()));
    return bound;
  }

  /**
   * Makes the CA (once) and a certificate for each of {@code services} that has none; several JVMs
   * starting at once take turns through a file lock. Returns the directory. Public for the tests'
   * stand-ins of an operator's CA (a lab PostgreSQL's server certificate).
   */
  public static Path ensure(Path dataDir, Set<String> services, String host) {
    return ensureIn(dataDir.resolve("secrets").resolve(DIR), services, host);
  }

  /** As {@link #ensure} with the CA and certificates directly in {@code dir}. */
  public static Path ensureIn(Path dir, Set<String> services, String host) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwx------"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      // Several JVMs of one installation may start at once: one makes the CA, the others wait.
      try (FileChannel channel =
          FileChannel.open(
              dir.resolve(".lock"),
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        FileLock lock = channel.lock();
        try {
          Authority ca = authority(dir);
          for (String service : services) {
            if (!Files.exists(dir.resolve(service + ".pem"))) {
              issue(ca, dir, service, host);
            }
          }
        } finally {
          lock.release();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dev cluster certificates in " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the dev cluster certificates: " + e, e);
    }
  }

  private record Authority(X509Certificate cert, PrivateKey key) {}

  private static Authority authority(Path dir)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Path certFile = dir.resolve("ca.pem");
    Path keyFile = dir.resolve("ca-key.pem");
    if (Files.exists(certFile) && Files.exists(keyFile)) {
      X509Certificate cert;
      try (var in = Files.newInputStream(certFile)) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      return new Authority(cert, readKey(keyFile));
    }
    KeyPair pair = newPair();
    X500Name name =
        new X500Name("CN=microshop dev cluster CA " + Long.toHexString(RANDOM.nextLong()));
    X509v3CertificateBuilder builder = builder(name, name, pair, Duration.ofDays(3650));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate cert = sign(builder, pair.getPrivate());
    write(keyFile, pem(pair.getPrivate()));
    write(certFile, pem(cert));
    return new Authority(cert, pair.getPrivate());
  }

  private static void issue(Authority ca, Path dir, String service, String host)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    KeyPair pair = newPair();
    X500Name issuer = new X500Name(ca.cert().getSubjectX500Principal().getName());
    // A JVM of several services is "orders+payments"; '+' joins RDNs in X.500, so it is escaped.
    X500Name subject = new X500Name("CN=" + service.replace("+", "\\+"));
    X509v3CertificateBuilder builder = builder(issuer, subject, pair, Duration.ofDays(825));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    builder.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(host));
    write(dir.resolve(service + "-key.pem"), pem(pair.getPrivate()));
    write(dir.resolve(service + ".pem"), pem(sign(builder, ca.key())));
  }

  private static GeneralNames alternativeNames(String host) throws IOException {
    Set<String> ips = new LinkedHashSet<>();
    ips.add("127.0.0.1");
    for (InetAddress address : InetAddress.getAllByName(host)) {
      ips.add(address.getHostAddress());
    }
    Set<GeneralName> names = new LinkedHashSet<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, RANDOM),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(validity)),
        subject,
        pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  /**
   * Writes a new EC P-256 private key (PKCS#8 PEM, mode 600) to {@code file} unless one is there:
   * the key that signs access tokens. True when it was made now.
   */
  static boolean ensureKey(Path file) {
    try {
      if (Files.exists(file)) {
        return false;
      }
      write(file, pem(newPair().getPrivate()));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an EC key: " + e, e);
    }
  }

  private static KeyPair newPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
    String base64 =
        Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      // A PrivateKey is written as PKCS#8 ("PRIVATE KEY"), which Vert.x and the JDK both read.
      writer.writeObject(
          object instanceof PrivateKey key
              ? new PemObject("PRIVATE KEY", key.getEncoded())
              : object);
    }
    return out.toString();
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            file.getFileName().toString(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
