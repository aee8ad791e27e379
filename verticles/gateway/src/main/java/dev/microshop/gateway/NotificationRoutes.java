package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notifications: a page of them, or a live Server-Sent Events stream. The stream listens on the
 * user's publish address, where notifications announces each notification right after storing it; a
 * comment line every 15 s keeps idle connections (and proxies) open. Clients reconnect and read the
 * list for anything missed.
 *
 * <p>A stream holds a connection and a consumer for as long as the client likes, so this gateway
 * caps them: {@code streams.perUser} per user (429 beyond), {@code streams.total} in all (503
 * beyond); and a stream ends, with an {@code expired} event, when the token that opened it expires,
 * so access is never kept past the token's life. The caps are per gateway instance.
 */
final class NotificationRoutes {
  private static final long HEARTBEAT_MS = 15_000;
  private static final String RETRY_AFTER_SECONDS = "30";
  private final Vertx vertx;
  private final Calls calls;
  private final int perUser;
  private final int total;
  // Shared by the event loops of every HTTP server instance of this gateway.
  private final Map<String, Integer> open = new ConcurrentHashMap<>();
  private final AtomicInteger opened = new AtomicInteger();

  NotificationRoutes(Vertx vertx, Calls calls, JsonObject streams) {
    this.vertx = vertx;
    this.calls = calls;
    this.perUser = atLeastOne(streams, "perUser");
    this.total = atLeastOne(streams, "total");
  }

  private static int atLeastOne(JsonObject streams, String key) {
    int value = streams.getInteger(key);
    if (value < 1) {
      throw new ConfigException(
          "streams." + key, value + " is out of range 1.." + Integer.MAX_VALUE);
    }
    return value;
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
    if (EdgeRouter.isHead(ctx)) {
      // A HEAD asks for the stream's headers only: no subscription that nobody reads.
      EventStreams.headers(ctx.response()).end();
      return;
    }
    Problems.HttpProblem refused = claim(identity.userId());
    if (refused != null) {
      Problems.send(ctx, refused);
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            release(identity.userId());
          }
        };
    try {
      subscribe(ctx, identity, release);
    } catch (RuntimeException e) {
      release.run();
      throw e;
    }
  }

  private void subscribe(RoutingContext ctx, Identity identity, Runnable release) {
    HttpServerResponse response = EventStreams.headers(ctx.response());
    MessageConsumer<JsonObject> consumer =
        vertx
            .eventBus()
            .consumer(
                NotificationsApi.stream(identity.userId()),
                msg ->
                    EventStreams.send(
                        response,
                        "event: notification\nid: "
                            + msg.body().getString("id")
                            + "\ndata: "
                            + msg.body().encode()
                            + "\n\n"));
    long heartbeat =
        vertx.setPeriodic(HEARTBEAT_MS, t -> EventStreams.send(response, ": keep-alive\n\n"));
    // The expiry is armed once the consumer is registered, so "connected" always comes first even
    // when a clustered registration takes longer than the token has left.
    AtomicLong expiry = new AtomicLong(-1);
    consumer
        .completion()
        .onComplete(
            registered -> {
              if (registered.failed()) {
                // No notification could reach it: end it so the client reconnects, not waits.
                EventStreams.end(response, "unavailable", "the stream could not be registered");
              }
              EventStreams.send(response, ": connected\n\n");
              if (!response.ended() && !response.closed()) {
                expiry.set(
                    vertx.setTimer(
                        untilExpiry(ctx),
                        t -> EventStreams.end(response, "expired", "the token expired")));
              }
            });
    Handler<Void> done =
        v -> {
          vertx.cancelTimer(heartbeat);
          vertx.cancelTimer(expiry.get());
          consumer.unregister();
          release.run();
        };
    response.closeHandler(done);
    response.endHandler(done);
    if (response.closed()) {
      done.handle(null); // gone while its token was checked: no close event is coming
    }
  }

  private static long untilExpiry(RoutingContext ctx) {
    return Math.max(1, Calls.tokenExpiresAtMs(ctx) - System.currentTimeMillis());
  }

  /** Takes a place for one more stream of {@code userId}, or says why there is none. */
  private Problems.HttpProblem claim(String userId) {
    if (opened.incrementAndGet() > total) {
      opened.decrementAndGet();
      return new Problems.HttpProblem(
          503,
          "this gateway serves as many live streams as it may ("
              + total
              + "); retry later, or read the list",
          null,
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    boolean[] full = new boolean[1];
    open.compute(
        userId,
        (id, count) -> {
          int now = count == null ? 0 : count;
          full[0] = now >= perUser;
          return full[0] ? count : now + 1;
        });
    if (full[0]) {
      opened.decrementAndGet();
      RateLimitMeters.rejected(RateLimitMeters.LIVE_STREAMS);
      return new Problems.HttpProblem(
          429,
          "this user already has " + perUser + " live streams open here; close one, or retry later",
          null,
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    return null;
  }

  private void release(String userId) {
    open.computeIfPresent(userId, (id, count) -> count <= 1 ? null : count - 1);
    opened.decrementAndGet();
  }
}
