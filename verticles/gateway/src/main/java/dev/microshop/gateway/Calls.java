package dev.microshop.gateway;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.platform.request.Emails;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every route handler needs: the caller, rate limits, the validated request, and writing the
 * answer.
 */
final class Calls {
  static final String IDENTITY = "microshop.identity";
  static final String REQUEST_ID = "microshop.requestId";
  static final String TOKEN_EXPIRES = "microshop.tokenExpiresAtMs";

  private final TokenVerifier tokens;
  private final RateLimits limits;
  private final AddressGate passwordChecks;
  private final ClientAddresses clients;
  final Downstream downstream;

  Calls(
      TokenVerifier tokens,
      RateLimits limits,
      AddressGate passwordChecks,
      ClientAddresses clients,
      Downstream downstream) {
    this.tokens = tokens;
    this.limits = limits;
    this.passwordChecks = passwordChecks;
    this.clients = clients;
    this.downstream = downstream;
  }

  /**
   * The client's address, the key of every per-IP limit: the TCP peer, or behind a trusted proxy
   * the address it forwarded ({@link ClientAddresses}).
   */
  String clientAddress(RoutingContext ctx) {
    return clients.of(ctx);
  }

  /** Anonymous route: limited per client address. */
  Future<Void> anonymous(RoutingContext ctx) {
    return limits.take(RateLimits.Kind.ANONYMOUS, clientAddress(ctx));
  }

  /**
   * A call that makes the service check or hash a password: at most a few at once per client
   * address ({@link AddressGate}).
   */
  <T> Future<T> passwordCheck(RoutingContext ctx, Supplier<Future<T>> call) {
    return passwordChecks.run(clientAddress(ctx), call);
  }

  /**
   * Authenticated route: a valid token, then limited per user; once per request (the first call
   * decides). A request that carries a token is first checked against its address's budget of
   * invalid tokens, so an address that keeps sending forged or garbage tokens gets 429 without
   * costing an ECDSA verification each; only tokens that fail (401) spend it. While the budget is
   * spent, every token from that address is refused, valid ones too: telling them apart is the
   * verification being spared.
   */
  Future<Identity> authenticated(RoutingContext ctx) {
    Identity known = ctx.get(IDENTITY);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization == null) {
      return tokens.verify(null); // a cheap 401 that costs no budget
    }
    String address = clientAddress(ctx);
    return limits
        .unlessSpent(RateLimits.Kind.INVALID_TOKEN, address)
        .compose(v -> tokens.verifyToken(authorization))
        .recover(e -> invalidToken(address, e))
        .compose(token -> limits.take(RateLimits.Kind.USER, token.identity().userId()).map(token))
        .onSuccess(
            token -> ctx.put(IDENTITY, token.identity()).put(TOKEN_EXPIRES, token.expiresAtMs()))
        .map(TokenVerifier.Verified::identity);
  }

  /**
   * A token refused with 401 spends one of {@code address}'s budget (429 when that was the last
   * straw); a 429 or a 503 (no trusted keys) is not the token's fault and spends nothing.
   */
  private <T> Future<T> invalidToken(String address, Throwable failure) {
    if (!(failure instanceof Problems.HttpProblem problem) || problem.status != 401) {
      return Future.failedFuture(failure);
    }
    return limits
        .take(RateLimits.Kind.INVALID_TOKEN, address)
        .compose(v -> Future.failedFuture(failure));
  }

  /** When the token of an authenticated request expires (epoch ms). */
  static long tokenExpiresAtMs(RoutingContext ctx) {
    return ctx.<Long>get(TOKEN_EXPIRES);
  }

  /**
   * The status report: limited per client address; true when the caller sent a valid admin token (a
   * token that is sent must be valid: 401 otherwise).
   */
  Future<Boolean> status(RoutingContext ctx) {
    return limits
        .take(RateLimits.Kind.STATUS, clientAddress(ctx))
        .compose(
            v ->
                ctx.request().getHeader("Authorization") == null
                    ? Future.succeededFuture(false)
                    : authenticated(ctx).map(Identity::admin));
  }

  /** Admin route: authenticated, then 403 unless the token carries the admin role. */
  Future<Identity> admin(RoutingContext ctx) {
    return authenticated(ctx)
        .compose(
            identity ->
                identity.admin()
                    ? Future.succeededFuture(identity)
                    : Future.failedFuture(
                        new Problems.HttpProblem(403, "this operation requires the admin role")));
  }

  /**
   * A login {@code attempt} on {@code email}, limited by failures: a token is taken per (account,
   * client address) and per account, in the canonical form users stores accounts in ({@link
   * Emails#canonical}, so no spelling of an address gets a bucket of its own), and given back
   * unless users answered 401. A right password, a busy or failing service consume nothing.
   */
  Future<JsonObject> login(RoutingContext ctx, String email, Supplier<Future<JsonObject>> attempt) {
    String account = Emails.canonical(email);
    String fromAddress = account + " " + clientAddress(ctx);
    return limits
        .take(RateLimits.Kind.LOGIN_FROM_ADDRESS, fromAddress)
        .compose(
            v ->
                limits
                    .take(RateLimits.Kind.LOGIN, account)
                    .onFailure(
                        e -> limits.giveBack(RateLimits.Kind.LOGIN_FROM_ADDRESS, fromAddress)))
        .compose(
            v ->
                attempt
                    .get()
                    .onComplete(
                        done -> {
                          if (done.succeeded() || !wrongCredentials(done.cause())) {
                            limits.giveBack(RateLimits.Kind.LOGIN_FROM_ADDRESS, fromAddress);
                            limits.giveBack(RateLimits.Kind.LOGIN, account);
                          }
                        }));
  }

  private static boolean wrongCredentials(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == ErrorCodes.UNAUTHENTICATED;
  }

  static JsonObject body(RoutingContext ctx) {
    return ((JsonObject) validated(ctx).getBody().get()).copy();
  }

  /** {@code {cursor?, limit}} from the query string of a paginated route. */
  static JsonObject page(RoutingContext ctx) {
    JsonObject page = new JsonObject().put("limit", 20);
    RequestParameter cursor = query(ctx, "cursor");
    RequestParameter limit = query(ctx, "limit");
    if (cursor != null && !cursor.isNull()) {
      page.put("cursor", cursor.getString());
    }
    if (limit != null && !limit.isNull()) {
      page.put("limit", limit.getInteger());
    }
    return page;
  }

  static String path(RoutingContext ctx, String name) {
    return validated(ctx).getPathParameters().get(name).getString();
  }

  static RequestParameter query(RoutingContext ctx, String name) {
    return validated(ctx).getQuery().get(name);
  }

  /**
   * The message id of a command: derived from the Idempotency-Key header when the client sends one,
   * so a retried HTTP request maps to the same message and the service applies it once; random
   * otherwise.
   */
  static String messageId(RoutingContext ctx, String scope) {
    String key = ctx.request().getHeader("Idempotency-Key");
    return key == null
        ? java.util.UUID.randomUUID().toString()
        : java.util
            .UUID
            .nameUUIDFromBytes(
                (scope + ":" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .toString();
  }

  static String requestId(RoutingContext ctx) {
    return ctx.get(REQUEST_ID);
  }

  private static ValidatedRequest validated(RoutingContext ctx) {
    return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
  }

  /** Runs {@code work}; writes its JSON with {@code status}, or the failure as a problem. */
  static void respond(RoutingContext ctx, int status, Future<JsonObject> work) {
    respond(ctx, status, work, Function.identity());
  }

  static void respond(
      RoutingContext ctx,
      int status,
      Future<JsonObject> work,
      Function<JsonObject, JsonObject> view) {
    work.onSuccess(
            json ->
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(view.apply(json).encode()))
        .onFailure(e -> Problems.send(ctx, e));
  }
}
