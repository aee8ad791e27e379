package dev.microshop.gateway;

import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys access tokens are verified with: a JWKS fetched from a source (users, over the
 * bus, today), every {@code auth.keysRefreshMs}, and at once when a token names a kid the set lacks
 * (at most once per {@link #MIN_KID_FETCH_MS}: unknown kids are cheap to send).
 *
 * <p>A key is trusted only while the newest set fetched holds it, and a set only for {@code
 * auth.keysMaxAgeMs} after the fetch that brought it was sent. So a key removed from the source is
 * refused by every gateway at most {@code keysMaxAgeMs} after its removal, whether the source keeps
 * answering (the next set lacks it) or not (the set expires, and every token is refused until a
 * fetch succeeds again). This class is the one place that knows where keys come from and how long
 * they last: pointing it elsewhere is a different {@code source}.
 */
final class VerificationKeys {
  static final long MIN_KID_FETCH_MS = 5000;
  private static final Logger LOG = LoggerFactory.getLogger(VerificationKeys.class);

  private final Vertx vertx;
  private final Supplier<Future<JsonObject>> source;
  private final JWTOptions checks;
  private final long refreshMs;
  private final long maxAgeMs;
  private volatile Snapshot current;
  private Future<Void> fetching; // guarded by this
  private long lastKidFetchMs = Long.MIN_VALUE / 2; // guarded by this
  private long timer = -1;

  /**
   * One fetched set: its JWKs by kid, the provider verifying with them, when its fetch was sent.
   */
  private record Snapshot(Map<String, JsonObject> keys, JWTAuth provider, long fetchedAtMs) {}

  /**
   * {@code source}: fetches the JWKS ({@code {keys: [...]}}); {@code checks}: the claims every
   * token must satisfy; {@code auth}: the gateway's {@code auth} settings.
   */
  VerificationKeys(
      Vertx vertx, Supplier<Future<JsonObject>> source, JWTOptions checks, JsonObject auth) {
    this.vertx = vertx;
    this.source = source;
    this.checks = checks;
    this.refreshMs = auth.getLong("keysRefreshMs");
    this.maxAgeMs = auth.getLong("keysMaxAgeMs");
    if (refreshMs >= maxAgeMs) {
      throw new ConfigException(
          "auth.keysRefreshMs",
          refreshMs
              + " must be below auth.keysMaxAgeMs ("
              + maxAgeMs
              + "), or the key set expires between two refreshes");
    }
  }

  /** Fetches the first set and keeps refreshing; a source not answering yet fails nothing. */
  Future<Void> start() {
    timer = vertx.setPeriodic(refreshMs, t -> fetch());
    return fetch();
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** The provider that verifies tokens of {@code kid} now, or null when kid is not trusted now. */
  JWTAuth trusted(String kid) {
    Snapshot snapshot = current;
    return snapshot != null && fresh(snapshot) && snapshot.keys().containsKey(kid)
        ? snapshot.provider()
        : null;
  }

  /** Whether a set fetched less than keysMaxAgeMs ago is in use. */
  boolean available() {
    Snapshot snapshot = current;
    return snapshot != null && fresh(snapshot);
  }

  /**
   * The provider for {@code kid}, fetching the set again first when kid is not trusted now (and no
   * such fetch ran in the last {@link #MIN_KID_FETCH_MS}); null when kid is still not trusted.
   */
  Future<JWTAuth> providerFor(String kid) {
    JWTAuth provider = trusted(kid);
    if (provider != null) {
      return Future.succeededFuture(provider);
    }
    return fetchForKid().map(v -> trusted(kid));
  }

  private synchronized Future<Void> fetchForKid() {
    long now = nowMs();
    if (now - lastKidFetchMs < MIN_KID_FETCH_MS) {
      return fetching == null ? Future.succeededFuture() : fetching;
    }
    lastKidFetchMs = now;
    return fetch();
  }

  /** One fetch at a time; it never fails (a failure leaves the current set to age). */
  private synchronized Future<Void> fetch() {
    if (fetching != null && !fetching.isComplete()) {
      return fetching;
    }
    long sentAtMs = nowMs();
    fetching =
        source
            .get()
            .map(jwks -> install(jwks, sentAtMs))
            .<Void>mapEmpty()
            .recover(
                e -> {
                  if (current == null) {
                    // Starting beside users (or before it): the refresh timer asks again soon, and
                    // a token meanwhile answers 503, not 401.
                    LOG.info("no token verification keys yet ({}); asking again", e.getMessage());
                  } else {
                    LOG.warn(
                        "cannot refresh the token verification keys ({}); the current set expires "
                            + "{} ms after it was fetched",
                        e.getMessage(),
                        maxAgeMs);
                  }
                  return Future.succeededFuture();
                });
    return fetching;
  }

  private synchronized boolean install(JsonObject jwks, long sentAtMs) {
    List<JsonObject> list =
        jwks.getJsonArray("keys", new JsonArray()).stream()
            .filter(JsonObject.class::isInstance)
            .map(JsonObject.class::cast)
            .filter(k -> "EC".equals(k.getValue("kty")) && k.getValue("kid") instanceof String)
            .map(k -> k.copy().put("alg", "ES256"))
            .toList();
    if (list.isEmpty()) {
      throw new IllegalArgumentException("the key set holds no EC key with a kid");
    }
    Map<String, JsonObject> keys =
        list.stream().collect(Collectors.toMap(k -> k.getString("kid"), k -> k, (a, b) -> a));
    Snapshot before = current;
    if (before != null && before.fetchedAtMs() > sentAtMs) {
      return false; // a newer set is already in use
    }
    JWTAuth provider =
        before != null && before.keys().equals(keys)
            ? before.provider()
            : JWTAuth.create(vertx, new JWTAuthOptions().setJwks(list).setJWTOptions(checks));
    if (before != null && !keys.keySet().containsAll(before.keys().keySet())) {
      LOG.info("token verification keys now {} (was {})", keys.keySet(), before.keys().keySet());
    }
    current = new Snapshot(keys, provider, sentAtMs);
    return true;
  }

  private boolean fresh(Snapshot snapshot) {
    return nowMs() - snapshot.fetchedAtMs() < maxAgeMs;
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
