package dev.microshop.gateway;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operations console's data, admin only: {@code GET /v1/admin/ops} (one {@link OpsSnapshot})
 * and {@code GET /v1/admin/ops/stream}, the same document every {@code ops.pushMs} as Server-Sent
 * Events. A stream ends with an {@code expired} event when the token that opened it expires, so a
 * console never shows more than its token allows; at most {@code ops.streams} are open per gateway.
 */
final class OpsRoutes {
  private static final String RETRY_AFTER_SECONDS = "10";
  private final Vertx vertx;
  private final Calls calls;
  private final OpsSnapshot snapshots;
  private final long pushMs;
  private final int maxStreams;
  private final AtomicInteger open = new AtomicInteger();

  OpsRoutes(Vertx vertx, Calls calls, StatusReport status, JsonObject config) {
    JsonObject ops = config.getJsonObject("ops");
    this.vertx = vertx;
    this.calls = calls;
    this.pushMs = range(ops, "pushMs", 200, 60_000);
    this.maxStreams = (int) range(ops, "streams", 1, 1_000);
    this.snapshots =
        new OpsSnapshot(
            status,
            calls.downstream,
            range(ops, "slowOrderMs", 1, 600_000),
            traceUrl(ops.getString("traceUrl"), config.getJsonObject("tracing")),
            pushMs / 2);
  }

  /** Checks the settings before anything starts (the launcher's preflight). */
  static void checkSettings(JsonObject config) {
    JsonObject ops = config.getJsonObject("ops");
    range(ops, "pushMs", 200, 60_000);
    range(ops, "streams", 1, 1_000);
    range(ops, "slowOrderMs", 1, 600_000);
    traceUrl(ops.getString("traceUrl"), config.getJsonObject("tracing"));
  }

  void snapshot(RoutingContext ctx) {
    Calls.respond(
        ctx, 200, calls.admin(ctx).compose(admin -> snapshots.read(admin, Calls.requestId(ctx))));
  }

  void stream(RoutingContext ctx) {
    calls.admin(ctx).onSuccess(admin -> open(ctx, admin)).onFailure(e -> Problems.send(ctx, e));
  }

  private void open(RoutingContext ctx, Identity admin) {
    HttpServerResponse response = ctx.response();
    if (EdgeRouter.isHead(ctx)) {
      EventStreams.headers(response).end();
      return;
    }
    if (open.incrementAndGet() > maxStreams) {
      open.decrementAndGet();
      Problems.send(
          ctx,
          new Problems.HttpProblem(
              503,
              "this gateway serves as many console streams as it may ("
                  + maxStreams
                  + "); retry later",
              null,
              Map.of("Retry-After", RETRY_AFTER_SECONDS)));
      return;
    }
    EventStreams.headers(response);
    String requestId = Calls.requestId(ctx);
    AtomicBoolean busy = new AtomicBoolean();
    Runnable push =
        () -> {
          if (busy.compareAndSet(false, true)) {
            snapshots
                .read(admin, requestId)
                .onComplete(
                    done -> {
                      busy.set(false);
                      if (done.succeeded()) {
                        EventStreams.send(
                            response, "event: snapshot\ndata: " + done.result().encode() + "\n\n");
                      }
                    });
          }
        };
    long timer = vertx.setPeriodic(pushMs, t -> push.run());
    long expiry =
        vertx.setTimer(
            Math.max(1, Calls.tokenExpiresAtMs(ctx) - System.currentTimeMillis()),
            t -> EventStreams.end(response, "expired", "the token expired"));
    AtomicBoolean released = new AtomicBoolean();
    Runnable done =
        () -> {
          if (released.compareAndSet(false, true)) {
            vertx.cancelTimer(timer);
            vertx.cancelTimer(expiry);
            open.decrementAndGet();
          }
        };
    response.closeHandler(v -> done.run());
    response.endHandler(v -> done.run());
    if (response.closed()) {
      done.run();
      return;
    }
    EventStreams.send(response, ": connected\n\n");
    push.run();
  }

  private static long range(JsonObject ops, String key, long min, long max) {
    long value = ops.getLong(key);
    if (value < min || value > max) {
      throw new ConfigException("ops." + key, value + " is out of range " + min + ".." + max);
    }
    return value;
  }

  /**
   * Where the console links an order's trace: {@code ops.traceUrl} with {@code {traceId}} in it;
   * when empty and the traces go to Zipkin, Zipkin's own page for a trace on the same host.
   */
  static String traceUrl(String configured, JsonObject tracing) {
    if (configured != null && !configured.isBlank()) {
      if (!configured.contains("{traceId}")
          || !(configured.startsWith("http://") || configured.startsWith("https://"))) {
        throw new ConfigException(
            "ops.traceUrl", "'" + configured + "' must be an http(s) URL containing {traceId}");
      }
      return configured;
    }
    if (tracing == null || !"zipkin".equals(tracing.getString("exporter"))) {
      return null;
    }
    try {
      URI spans = new URI(tracing.getString("zipkinEndpoint"));
      return new URI(spans.getScheme(), null, spans.getHost(), spans.getPort(), null, null, null)
          + "/zipkin/traces/{traceId}";
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }
}
