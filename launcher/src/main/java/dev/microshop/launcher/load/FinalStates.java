package dev.microshop.launcher.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When each order became CONFIRMED or CANCELLED, as the client sees it: by the customer's
 * notification stream (one outbox hop after the order became final) or by polling {@code GET
 * /v1/orders/{id}} (extra load on the gateway and orders).
 */
final class FinalStates {
  /** A final status and when the client saw it. */
  record Final(String status, long atNs) {}

  private final Vertx vertx;
  private final Gateway gateway;
  private final LoadOptions.Follow follow;
  private final long pollMs;
  private final long timeoutMs;
  private final Map<String, Promise<Final>> waiting = new ConcurrentHashMap<>();
  private volatile boolean streamsOpen;
  private volatile boolean closing;

  /** Notifications that came before their order's 202 did. */
  private final Map<String, Final> early = new ConcurrentHashMap<>();

  FinalStates(Vertx vertx, Gateway gateway, LoadOptions options) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.follow = options.follow();
    this.pollMs = options.pollInterval().toMillis();
    this.timeoutMs = options.finalTimeout().toMillis();
  }

  static boolean isFinal(String status) {
    return "CONFIRMED".equals(status) || "CANCELLED".equals(status);
  }

  /** Opens every customer's stream (in SSE mode) and waits until each says it is connected. */
  void open(List<String> tokens) {
    if (follow != LoadOptions.Follow.SSE) {
      return;
    }
    for (String token : tokens) {
      Setup.await(stream(token));
    }
    streamsOpen = true;
  }

  /** The order's final state, {@code postedNs} being when its 202 came. */
  Future<Final> of(String token, String orderId, long postedNs) {
    return follow == LoadOptions.Follow.SSE
        ? notified(token, orderId)
        : poll(token, orderId, postedNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
  }

  private Future<Void> stream(String token) {
    Promise<Void> connected = Promise.promise();
    // A stream ends when its gateway goes (a crash, a restart) or its token expires: once the run
    // is under way it is opened again, once per ending; a notification missed meanwhile is made up
    // for by reading the order at its timeout.
    AtomicBoolean ended = new AtomicBoolean();
    Runnable again =
        () -> {
          if (streamsOpen && ended.compareAndSet(false, true)) {
            reopen(token);
          }
        };
    gateway.stream(token)
        .onSuccess(
            response -> {
              if (response.statusCode() != 200) {
                connected.tryFail(
                    new SetupFailed(
                        "GET /v1/notifications/stream answered " + response.statusCode()));
                again.run();
                return;
              }
              StringBuilder pending = new StringBuilder();
              response.handler(
                  chunk -> {
                    long now = System.nanoTime();
                    pending.append(chunk.toString(StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = pending.indexOf("\n")) >= 0) {
                      String line = pending.substring(0, nl);
                      pending.delete(0, nl + 1);
                      if (line.startsWith(": connected")) {
                        connected.tryComplete();
                      } else if (line.startsWith("data:")) {
                        notification(line.substring(5).trim(), now);
                      }
                    }
                  });
              response.exceptionHandler(
                  e -> {
                    connected.tryFail(e);
                    again.run();
                  });
              response.endHandler(v -> again.run());
            })
        .onFailure(
            e -> {
              connected.tryFail(e);
              again.run();
            });
    return connected.future();
  }

  /** Stops reopening streams: the run is over. */
  void close() {
    closing = true;
  }

  private void reopen(String token) {
    if (!closing) {
      vertx.setTimer(1000, t -> stream(token));
    }
  }

  private void notification(String data, long now) {
    JsonObject n;
    try {
      n = new JsonObject(data);
    } catch (RuntimeException e) {
      return;
    }
    String kind = n.getString("kind", "");
    JsonObject body = n.getJsonObject("body", new JsonObject());
    String orderId = body.getString("orderId", n.getString("orderId"));
    String status =
        switch (kind) {
          case "ORDER_CONFIRMED" -> "CONFIRMED";
          case "ORDER_CANCELLED" -> "CANCELLED";
          default -> null;
        };
    if (orderId == null || status == null) {
      return;
    }
    Final seen = new Final(status, now);
    Promise<Final> waiter = waiting.remove(orderId);
    if (waiter != null) {
      waiter.tryComplete(seen);
    } else {
      early.put(orderId, seen);
    }
  }

  private Future<Final> notified(String token, String orderId) {
    Final seen = early.remove(orderId);
    if (seen != null) {
      return Future.succeededFuture(seen);
    }
    Promise<Final> promise = Promise.promise();
    waiting.put(orderId, promise);
    seen = early.remove(orderId); // it may have come between the two looks
    if (seen != null && waiting.remove(orderId) != null) {
      promise.tryComplete(seen);
    }
    vertx.setTimer(
        timeoutMs,
        t -> {
          if (waiting.remove(orderId) != null) {
            // Its stream may have been down when it came: the order itself says whether it is
            // final.
            gateway
                .get("/v1/orders/" + orderId, token)
                .onComplete(
                    ar -> {
                      String status =
                          ar.succeeded() ? ar.result().body().getString("status") : null;
                      if (isFinal(status)) {
                        promise.tryComplete(new Final(status, System.nanoTime()));
                      } else {
                        promise.tryFail("not final within " + timeoutMs + " ms");
                      }
                    });
          }
        });
    return promise.future();
  }

  private Future<Final> poll(String token, String orderId, long deadlineNs) {
    Promise<Final> done = Promise.promise();
    pollOnce(token, orderId, deadlineNs, done);
    return done.future();
  }

  private void pollOnce(String token, String orderId, long deadlineNs, Promise<Final> done) {
    vertx.setTimer(
        pollMs,
        t ->
            gateway
                .get("/v1/orders/" + orderId, token)
                .onComplete(
                    ar -> {
                      long now = System.nanoTime();
                      if (ar.succeeded() && ar.result().status() == 200) {
                        String status = ar.result().body().getString("status");
                        if (isFinal(status)) {
                          done.complete(new Final(status, now));
                          return;
                        }
                      }
                      if (now > deadlineNs) {
                        done.fail("not final within " + timeoutMs + " ms");
                      } else {
                        pollOnce(token, orderId, deadlineNs, done);
                      }
                    }));
  }
}
