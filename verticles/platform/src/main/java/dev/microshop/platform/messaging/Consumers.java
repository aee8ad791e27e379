package dev.microshop.platform.messaging;

import dev.microshop.contracts.ErrorCodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event-bus consumers of one service verticle. Handlers return a future of the reply; a {@link
 * ServiceFailure} becomes {@code msg.fail(code, text)}, anything else is logged once and answered
 * with a generic 500 (the cause never crosses the bus). In-flight messages are counted so a
 * graceful stop can unregister, then wait for the ones already accepted.
 */
public final class Consumers {
  private static final Logger LOG = LoggerFactory.getLogger(Consumers.class);
  private final Vertx vertx;
  private final List<MessageConsumer<JsonObject>> registered = new ArrayList<>();
  private int inFlight;
  private long shed;
  private long lastShedLog = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
  private Promise<Void> drained;

  public Consumers(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * A reply with headers of its own, for a body the receiver passes on without reading it (a
   * catalog page's bytes, and its ETag beside them).
   */
  public record Reply(Object body, Map<String, String> headers) {}

  /**
   * Registers one consumer (one per address per JVM); the future completes once the cluster knows
   * it.
   */
  public Future<Void> on(String address, Function<Message<JsonObject>, Future<?>> handler) {
    MessageConsumer<JsonObject> consumer =
        vertx.eventBus().consumer(address, msg -> handle(msg, handler));
    registered.add(consumer);
    return consumer.completion();
  }

  private void handle(Message<JsonObject> msg, Function<Message<JsonObject>, Future<?>> handler) {
    inFlight++;
    Future<?> reply;
    try {
      reply = handler.apply(msg);
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(
        result -> {
          if (result.succeeded() && result.result() instanceof Reply withHeaders) {
            DeliveryOptions options = BusGuard.answering(msg);
            withHeaders.headers().forEach(options::addHeader);
            msg.reply(withHeaders.body(), options);
          } else if (result.succeeded()) {
            msg.reply(result.result(), BusGuard.answering(msg));
          } else {
            msg.reply(failure(msg.address(), result.cause()), BusGuard.answering(msg));
          }
          if (--inFlight == 0 && drained != null) {
            drained.tryComplete();
          }
        });
  }

  /**
   * What a handler's failure crosses the bus as: a {@link ServiceFailure} its code and text (a 400
   * naming fields keeps them, see {@link InvalidRequest}); anything else is logged once and a
   * generic 500 (the cause never crosses the bus).
   */
  ReplyException failure(String address, Throwable cause) {
    if (cause instanceof ServiceFailure failure) {
      return failure.errors().isEmpty()
          ? new ReplyException(ReplyFailure.RECIPIENT_FAILURE, failure.code(), failure.getMessage())
          : new InvalidRequest(failure.errors());
    }
    if (cause instanceof ConnectionPoolTooBusyException) {
      return busy(address);
    }
    if (isUnstorableText(cause)) {
      return failure(
          address,
          ServiceFailure.invalid(
              FieldError.WHOLE_BODY,
              "the text contains a character that cannot be stored (U+0000, NUL)"));
    }
    LOG.error("handler of {} failed", address, cause);
    return new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE, ErrorCodes.INTERNAL, "internal error");
  }

  /**
   * The database pool's queue is full: refused at once as busy (503), which the gateway answers
   * with Retry-After (or a catalog copy) and an outbox retries after its backoff. Logged once a
   * second at most: under overload there are thousands.
   */
  private ReplyException busy(String address) {
    shed++;
    long now = System.nanoTime();
    if (now - lastShedLog > TimeUnit.SECONDS.toNanos(1)) {
      LOG.warn("busy: refused {} message(s) since the last report, lately to {}", shed, address);
      shed = 0;
      lastShedLog = now;
    }
    return new ReplyException(
        ReplyFailure.RECIPIENT_FAILURE,
        ErrorCodes.UNAVAILABLE,
        "busy: too many requests waiting for the database");
  }

  /**
   * PostgreSQL refuses U+0000 in text (22021) and in JSON (22P05). The gateway refuses it first; a
   * caller on the bus that sends it anyway made a bad request, not the service a failure.
   */
  private static boolean isUnstorableText(Throwable failure) {
    return failure instanceof PgException pg
        && ("22021".equals(pg.getSqlState()) || "22P05".equals(pg.getSqlState()));
  }

  /**
   * Unregisters every consumer, then waits (at most {@code maxWaitMs}) for accepted messages to
   * finish.
   */
  public Future<Void> drain(long maxWaitMs) {
    List<Future<Void>> unregistering =
        registered.stream().map(MessageConsumer::unregister).toList();
    return Future.join(unregistering)
        .transform(
            ignored -> {
              if (inFlight == 0) {
                return Future.succeededFuture();
              }
              drained = Promise.promise();
              long timer =
                  vertx.setTimer(
                      maxWaitMs,
                      t -> {
                        LOG.warn(
                            "{} messages still in flight after {} ms; stopping anyway",
                            inFlight,
                            maxWaitMs);
                        drained.tryComplete();
                      });
              return drained.future().onComplete(done -> vertx.cancelTimer(timer));
            });
  }
}
