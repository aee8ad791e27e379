package dev.microshop.launcher.support;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.messaging.BusGuard;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Admin tokens for a test cluster that runs no users service: the test JVM, a cluster member,
 * answers the gateway's key-set request with a key of its own, as users would, and signs with it.
 */
public final class AdminTokens {
  private static final String KID = "cluster-test-key";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private final KeyPair key;

  private AdminTokens(KeyPair key) {
    this.key = key;
  }

  /** Answers {@link UsersApi#KEYS} on {@code member}'s event bus with this test's key. */
  public static AdminTokens serve(Vertx member) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    AdminTokens tokens = new AdminTokens(generator.generateKeyPair());
    member
        .eventBus()
        .<JsonObject>consumer(
            UsersApi.KEYS, msg -> msg.reply(tokens.jwks(), BusGuard.answering(msg)))
        .completion()
        .toCompletionStage()
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    return tokens;
  }

  /** {@code Bearer <token>} of an admin, valid for ten minutes. */
  public String bearer() {
    long now = Instant.now().getEpochSecond();
    JsonObject header = new JsonObject().put("alg", "ES256").put("typ", "JWT").put("kid", KID);
    JsonObject claims =
        new JsonObject()
            .put("iss", "microshop")
            .put("aud", "microshop-api")
            .put("sub", UUID.randomUUID().toString())
            .put("iat", now)
            .put("exp", now + 600)
            .put("roles", new JsonArray().add(Identity.ADMIN));
    return "Bearer " + Tokens.es256(header, claims, key.getPrivate());
  }

  private JsonObject jwks() {
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
}
