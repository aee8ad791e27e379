package dev.microshop.users;

import dev.microshop.contracts.Events;
import dev.microshop.platform.messaging.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The events users emits, written to its outbox inside the transaction that changes the account, so
 * an account exists if and only if its event is on its way (a failed insert rolls both back).
 */
final class UserEvents {
  private UserEvents() {}

  /**
   * {@link Events#USER_REGISTERED} for a freshly inserted {@code user} row (id, email,
   * display_name, created_at): one outbox row per subscriber, each with its own message id and the
   * shared event id.
   */
  static Future<Void> registered(SqlClient tx, Row user) {
    String eventId = UUID.randomUUID().toString();
    JsonObject event =
        new JsonObject()
            .put("eventId", eventId)
            .put("occurredAt", user.getOffsetDateTime("created_at").toInstant().toString())
            .put("userId", user.getUUID("id").toString())
            .put("email", user.getString("email"))
            .put("displayName", user.getString("display_name"));
    List<Future<Void>> rows = new ArrayList<>();
    for (String subscriber : Events.SUBSCRIBERS.getOrDefault(Events.USER_REGISTERED, List.of())) {
      rows.add(
          Outbox.add(
              tx,
              Events.deliveryAddress(subscriber, Events.USER_REGISTERED),
              event.copy().put("messageId", Events.deliveryId(eventId, subscriber))));
    }
    return Future.all(rows).mapEmpty();
  }
}
