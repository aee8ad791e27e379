package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Registration, login, and {@code /v1/me}: the profile and the wallet, fetched in parallel.
 * Registration and login cost users an argon2 hash each, so they pass the per-address concurrency
 * bound ({@link Calls#passwordCheck}); login is limited by failed attempts ({@link Calls#login}).
 */
final class AccountRoutes {
  /**
   * Argon2 is memory- and CPU-hard on purpose: on a busy host one hash can exceed the usual bus
   * timeout.
   */
  private static final long HASHING_TIMEOUT_MS = 6000;

  private final Calls calls;

  AccountRoutes(Calls calls) {
    this.calls = calls;
  }

  void register(RoutingContext ctx) {
    JsonObject body = Calls.body(ctx);
    Future<JsonObject> registered =
        calls
            .anonymous(ctx)
            .compose(
                v ->
                    calls.passwordCheck(
                        ctx,
                        () ->
                            calls.downstream.call(
                                Services.USERS,
                                UsersApi.REGISTER,
                                body,
                                null,
                                Calls.requestId(ctx),
                                HASHING_TIMEOUT_MS)))
            .onSuccess(profile -> ctx.response().putHeader("Location", "/v1/me"));
    Calls.respond(ctx, 201, registered);
  }

  void token(RoutingContext ctx) {
    JsonObject body = Calls.body(ctx);
    Future<JsonObject> token =
        calls
            .anonymous(ctx)
            .compose(
                v ->
                    calls.login(
                        ctx,
                        body.getString("email"),
                        () ->
                            calls.passwordCheck(
                                ctx,
                                () ->
                                    calls.downstream.call(
                                        Services.USERS,
                                        UsersApi.ISSUE_TOKEN,
                                        body,
                                        null,
                                        Calls.requestId(ctx),
                                        HASHING_TIMEOUT_MS))))
            .onSuccess(t -> ctx.response().putHeader("Cache-Control", "no-store"));
    Calls.respond(ctx, 200, token);
  }

  void me(RoutingContext ctx) {
    Calls.respond(ctx, 200, calls.authenticated(ctx).compose(identity -> aggregate(ctx, identity)));
  }

  private Future<JsonObject> aggregate(RoutingContext ctx, Identity identity) {
    String requestId = Calls.requestId(ctx);
    Future<JsonObject> profile =
        calls.downstream.call(
            Services.USERS, UsersApi.PROFILE, new JsonObject(), identity, requestId);
    // The wallet is optional to this page: when payments is down, the profile still comes back.
    Future<JsonObject> wallet =
        calls
            .downstream
            .call(Services.PAYMENTS, PaymentsApi.WALLET, new JsonObject(), identity, requestId)
            .map(w -> w.copy().put("available", true))
            .otherwise(
                e ->
                    new JsonObject()
                        .put("available", false)
                        .put("detail", "the wallet is temporarily unavailable"));
    return Future.all(profile, wallet)
        .map(
            both ->
                new JsonObject().put("profile", profile.result()).put("wallet", wallet.result()));
  }
}
