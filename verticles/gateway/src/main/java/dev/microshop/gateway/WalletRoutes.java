package dev.microshop.gateway;

import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The caller's wallet, and admin credits (idempotent per Idempotency-Key). */
final class WalletRoutes {
  private final Calls calls;

  WalletRoutes(Calls calls) {
    this.calls = calls;
  }

  void get(RoutingContext ctx) {
    Calls.respond(
        ctx,
        200,
        calls
            .authenticated(ctx)
            .compose(
                identity ->
                    calls.downstream.call(
                        Services.PAYMENTS,
                        PaymentsApi.WALLET,
                        new JsonObject(),
                        identity,
                        Calls.requestId(ctx))));
  }

  void transactions(RoutingContext ctx) {
    JsonObject query = Calls.page(ctx);
    Calls.respond(
        ctx,
        200,
        calls
            .authenticated(ctx)
            .compose(
                identity ->
                    calls.downstream.call(
                        Services.PAYMENTS,
                        PaymentsApi.TRANSACTIONS,
                        query,
                        identity,
                        Calls.requestId(ctx))));
  }

  void credit(RoutingContext ctx) {
    String userId = Calls.path(ctx, "userId");
    JsonObject credit = Calls.body(ctx).put("userId", userId);
    credit.put("messageId", Calls.messageId(ctx, "credit:" + userId));
    // Payments opens a wallet on first use and cannot tell a user from a typo: users can (404 for
    // no such user).
    Future<JsonObject> credited =
        calls
            .admin(ctx)
            .compose(
                admin ->
                    calls.downstream.call(
                        Services.USERS,
                        UsersApi.PROFILE,
                        new JsonObject().put("userId", userId),
                        admin,
                        Calls.requestId(ctx)))
            .compose(
                user ->
                    calls.downstream.call(
                        Services.PAYMENTS,
                        PaymentsApi.CREDIT,
                        credit,
                        ctx.get(Calls.IDENTITY),
                        Calls.requestId(ctx)));
    Calls.respond(ctx, 200, credited);
  }
}
