package dev.microshop.users;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * EC P-256 keys for ES256: PEM in and out, low-s signatures, JWK and RFC 7638 thumbprint. The JDK
 * does the cryptography, Bouncy Castle the one thing the JDK cannot (a public key from a private
 * one); every failure is an {@link IllegalArgumentException} whose message says what is wrong with
 * the key and how to fix it.
 */
final class EcKeys {
  static final String ALGORITHM = "ES256";

  /** JOSE wants the raw r||s signature, not DER: the JDK's P1363 variant produces exactly that. */
  static final String JWS_SIGNATURE = "SHA256withECDSAinP1363Format";

  private static final ECParameterSpec P256 = p256();
  private static final X9ECParameters BC_P256 = CustomNamedCurves.getByName("secp256r1");
  private static final int COORDINATE_BYTES = 32;
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private EcKeys() {}

  static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
    }
  }

  /** A PKCS#8 {@code PRIVATE KEY} PEM of an EC P-256 key. */
  static ECPrivateKey privateKeyFromPem(String pem) {
    if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "is a SEC1 \"EC PRIVATE KEY\"; convert it to PKCS#8 with "
              + "`openssl pkcs8 -topk8 -nocrypt -in old.pem -out new.pem`");
    }
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException(
          "is an encrypted private key; store it unencrypted with mode 600");
    }
    byte[] der = der(pem, "PRIVATE KEY");
    try {
      if (!(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der))
          instanceof ECPrivateKey key)) {
        throw new IllegalArgumentException("is not an EC private key");
      }
      requireP256(key.getParams());
      return key;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not a PKCS#8 EC private key (" + e.getMessage() + ")");
    }
  }

  /** An X.509 {@code PUBLIC KEY} PEM of an EC P-256 key. */
  static ECPublicKey publicKeyFromPem(String pem) {
    byte[] der = der(pem, "PUBLIC KEY");
    try {
      if (!(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der))
          instanceof ECPublicKey key)) {
        throw new IllegalArgumentException("is not an EC public key");
      }
      requireP256(key.getParams());
      return key;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("is not an X.509 EC public key (" + e.getMessage() + ")");
    }
  }

  static String toPem(ECPrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  static String toPem(ECPublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  /**
   * The public key of {@code key}: Q = d·G. A PKCS#8 file need not carry the public point (the JDK
   * writes none) and the JDK has no API to derive it, so Bouncy Castle's P-256 multiplies; the
   * result is checked by verifying a signature of the private key with it.
   */
  static ECPublicKey publicKeyOf(ECPrivateKey key) {
    requireP256(key.getParams());
    BigInteger d = key.getS();
    if (d.signum() <= 0 || d.compareTo(key.getParams().getOrder()) >= 0) {
      throw new IllegalArgumentException("has a private scalar outside 1..n-1");
    }
    org.bouncycastle.math.ec.ECPoint q =
        new FixedPointCombMultiplier().multiply(BC_P256.getG(), d).normalize();
    ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    ECPublicKey pub;
    try {
      pub =
          (ECPublicKey)
              KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the public key", e);
    }
    if (!matches(key, pub)) {
      throw new IllegalStateException(
          "derived public key does not verify the private key's signature");
    }
    return pub;
  }

  /**
   * The ES256 signature of {@code input}: raw r||s, with s at most n/2. ECDSA accepts (r, n - s) as
   * well as (r, s); the gateway accepts only the low one, so each token has exactly one valid
   * spelling.
   */
  static byte[] sign(ECPrivateKey key, byte[] input) {
    try {
      Signature signer = Signature.getInstance(JWS_SIGNATURE);
      signer.initSign(key);
      signer.update(input);
      byte[] signature = signer.sign();
      BigInteger n = key.getParams().getOrder();
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, COORDINATE_BYTES, 64));
      if (s.compareTo(n.shiftRight(1)) > 0) {
        byte[] low = Base64.getUrlDecoder().decode(coordinate(n.subtract(s)));
        System.arraycopy(low, 0, signature, COORDINATE_BYTES, COORDINATE_BYTES);
      }
      return signature;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the signing key", e);
    }
  }

  /** The public JWK of {@code key}, with its kid and intended use. */
  static JsonObject jwk(ECPublicKey key, String kid) {
    return new JsonObject()
        .put("kty", "EC")
        .put("crv", "P-256")
        .put("x", coordinate(key.getW().getAffineX()))
        .put("y", coordinate(key.getW().getAffineY()))
        .put("kid", kid)
        .put("alg", ALGORITHM)
        .put("use", "sig");
  }

  /**
   * RFC 7638 thumbprint: base64url SHA-256 of the required members in lexicographic order, no
   * whitespace.
   */
  static String thumbprint(ECPublicKey key) {
    String canonical =
        "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\""
            + coordinate(key.getW().getAffineX())
            + "\",\"y\":\""
            + coordinate(key.getW().getAffineY())
            + "\"}";
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return B64URL.encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[COORDINATE_BYTES];
    int length = Math.min(raw.length, COORDINATE_BYTES);
    System.arraycopy(raw, raw.length - length, fixed, COORDINATE_BYTES - length, length);
    return B64URL.encodeToString(fixed);
  }

  /** Whether {@code publicKey} verifies what {@code privateKey} signs: they are one pair. */
  static boolean matches(ECPrivateKey privateKey, ECPublicKey publicKey) {
    byte[] probe = "microshop key check".getBytes(StandardCharsets.UTF_8);
    byte[] signature = sign(privateKey, probe);
    try {
      Signature verifier = Signature.getInstance(JWS_SIGNATURE);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static void requireP256(ECParameterSpec spec) {
    boolean p256 =
        spec.getCurve().equals(P256.getCurve())
            && spec.getGenerator().equals(P256.getGenerator())
            && spec.getOrder().equals(P256.getOrder());
    if (!p256) {
      throw new IllegalArgumentException(
          "is not on curve P-256 (ES256 needs P-256, also named prime256v1 or " + "secp256r1)");
    }
  }

  private static byte[] der(String pem, String type) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(
          "is not a PEM \"" + type + "\" (expected a " + begin + " block)");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("has invalid base64 in its PEM body");
    }
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no EC P-256 support", e);
    }
  }
}
