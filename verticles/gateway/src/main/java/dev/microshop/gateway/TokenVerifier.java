package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Verifies access tokens. vertx-auth-jwt checks the signature, exp, nbf, iss and aud, but on its
 * own it would accept an unsigned token when it has no key, ignore iss/aud when they are not
 * configured, pick a key by algorithm when the kid is unknown, accept a token without exp, ignore a
 * {@code crit} header, and accept both (r, s) and (r, n - s), two spellings of one signature. So,
 * before it runs: the header must say exactly ES256, name no critical extension (RFC 7515 4.1.11:
 * this verifier understands none) and carry a kid that {@link VerificationKeys} trusts now; the
 * signature must be 64 canonical bytes with s at most n/2 (users only issues such); and exp, sub,
 * iss and aud must be present. With no trusted key set (users has not answered for {@code
 * auth.keysMaxAgeMs}) every token is refused with 503.
 *
 * <p>A client sends the same token with every request for its whole life, and an ES256 verification
 * costs more CPU than the rest of a gateway request, so a token that verified is remembered
 * (bounded, least recently used first out) until its exp, by its exact text, and served from memory
 * only while the key set that verified it is still the one in use and fresh.
 */
final class TokenVerifier {
  private static final Set<String> REQUIRED_CLAIMS = Set.of("exp", "sub", "iss", "aud");
  private static final int MAX_REMEMBERED = 50_000;

  /** Half the order of P-256's base point: (r, s) verifies exactly when (r, n - s) does. */
  private static final BigInteger HALF_ORDER = p256Order().shiftRight(1);

  private final VerificationKeys keys;
  private final LongAdder asked = new LongAdder();
  private final Map<String, Cached> verified =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  /** A remembered verification: which key's provider accepted it, so a retired key ends it. */
  private record Cached(Verified verified, String kid, JWTAuth by) {}

  /** A token that passed every check, and the instant (epoch ms) its exp ends it. */
  record Verified(Identity identity, long expiresAtMs) {}

  /** {@code keys}: the keys tokens are verified with, and how long each is trusted. */
  TokenVerifier(VerificationKeys keys) {
    this.keys = keys;
  }

  /** The claims every token must satisfy: {@code auth.issuer}, {@code auth.audience}, exp. */
  static JWTOptions checks(JsonObject config) {
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    String issuer = auth.getString("issuer", "");
    String audience = auth.getString("audience", "");
    if (issuer.isBlank()) {
      throw new ConfigException(
          "auth.issuer", "must be set: tokens are only accepted from a known issuer");
    }
    if (audience.isBlank()) {
      throw new ConfigException(
          "auth.audience", "must be set: tokens are only accepted for a known audience");
    }
    return new JWTOptions().setIssuer(issuer).setAudience(List.of(audience)).setLeeway(5);
  }

  /** The identity in a valid bearer token, or a failed future with a 401 (or 503) problem. */
  Future<Identity> verify(String authorization) {
    return verifyToken(authorization).map(Verified::identity);
  }

  /**
   * The identity in a valid bearer token and when the token expires (what a long-lived stream needs
   * to end with it), or a failed future with a 401 problem.
   */
  Future<Verified> verifyToken(String authorization) {
    asked.increment();
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return unauthorized("a bearer token is required");
    }
    String token = authorization.substring(7).trim();
    Verified cached = remembered(token);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return unauthorized("the token is malformed");
    }
    JsonObject header;
    JsonObject claims;
    try {
      header = decode(parts[0]);
      claims = decode(parts[1]);
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      return unauthorized("the token is malformed");
    }
    if (!"ES256".equals(header.getValue("alg"))) {
      return unauthorized("the token must be signed with ES256");
    }
    if (header.containsKey("crit")) {
      return unauthorized("the token's header names critical extensions (crit) not supported here");
    }
    if (!isEs256Signature(parts[2])) {
      return unauthorized("the token's signature is malformed");
    }
    if (!hasLowS(parts[2])) {
      return unauthorized("the token's signature is not in its canonical (low-s) form");
    }
    String missing =
        REQUIRED_CLAIMS.stream()
            .filter(c -> !claims.containsKey(c))
            .sorted()
            .collect(Collectors.joining(", "));
    if (!missing.isEmpty()) {
      return unauthorized("the token lacks " + missing);
    }
    if (!(claims.getValue("exp") instanceof Number)) {
      return unauthorized("the token's exp is not a number");
    }
    if (!(header.getValue("kid") instanceof String kid) || kid.isBlank()) {
      return unauthorized("the token has no key id");
    }
    return keys.providerFor(kid)
        .<Verified>compose(
            provider -> {
              if (provider == null) {
                return keys.available()
                    ? unauthorized("the token was signed by an unknown key")
                    : Future.failedFuture(
                        new Problems.HttpProblem(
                            503, "token verification keys are unavailable; try again shortly"));
              }
              return provider
                  .authenticate(new TokenCredentials(token))
                  .map(user -> remember(token, identity(claims), kid, provider, claims));
            })
        .recover(
            e ->
                e instanceof Problems.HttpProblem
                    ? Future.failedFuture(e)
                    : unauthorized("the token is invalid or expired"));
  }

  /** How many tokens this verifier was asked to verify: what a limit in front of it spares. */
  long verifications() {
    return asked.sum();
  }

  /**
   * Exactly the 64 bytes of an ES256 signature, canonically base64url-encoded. The JWT library
   * accepted a token with a character appended to its signature (it verified the first 64 of 65
   * decoded bytes): not a forgery, but a second spelling of the same token, which a verifier must
   * not allow.
   */
  static boolean isEs256Signature(String part) {
    try {
      byte[] signature = Base64.getUrlDecoder().decode(part);
      return signature.length == 64
          && Base64.getUrlEncoder().withoutPadding().encodeToString(signature).equals(part);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * s at most n/2. JOSE does not ask for it, but without it every token has a twin, (r, n - s),
   * that verifies too, so a token's text would not identify it (users signs only low-s).
   */
  static boolean hasLowS(String part) {
    byte[] signature = Base64.getUrlDecoder().decode(part);
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    return s.signum() > 0 && s.compareTo(HALF_ORDER) <= 0;
  }

  private synchronized Verified remembered(String token) {
    Cached hit = verified.get(token);
    if (hit == null) {
      return null;
    }
    // Another provider: the key set changed since, and may no longer hold the token's key.
    if (System.currentTimeMillis() >= hit.verified().expiresAtMs()
        || keys.trusted(hit.kid()) != hit.by()) {
      verified.remove(token);
      return null;
    }
    return hit.verified();
  }

  private synchronized Verified remember(
      String token, Identity identity, String kid, JWTAuth by, JsonObject claims) {
    Verified result = new Verified(identity, claims.getLong("exp") * 1000);
    verified.put(token, new Cached(result, kid, by));
    return result;
  }

  private static Identity identity(JsonObject claims) {
    JsonArray roles = claims.getValue("roles") instanceof JsonArray array ? array : new JsonArray();
    return new Identity(claims.getString("sub"), roles.stream().map(String::valueOf).toList());
  }

  private static BigInteger p256Order() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class).getOrder();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no EC P-256 support", e);
    }
  }

  private static JsonObject decode(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  private static <T> Future<T> unauthorized(String detail) {
    return Future.failedFuture(new Problems.HttpProblem(401, detail));
  }
}
