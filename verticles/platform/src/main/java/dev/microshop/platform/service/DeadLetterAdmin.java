package dev.microshop.platform.service;

import dev.microshop.contracts.OutboxApi;
import dev.microshop.platform.messaging.Consumers;
import dev.microshop.platform.messaging.Outbox;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.Callers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;

/** The admin API of a service's outbox: its dead letters, their redrive, and its counts. */
final class DeadLetterAdmin {
  private final Consumers consumers;
  private final String service;
  private final Pool pool;

  /** Runs after a redrive, so the message is claimed now rather than at the next poll. */
  private final Runnable redriven;

  DeadLetterAdmin(Consumers consumers, String service, Pool pool, Runnable redriven) {
    this.consumers = consumers;
    this.service = service;
    this.pool = pool;
    this.redriven = redriven;
  }

  Future<Void> register() {
    return Future.all(
            consumers.on(
                OutboxApi.deadLetters(service),
                msg ->
                    admin(msg.headers())
                        .compose(v -> Outbox.deadLetters(pool, 100))
                        .map(items -> new JsonObject().put("items", items))),
            consumers.on(
                OutboxApi.redrive(service),
                msg ->
                    admin(msg.headers())
                        .compose(v -> deadLetterId(msg.body()))
                        .compose(this::redrive)
                        .onSuccess(v -> redriven.run())),
            consumers.on(OutboxApi.stats(service), msg -> Outbox.stats(pool)))
        .mapEmpty();
  }

  private Future<JsonObject> redrive(UUID id) {
    return Outbox.redrive(pool, id)
        .compose(
            done ->
                done
                    ? Future.succeededFuture(new JsonObject().put("redriven", true))
                    : Future.failedFuture(ServiceFailure.notFound("no dead letter " + id)));
  }

  /** A malformed id is the caller's mistake (400), not an internal error. */
  private static Future<UUID> deadLetterId(JsonObject body) {
    try {
      if (body != null && body.getValue("id") instanceof String id) {
        return Future.succeededFuture(UUID.fromString(id));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the 400
    }
    return Future.failedFuture(
        ServiceFailure.invalid("id", "id must be the UUID of a dead letter"));
  }

  private static Future<Void> admin(MultiMap headers) {
    return Future.<Void>succeededFuture().map(v -> Callers.admin(headers)).mapEmpty();
  }
}
