package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.service.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies access tokens. vertx-auth-jwt checks the signature, exp, nbf, iss and aud, but on its
 * own it would accept an unsigned token when it has no key, ignore iss/aud when they are not
 * configured, pick a key by algorithm when the kid is unknown, and accept a token without exp. So,
 * before it runs: the header must say ES256 with a kid we know (the key set is fetched from users
 * and refetched, at most every few seconds, when an unknown kid appears), and exp, sub, iss and aud
 * must be present. With no key at all every token is refused.
 *
 * <p>A client sends the same token with every request for its whole life, and an ES256 verification
 * costs more CPU than the rest of a gateway request, so a token that verified is remembered
 * (bounded, least recently used first out) until its exp, by its exact text. A key set that drops a
 * key forgets every remembered token.
 */
final class TokenVerifier {
  private static final long MIN_REFRESH_MS = 5000;
  private static final Set<String> REQUIRED_CLAIMS = Set.of("exp", "sub", "iss", "aud");
  private static final int MAX_REMEMBERED = 50_000;

  private final Vertx vertx;
  private final Platform platform;
  private final String issuer;
  private final String audience;
  private volatile Map<String, JsonObject> keys = Map.of();
  private volatile JWTAuth provider;
  private long lastRefresh;
  private Future<Void> refreshing;
  private final Map<String, Verified> verified =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  /** Counts key retirements, so a verification that straddles one is not remembered. */
  private long keyEpoch;

  /** A token that passed every check, and the instant (epoch ms) its exp ends it. */
  record Verified(Identity identity, long expiresAtMs) {}

  TokenVerifier(Vertx vertx, Platform platform, JsonObject config) {
    this.vertx = vertx;
    this.platform = platform;
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    this.issuer = auth.getString("issuer", "");
    this.audience = auth.getString("audience", "");
    if (issuer.isBlank()) {
      throw new ConfigException(
          "auth.issuer", "must be set: tokens are only accepted from a known issuer");
    }
    if (audience.isBlank()) {
      throw new ConfigException(
          "auth.audience", "must be set: tokens are only accepted for a known audience");
    }
  }

  /** The identity in a valid bearer token, or a failed future with a 401 problem. */
  Future<Identity> verify(String authorization) {
    return verifyToken(authorization).map(Verified::identity);
  }

  /**
   * The identity in a valid bearer token and when the token expires (what a long-lived stream needs
   * to end with it), or a failed future with a 401 problem.
   */
  Future<Verified> verifyToken(String authorization) {
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
    if (!"ES256".equals(header.getString("alg"))) {
      return unauthorized("the token must be signed with ES256");
    }
    if (!isEs256Signature(parts[2])) {
      return unauthorized("the token's signature is malformed");
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
    String kid = header.getString("kid");
    if (kid == null || kid.isBlank()) {
      return unauthorized("the token has no key id");
    }
    long epoch = keyEpoch();
    return keyFor(kid)
        .compose(
            known ->
                known
                    ? provider.authenticate(new TokenCredentials(token))
                    : unauthorized("the token was signed by an unknown key"))
        .recover(
            e ->
                e instanceof Problems.HttpProblem
                    ? Future.failedFuture(e)
                    : unauthorized("the token is invalid or expired"))
        .map(user -> remember(token, identity(user, claims), claims, epoch));
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

  private synchronized Verified remembered(String token) {
    Verified hit = verified.get(token);
    if (hit == null) {
      return null;
    }
    if (System.currentTimeMillis() >= hit.expiresAtMs()) {
      verified.remove(token);
      return null;
    }
    return hit;
  }

  /**
   * Remembers a verified token, unless a key was retired since its verification began (it may be
   * that key).
   */
  private synchronized Verified remember(
      String token, Identity identity, JsonObject claims, long epoch) {
    Verified result = new Verified(identity, claims.getLong("exp") * 1000);
    if (epoch == keyEpoch) {
      verified.put(token, result);
    }
    return result;
  }

  private synchronized long keyEpoch() {
    return keyEpoch;
  }

  private Identity identity(User user, JsonObject claims) {
    JsonArray roles = claims.getValue("roles") instanceof JsonArray array ? array : new JsonArray();
    return new Identity(claims.getString("sub"), roles.stream().map(String::valueOf).toList());
  }

  private Future<Boolean> keyFor(String kid) {
    if (keys.containsKey(kid)) {
      return Future.succeededFuture(true);
    }
    return refresh().map(v -> keys.containsKey(kid));
  }

  /**
   * Refetches the JWKS from users, at most once per {@link #MIN_REFRESH_MS} (unknown kids are cheap
   * to send).
   */
  private synchronized Future<Void> refresh() {
    long now = System.currentTimeMillis();
    if (refreshing != null && (!refreshing.isComplete() || now - lastRefresh < MIN_REFRESH_MS)) {
      return refreshing.recover(e -> Future.succeededFuture());
    }
    lastRefresh = now;
    refreshing =
        vertx
            .eventBus()
            .<JsonObject>request(UsersApi.KEYS, new JsonObject(), platform.delivery())
            .map(Message::body)
            .onSuccess(this::install)
            .mapEmpty();
    return refreshing.recover(e -> Future.succeededFuture());
  }

  private void install(JsonObject jwks) {
    List<JsonObject> list =
        jwks.getJsonArray("keys", new JsonArray()).stream()
            .map(JsonObject.class::cast)
            .filter(k -> "EC".equals(k.getString("kty")) && k.getString("kid") != null)
            .map(k -> k.copy().put("alg", "ES256"))
            .toList();
    if (list.isEmpty()) {
      return;
    }
    provider =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .setJwks(list)
                .setJWTOptions(
                    new JWTOptions()
                        .setIssuer(issuer)
                        .setAudience(List.of(audience))
                        .setLeeway(5)));
    Map<String, JsonObject> installed =
        list.stream().collect(Collectors.toMap(k -> k.getString("kid"), k -> k, (a, b) -> a));
    if (!installed.keySet().containsAll(keys.keySet())) {
      forgetVerified(); // a retired key no longer vouches for the tokens it signed
    }
    keys = installed;
  }

  private synchronized void forgetVerified() {
    keyEpoch++;
    verified.clear();
  }

  private static JsonObject decode(String part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
  }

  private static <T> Future<T> unauthorized(String detail) {
    return Future.failedFuture(new Problems.HttpProblem(401, detail));
  }
}
