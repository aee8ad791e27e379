package dev.microshop.notifications;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.Services;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.platform.request.Callers;
import dev.microshop.platform.request.Fields;
import dev.microshop.platform.request.TimeCursor;
import dev.microshop.platform.service.Platform;
import dev.microshop.platform.service.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications service: what users are told. Owns the notifications database. Each subscribed
 * event is stored once per user (its inbox drops a redelivered message, the unique (event, user)
 * key a re-published event) and, once committed, published to the user's live streams.
 */
public class NotificationsVerticle extends ServiceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationsVerticle.class);

  public NotificationsVerticle(Platform platform) {
    super(platform);
  }

  @Override
  public String service() {
    return Services.NOTIFICATIONS;
  }

  @Override
  protected Future<?> startService() {
    return Future.all(
        on(Events.ORDER_CONFIRMED, NewNotification::orderConfirmed),
        on(Events.ORDER_CANCELLED, NewNotification::orderCancelled),
        on(Events.USER_REGISTERED, NewNotification::welcome),
        consumers.on(NotificationsApi.LIST, msg -> list(msg.headers(), msg.body())));
  }

  private Future<Void> on(String event, Function<JsonObject, NewNotification> reader) {
    return reliablyInOneStatement(
        Events.deliveryAddress(Services.NOTIFICATIONS, event),
        NotificationsSql.INSERT_ONCE,
        payload -> read(reader, payload).insertValues(),
        this::published);
  }

  private static NewNotification read(
      Function<JsonObject, NewNotification> reader, JsonObject event) {
    try {
      return reader.apply(event);
    } catch (ServiceFailure invalid) {
      LOG.warn(
          "refused event {} (message {}): {}",
          event.getValue("eventId"),
          event.getValue("messageId"),
          invalid.getMessage());
      throw invalid;
    }
  }

  /**
   * Live streams hear of a notification only once it is durable (the statement has committed): a
   * client that then reads the list finds it. A redelivery, or an event already notified, inserts
   * nothing and announces nothing.
   */
  private void published(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return;
    }
    JsonObject notification = toJson(rows.iterator().next());
    String userId = notification.getString("userId");
    vertx.eventBus().publish(NotificationsApi.stream(userId), notification);
    LOG.debug(
        "notification {} of kind {} for user {}",
        notification.getString("id"),
        notification.getString("kind"),
        userId);
  }

  private Future<JsonObject> list(MultiMap headers, JsonObject body) {
    UUID user = Callers.user(headers);
    Fields query = new Fields(body);
    int limit = query.pageSize();
    String cursor = query.cursor(TimeCursor.MAX_TOKEN_LENGTH);
    query.check();
    // One row more than the page tells whether there is a next page.
    Future<RowSet<Row>> rows =
        cursor == null
            ? pool.preparedQuery(NotificationsSql.FIRST_PAGE).execute(Tuple.of(user, limit + 1))
            : pool.preparedQuery(NotificationsSql.NEXT_PAGE)
                .execute(nextPage(user, TimeCursor.decode(cursor), limit));
    return rows.map(page -> page(page, limit));
  }

  private static Tuple nextPage(UUID user, TimeCursor after, int limit) {
    return Tuple.of(user, after.at(), after.id(), limit + 1);
  }

  private static JsonObject page(RowSet<Row> rows, int limit) {
    JsonArray items = new JsonArray();
    TimeCursor last = null;
    for (Row row : rows) {
      if (items.size() == limit) {
        return new JsonObject().put("items", items).put("nextCursor", last.encode());
      }
      items.add(toJson(row));
      last = new TimeCursor(row.getOffsetDateTime("created_at"), row.getUUID("id"));
    }
    return new JsonObject().put("items", items);
  }

  /**
   * A notification as clients see it: {@code {id, userId, eventId, kind, title, body, createdAt}}.
   */
  static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("userId", row.getUUID("user_id").toString())
        .put("eventId", row.getUUID("event_id").toString())
        .put("kind", row.getString("kind"))
        .put("title", row.getString("title"))
        .put("body", row.getJsonObject("body"))
        .put(
            "createdAt",
            row.getOffsetDateTime("created_at")
                .toInstant()
                .truncatedTo(ChronoUnit.MILLIS)
                .toString());
  }
}
