package dev.microshop.users;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Signs ES256 access tokens. Header {@code {alg: ES256, typ: JWT, kid}}; claims {@code iss, aud,
 * sub, iat, exp, jti, email, roles}; the signature's s is at most n/2, the only form the gateway
 * accepts.
 */
final class Tokens {
  static final String TOKEN_TYPE = "Bearer";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final KeyRing keys;
  private final String issuer;
  private final String audience;
  private final long ttlSeconds;
  private final Clock clock;
  private final String encodedHeader;

  Tokens(KeyRing keys, String issuer, String audience, long ttlSeconds, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.audience = audience;
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
    this.encodedHeader =
        encode(
            new JsonObject().put("alg", EcKeys.ALGORITHM).put("typ", "JWT").put("kid", keys.kid()));
  }

  /** The reply of ISSUE_TOKEN: {@code {accessToken, tokenType: "Bearer", expiresIn}}. */
  JsonObject issue(UUID userId, String email, List<String> roles) {
    long now = clock.instant().getEpochSecond();
    JsonObject claims =
        new JsonObject()
            .put("iss", issuer)
            .put("aud", audience)
            .put("sub", userId.toString())
            .put("iat", now)
            .put("exp", now + ttlSeconds)
            .put("jti", UUID.randomUUID().toString())
            .put("email", email)
            .put("roles", new JsonArray(List.copyOf(roles)));
    String signingInput = encodedHeader + "." + encode(claims);
    return new JsonObject()
        .put("accessToken", signingInput + "." + B64URL.encodeToString(sign(signingInput)))
        .put("tokenType", TOKEN_TYPE)
        .put("expiresIn", ttlSeconds);
  }

  private byte[] sign(String signingInput) {
    return EcKeys.sign(keys.signing(), signingInput.getBytes(StandardCharsets.US_ASCII));
  }

  private static String encode(JsonObject json) {
    return B64URL.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
