package dev.microshop.users;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.Events.UserRegistered;
import dev.microshop.platform.messaging.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

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
    return Outbox.event(
        tx,
        Events.USER_REGISTERED,
        new UserRegistered(
                user.getUUID("id"), user.getString("email"), user.getString("display_name"))
            .toJson(),
        user.getOffsetDateTime("created_at").toInstant());
  }
}
