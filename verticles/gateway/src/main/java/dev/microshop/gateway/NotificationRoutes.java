package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.Services;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Notifications: a page of them, or a live Server-Sent Events stream. The stream listens on the
 * user's publish address, where notifications announces each notification right after storing it; a
 * comment line every 15 s keeps idle connections (and proxies) open. Clients reconnect and read the
 * list for anything missed.
 */
final class NotificationRoutes {
  private static final long HEARTBEAT_MS = 15_000;
  private final Vertx vertx;
  private final Calls calls;

  NotificationRoutes(Vertx vertx, Calls calls) {
    this.vertx = vertx;
    this.calls = calls;
  }

  void list(RoutingContext ctx) {
    JsonObject query = Calls.page(ctx);
    Calls.respond(
        ctx,
        200,
        calls
            .authenticated(ctx)
            .compose(
                identity ->
                    calls.downstream.call(
                        Services.NOTIFICATIONS,
                        NotificationsApi.LIST,
                        query,
                        identity,
                        Calls.requestId(ctx))));
  }

  void stream(RoutingContext ctx) {
    calls
        .authenticated(ctx)
        .onSuccess(identity -> open(ctx, identity))
        .onFailure(e -> Problems.send(ctx, e));
  }

  private void open(RoutingContext ctx, Identity identity) {
    HttpServerResponse response =
        ctx.response()
            .setChunked(true)
            .putHeader("Content-Type", "text/event-stream")
            .putHeader("Cache-Control", "no-cache")
            .putHeader("X-Accel-Buffering", "no");
    if (EdgeRouter.isHead(ctx)) {
      response
          .end(); // a HEAD asks for the stream's headers only: no subscription that nobody reads
      return;
    }
    MessageConsumer<JsonObject> consumer =
        vertx
            .eventBus()
            .consumer(
                NotificationsApi.stream(identity.userId()),
                msg ->
                    response.write(
                        "event: notification\nid: "
                            + msg.body().getString("id")
                            + "\ndata: "
                            + msg.body().encode()
                            + "\n\n"));
    long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, t -> response.write(": keep-alive\n\n"));
    consumer.completion().onSuccess(v -> response.write(": connected\n\n"));
    response.closeHandler(
        v -> {
          vertx.cancelTimer(heartbeat);
          consumer.unregister();
        });
  }
}
