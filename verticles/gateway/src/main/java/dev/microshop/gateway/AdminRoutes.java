package dev.microshop.gateway;

import dev.microshop.contracts.OutboxApi;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Operating the outboxes: dead letters per service, redrive, and lag. Admin only. */
final class AdminRoutes {
  private final Calls calls;

  AdminRoutes(Calls calls) {
    this.calls = calls;
  }

  void deadLetters(RoutingContext ctx) {
    String service = Calls.path(ctx, "service");
    Calls.respond(
        ctx,
        200,
        calls
            .admin(ctx)
            .compose(
                admin ->
                    calls.downstream.call(
                        service,
                        OutboxApi.deadLetters(service),
                        new JsonObject(),
                        admin,
                        Calls.requestId(ctx))));
  }

  void redrive(RoutingContext ctx) {
    String service = Calls.path(ctx, "service");
    JsonObject id = new JsonObject().put("id", Calls.path(ctx, "id"));
    Calls.respond(
        ctx,
        200,
        calls
            .admin(ctx)
            .compose(
                admin ->
                    calls.downstream.call(
                        service, OutboxApi.redrive(service), id, admin, Calls.requestId(ctx))));
  }

  void stats(RoutingContext ctx) {
    String service = Calls.path(ctx, "service");
    Calls.respond(
        ctx,
        200,
        calls
            .admin(ctx)
            .compose(
                admin ->
                    calls.downstream.call(
                        service,
                        OutboxApi.stats(service),
                        new JsonObject(),
                        admin,
                        Calls.requestId(ctx))));
  }
}
