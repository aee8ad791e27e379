package dev.microshop.orders;

import dev.microshop.contracts.Events;
import dev.microshop.platform.messaging.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Commands and events orders writes to its outbox, always inside the transition's transaction. */
final class Messages {
  private Messages() {}

  /** A command to one participant, with a fresh message id. */
  static Future<Void> command(SqlClient tx, String address, JsonObject body) {
    return Outbox.add(
        tx,
        address,
        body.copy()
            .put("messageId", UUID.randomUUID().toString())
            .put("occurredAt", Instant.now().toString()));
  }

  /**
   * An event, one outbox row per subscribing service, so each gets it even if it is down right now.
   */
  static Future<Void> event(SqlClient tx, String event, JsonObject body) {
    String eventId = UUID.randomUUID().toString();
    List<Future<Void>> rows = new ArrayList<>();
    for (String subscriber : Events.SUBSCRIBERS.getOrDefault(event, List.of())) {
      rows.add(
          Outbox.add(
              tx,
              Events.deliveryAddress(subscriber, event),
              body.copy()
                  .put("messageId", Events.deliveryId(eventId, subscriber))
                  .put("eventId", eventId)
                  .put("occurredAt", Instant.now().toString())));
    }
    return Future.all(rows).mapEmpty();
  }
}
