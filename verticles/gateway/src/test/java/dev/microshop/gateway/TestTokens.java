package dev.microshop.gateway;

import dev.microshop.contracts.UsersApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * ES256 access tokens as users signs them (kid, iss, aud, sub, exp, roles; low-s signatures), and
 * the JWKS that verifies them, as users answers on {@link UsersApi#KEYS}.
 */
final class TestTokens {
  static final String KID = "test-key";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String SIGNATURE = "SHA256withECDSAinP1363Format";
  private final KeyPair key = ecKey();
  private final String kid;

  TestTokens() {
    this(KID);
  }

  /** Tokens of a key of its own, published under {@code kid}. */
  TestTokens(String kid) {
    this.kid = kid;
  }

  String token(String userId, String... roles) {
    return token(userId, 600, roles);
  }

  /** A token that expires {@code lifetimeSeconds} from now. */
  String token(String userId, long lifetimeSeconds, String... roles) {
    return signed(header(), claims(userId, lifetimeSeconds, roles));
  }

  /** The header users writes: {@code {alg: ES256, typ: JWT, kid}}. */
  JsonObject header() {
    return new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", kid);
  }

  /** The claims users writes, valid for ten minutes. */
  JsonObject claims(String userId, String... roles) {
    return claims(userId, 600, roles);
  }

  JsonObject claims(String userId, long lifetimeSeconds, String... roles) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject()
        .put("iss", "microshop")
        .put("aud", "microshop-api")
        .put("sub", userId)
        .put("iat", now)
        .put("exp", now + lifetimeSeconds)
        .put("jti", UUID.randomUUID().toString())
        .put("roles", new JsonArray(Arrays.asList((Object[]) roles)));
  }

  /** {@code header} and {@code claims} signed with this key, s normalised to at most n/2. */
  String signed(JsonObject header, JsonObject claims) {
    String input = encode(header) + "." + encode(claims);
    try {
      Signature signer = Signature.getInstance(SIGNATURE);
      signer.initSign(key.getPrivate());
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      byte[] signature = signer.sign();
      BigInteger n = order();
      BigInteger s = s(signature);
      if (s.compareTo(n.shiftRight(1)) > 0) {
        signature = withS(signature, n.subtract(s));
      }
      return input + "." + B64URL.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same token with s replaced by n - s: a signature that verifies just as well. */
  String highSTwin(String token) {
    int dot = token.lastIndexOf('.');
    byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    byte[] twin = withS(signature, order().subtract(s(signature)));
    return token.substring(0, dot + 1) + B64URL.encodeToString(twin);
  }

  /** Whether the JDK verifies {@code token}'s signature with this key (whatever its s). */
  boolean verifies(String token) {
    int dot = token.lastIndexOf('.');
    try {
      Signature verifier = Signature.getInstance(SIGNATURE);
      verifier.initVerify(key.getPublic());
      verifier.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(Base64.getUrlDecoder().decode(token.substring(dot + 1)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The s half of {@code token}'s signature. */
  static BigInteger s(String token) {
    return s(Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)));
  }

  /** The order n of P-256's base point. */
  BigInteger order() {
    return ((ECPublicKey) key.getPublic()).getParams().getOrder();
  }

  /** The JWKS users would answer on {@link UsersApi#KEYS}. */
  JsonObject jwks() {
    ECPublicKey pub = (ECPublicKey) key.getPublic();
    JsonObject jwk =
        new JsonObject()
            .put("kty", "EC")
            .put("crv", "P-256")
            .put("x", coordinate(pub.getW().getAffineX()))
            .put("y", coordinate(pub.getW().getAffineY()))
            .put("kid", kid)
            .put("alg", "ES256")
            .put("use", "sig");
    return new JsonObject().put("keys", new JsonArray().add(jwk));
  }

  private static BigInteger s(byte[] signature) {
    return new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
  }

  private static byte[] withS(byte[] signature, BigInteger s) {
    byte[] copy = Arrays.copyOf(signature, 64);
    byte[] raw = Base64.getUrlDecoder().decode(coordinate(s));
    System.arraycopy(raw, 0, copy, 32, 32);
    return copy;
  }

  private static String coordinate(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return B64URL.encodeToString(fixed);
  }

  private static String encode(JsonObject json) {
    return B64URL.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
