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
 * ES256 access tokens as users signs them (kid, iss, aud, sub, exp, roles), and the JWKS that
 * verifies them, as users answers on {@link UsersApi#KEYS}.
 */
final class TestTokens {
  static final String KID = "test-key";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private final KeyPair key = ecKey();

  String token(String userId, String... roles) {
    return token(userId, 600, roles);
  }

  /** A token that expires {@code lifetimeSeconds} from now. */
  String token(String userId, long lifetimeSeconds, String... roles) {
    long now = Instant.now().getEpochSecond();
    JsonObject header = new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", KID);
    JsonObject claims =
        new JsonObject()
            .put("iss", "microshop")
            .put("aud", "microshop-api")
            .put("sub", userId)
            .put("iat", now)
            .put("exp", now + lifetimeSeconds)
            .put("jti", UUID.randomUUID().toString())
            .put("roles", new JsonArray(Arrays.asList((Object[]) roles)));
    String input = encode(header) + "." + encode(claims);
    try {
      Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
      signer.initSign(key.getPrivate());
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
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
            .put("kid", KID)
            .put("alg", "ES256")
            .put("use", "sig");
    return new JsonObject().put("keys", new JsonArray().add(jwk));
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
