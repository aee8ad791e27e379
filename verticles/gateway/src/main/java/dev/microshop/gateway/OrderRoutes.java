package dev.microshop.gateway;

import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Orders: placing one answers 202 at once; the saga runs behind it and the timeline shows its
 * steps.
 */
final class OrderRoutes {
  private final Calls calls;

  OrderRoutes(Calls calls) {
    this.calls = calls;
  }

  void place(RoutingContext ctx) {
    JsonObject body =
        Calls.body(ctx).put("idempotencyKey", ctx.request().getHeader("Idempotency-Key"));
    Future<JsonObject> placed =
        calls
            .authenticated(ctx)
            .compose(identity -> orders(ctx, OrdersApi.PLACE, body))
            .onSuccess(
                order ->
                    ctx.response().putHeader("Location", "/v1/orders/" + order.getString("id")));
    Calls.respond(ctx, 202, placed);
  }

  void list(RoutingContext ctx) {
    JsonObject query = Calls.page(ctx);
    Calls.respond(
        ctx, 200, calls.authenticated(ctx).compose(identity -> orders(ctx, OrdersApi.LIST, query)));
  }

  void get(RoutingContext ctx) {
    JsonObject id = new JsonObject().put("id", Calls.path(ctx, "id"));
    Calls.respond(
        ctx, 200, calls.authenticated(ctx).compose(identity -> orders(ctx, OrdersApi.GET, id)));
  }

  void cancel(RoutingContext ctx) {
    JsonObject id = new JsonObject().put("id", Calls.path(ctx, "id"));
    Calls.respond(
        ctx, 200, calls.authenticated(ctx).compose(identity -> orders(ctx, OrdersApi.CANCEL, id)));
  }

  private Future<JsonObject> orders(RoutingContext ctx, String address, JsonObject body) {
    return calls.downstream.call(
        Services.ORDERS, address, body, ctx.get(Calls.IDENTITY), Calls.requestId(ctx));
  }
}
