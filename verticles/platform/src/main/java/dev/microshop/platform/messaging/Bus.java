package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Request-reply with retries that are safe. NO_HANDLERS proves the message was not handled, so it
 * is always resent (briefly: an instance may be starting). A TIMEOUT is "maybe executed": only an
 * idempotent request is resent after one. That is also what makes a rolling restart lossless: the
 * clustered event bus silently drops a message that reaches a JVM in the few milliseconds after it
 * unregistered its consumer and before the other JVMs learn of it, and only the sender's retry can
 * bring such a request to a surviving instance.
 */
public final class Bus {
  private static final long RETRY_DELAY_MS = 50;

  private Bus() {}

  /** For a request that must not run twice: retried only when it provably was not delivered. */
  public static <T> Future<Message<T>> request(
      Vertx vertx, String address, Object body, DeliveryOptions options, int retries) {
    return send(vertx, address, body, options, retries, false);
  }

  /**
   * For an idempotent request (a query, or a command the consumer deduplicates): also retried on
   * TIMEOUT.
   */
  public static <T> Future<Message<T>> requestIdempotent(
      Vertx vertx, String address, Object body, DeliveryOptions options, int retries) {
    return send(vertx, address, body, options, retries, true);
  }

  private static <T> Future<Message<T>> send(
      Vertx vertx,
      String address,
      Object body,
      DeliveryOptions options,
      int retries,
      boolean idempotent) {
    return vertx
        .eventBus()
        .<T>request(address, body, options)
        .recover(
            failure -> {
              if (retries > 0
                  && (ServiceFailure.notDelivered(failure) || idempotent && timedOut(failure))) {
                return vertx
                    .timer(RETRY_DELAY_MS)
                    .compose(t -> send(vertx, address, body, options, retries - 1, idempotent));
              }
              return Future.failedFuture(failure);
            });
  }

  private static boolean timedOut(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }
}
