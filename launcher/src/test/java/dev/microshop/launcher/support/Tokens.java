package dev.microshop.launcher.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds JSON Web Tokens the way an attacker (or a correct issuer) would, for the authentication
 * tests.
 */
public final class Tokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tokens() {}

  public static String es256(JsonObject header, JsonObject claims, PrivateKey key) {
    String signingInput = part(header) + "." + part(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(lowS(signature.sign()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The signature with s replaced by n - s when s is above n/2, as users signs: the gateway refuses
   * the high-s twin of a token.
   */
  private static byte[] lowS(byte[] signature) {
    BigInteger n =
        new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    if (s.compareTo(n.shiftRight(1)) <= 0) {
      return signature;
    }
    byte[] low = n.subtract(s).toByteArray();
    byte[] fixed = Arrays.copyOf(signature, 64);
    Arrays.fill(fixed, 32, 64, (byte) 0);
    int length = Math.min(low.length, 32);
    System.arraycopy(low, low.length - length, fixed, 64 - length, length);
    return fixed;
  }

  public static String hs256(JsonObject header, JsonObject claims, byte[] secret) {
    String signingInput = part(header) + "." + part(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return signingInput
          + "."
          + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String unsigned(JsonObject claims) {
    return part(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + part(claims) + ".";
  }

  /** A fresh P-256 key nobody trusts. */
  public static PrivateKey strangerKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair().getPrivate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The dev signing key that users generated into {@code <dataDir>/keys}. */
  public static PrivateKey devSigningKey(Path dataDir) {
    try (Stream<Path> files = Files.list(dataDir.resolve("keys"))) {
      for (Path file : files.toList()) {
        String pem = Files.readString(file);
        if (pem.contains("BEGIN PRIVATE KEY")) {
          String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
          return KeyFactory.getInstance("EC")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        }
      }
      throw new IllegalStateException("no PKCS#8 private key in " + dataDir.resolve("keys"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The dev public key as PEM text: what an attacker would use as the HMAC secret in an
   * alg-confusion attack.
   */
  public static byte[] devPublicKeyPem(Path dataDir) {
    try {
      return Files.readAllBytes(dataDir.resolve("keys").resolve("signing-key.pub.pem"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String part(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
