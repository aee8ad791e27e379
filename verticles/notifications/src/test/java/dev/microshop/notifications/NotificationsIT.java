package dev.microshop.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Events;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.NotificationsApi;
import dev.microshop.contracts.Services;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The event consumers, the list and the live publication against the real notifications schema. */
class NotificationsIT {
  private static final String CONFIRMED =
      Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CONFIRMED);
  private static final String CANCELLED =
      Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CANCELLED);
  private static final String REGISTERED =
      Events.deliveryAddress(Services.NOTIFICATIONS, Events.USER_REGISTERED);

  private static ServiceHarness notifications;

  /** One notification, as stored. */
  record Stored(
      UUID id, UUID eventId, String kind, String title, JsonObject body, Instant createdAt) {}

  @BeforeAll
  static void start() throws Exception {
    notifications =
        ServiceHarness.start(Services.NOTIFICATIONS, NotificationsVerticle::new, Map.of());
  }

  @AfterAll
  static void stop() {
    if (notifications != null) {
      notifications.close();
    }
  }

  @Test
  void anOrderConfirmedEventStoresOneNotificationWithTheOrderAndItsTotal() throws SQLException {
    UUID user = UUID.randomUUID();
    UUID order = UUID.randomUUID();
    JsonObject event = confirmed(user, order, 12_50, "EUR");

    JsonObject ack = notifications.request(CONFIRMED, event, null);

    assertThat(ack).isEqualTo(new JsonObject());
    assertThat(stored(user))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.eventId()).hasToString(event.getString("eventId"));
              assertThat(n.kind()).isEqualTo("ORDER_CONFIRMED");
              assertThat(n.title()).isEqualTo("Order confirmed");
              assertThat(n.body())
                  .isEqualTo(
                      new JsonObject()
                          .put("orderId", order.toString())
                          .put("totalMinor", 1250)
                          .put("currency", "EUR")
                          .put("text", "Your order of 12.50 EUR is confirmed."));
            });
    assertThat(inbox(event.getString("messageId"))).isEqualTo(1);
  }

  @Test
  void anOrderCancelledEventStoresTheReasonInTheCustomersWords() throws SQLException {
    UUID user = UUID.randomUUID();
    UUID order = UUID.randomUUID();
    JsonObject declined = cancelled(user, order, "PAYMENT_DECLINED");
    JsonObject unheardOf = cancelled(user, UUID.randomUUID(), "A_REASON_ADDED_LATER");

    notifications.request(CANCELLED, declined, null);
    notifications.request(CANCELLED, unheardOf, null);

    List<Stored> rows = stored(user);
    assertThat(rows).extracting(Stored::kind).containsExactly("ORDER_CANCELLED", "ORDER_CANCELLED");
    assertThat(rows).extracting(Stored::title).containsOnly("Order cancelled");
    assertThat(rows.get(0).eventId()).hasToString(declined.getString("eventId"));
    assertThat(rows.get(0).body())
        .isEqualTo(
            new JsonObject()
                .put("orderId", order.toString())
                .put("reason", "PAYMENT_DECLINED")
                .put("text", "Your order was cancelled: the payment was declined."));
    assertThat(rows.get(1).body().getString("reason")).isEqualTo("A_REASON_ADDED_LATER");
    assertThat(rows.get(1).body().getString("text")).isEqualTo("Your order was cancelled.");
  }

  @Test
  void aUserRegisteredEventStoresAWelcome() throws SQLException {
    UUID user = UUID.randomUUID();
    JsonObject event = registered(user, "Ann Lee");

    JsonObject ack = notifications.request(REGISTERED, event, null);

    assertThat(ack).isEqualTo(new JsonObject());
    assertThat(stored(user))
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.eventId()).hasToString(event.getString("eventId"));
              assertThat(n.kind()).isEqualTo("WELCOME");
              assertThat(n.title()).isEqualTo("Welcome to microshop");
              assertThat(n.body())
                  .isEqualTo(
                      new JsonObject()
                          .put("displayName", "Ann Lee")
                          .put("text", "Hello Ann Lee, your account is ready."));
            });
  }

  @Test
  void theSameDeliveryTwiceIsAcknowledgedTwiceAndStoredOnce() throws Exception {
    UUID user = UUID.randomUUID();
    JsonObject event = confirmed(user, UUID.randomUUID(), 990, "EUR");
    Listener stream = listen(user);

    JsonObject first = notifications.request(CONFIRMED, event, null);
    JsonObject again = notifications.request(CONFIRMED, event, null);

    assertThat(first).isEqualTo(new JsonObject());
    assertThat(again).isEqualTo(new JsonObject());
    assertThat(stored(user)).hasSize(1);
    assertThat(inbox(event.getString("messageId"))).isEqualTo(1);
    assertThat(stream.afterQuiet()).hasSize(1);
    stream.close();
  }

  @Test
  void aRepublishedEventWithANewMessageIdIsStillOneNotificationAndOneAnnouncement()
      throws Exception {
    UUID user = UUID.randomUUID();
    JsonObject event = cancelled(user, UUID.randomUUID(), "OUT_OF_STOCK");
    JsonObject republished = event.copy().put("messageId", UUID.randomUUID().toString());
    Listener stream = listen(user);

    notifications.request(CANCELLED, event, null);
    JsonObject ack = notifications.request(CANCELLED, republished, null);

    assertThat(ack).isEqualTo(new JsonObject());
    assertThat(stored(user)).hasSize(1);
    // Both deliveries were processed (each message id is in the inbox); the unique key kept one
    // notification.
    assertThat(inbox(event.getString("messageId"))).isEqualTo(1);
    assertThat(inbox(republished.getString("messageId"))).isEqualTo(1);
    assertThat(stream.afterQuiet()).hasSize(1);
    stream.close();
  }

  @Test
  void tenConcurrentPublicationsOfOneEventStoreAndAnnounceOneNotification() throws Exception {
    UUID user = UUID.randomUUID();
    JsonObject event = registered(user, "Concurrent Carla");
    Listener stream = listen(user);

    List<Future<Message<JsonObject>>> sent =
        IntStream.range(0, 10)
            .mapToObj(
                i ->
                    notifications
                        .vertx()
                        .eventBus()
                        .<JsonObject>request(
                            REGISTERED,
                            event.copy().put("messageId", UUID.randomUUID().toString()),
                            new DeliveryOptions().setSendTimeout(10_000)))
            .toList();
    ServiceHarness.await(Future.all(sent));

    assertThat(sent)
        .allSatisfy(reply -> assertThat(reply.result().body()).isEqualTo(new JsonObject()));
    assertThat(stored(user)).hasSize(1);
    assertThat(stream.afterQuiet()).hasSize(1);
    stream.close();
  }

  @Test
  void aStoredNotificationIsPublishedToTheUsersStreamWithinASecond() throws Exception {
    UUID user = UUID.randomUUID();
    UUID someoneElse = UUID.randomUUID();
    Listener stream = listen(user);
    Listener otherStream = listen(someoneElse);

    notifications.request(CONFIRMED, confirmed(user, UUID.randomUUID(), 300, "USD"), null);

    JsonObject published = stream.first(1_000);
    JsonObject listed = list(user, new JsonObject()).getJsonArray("items").getJsonObject(0);
    assertThat(published).isEqualTo(listed);
    assertThat(published.fieldNames())
        .containsExactlyInAnyOrder("id", "userId", "eventId", "kind", "title", "body", "createdAt");
    assertThat(published.getString("userId")).isEqualTo(user.toString());
    assertThat(published.getJsonObject("body").getString("text"))
        .isEqualTo("Your order of 3.00 USD is confirmed.");
    assertThat(otherStream.afterQuiet()).isEmpty();
    stream.close();
    otherStream.close();
  }

  @Test
  void theListIsTheCallersOwnNewestFirstInPages() throws Exception {
    UUID user = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject event = confirmed(user, UUID.randomUUID(), 100 + i, "EUR");
      events.add(0, event.getString("eventId"));
      notifications.request(CONFIRMED, event, null);
      notifications.request(CONFIRMED, confirmed(other, UUID.randomUUID(), 7, "EUR"), null);
    }

    JsonObject first = list(user, new JsonObject().put("limit", 2));
    JsonObject second =
        list(user, new JsonObject().put("limit", 2).put("cursor", first.getString("nextCursor")));
    JsonObject last =
        list(user, new JsonObject().put("limit", 2).put("cursor", second.getString("nextCursor")));
    JsonObject all = list(user, new JsonObject());

    assertThat(eventIds(first)).containsExactlyElementsOf(events.subList(0, 2));
    assertThat(eventIds(second)).containsExactlyElementsOf(events.subList(2, 4));
    assertThat(eventIds(last)).containsExactlyElementsOf(events.subList(4, 5));
    assertThat(last.containsKey("nextCursor")).isFalse();
    assertThat(first.getString("nextCursor")).matches("[A-Za-z0-9_-]+");
    assertThat(eventIds(all)).containsExactlyElementsOf(events);
    assertThat(all.containsKey("nextCursor")).isFalse();
    assertThat(all.getJsonArray("items"))
        .allSatisfy(
            item -> assertThat(((JsonObject) item).getString("userId")).isEqualTo(user.toString()));
    assertThat(stored(user)).hasSize(5);
    assertThat(stored(other)).hasSize(5);
  }

  @Test
  void aFullPageWithNothingAfterItStillEndsTheList() {
    UUID user = UUID.randomUUID();
    for (int i = 0; i < 2; i++) {
      notifications.request(REGISTERED, registered(user, "Page " + i), null);
    }

    JsonObject exact = list(user, new JsonObject().put("limit", 2));
    JsonObject nobody = list(UUID.randomUUID(), new JsonObject());

    assertThat(exact.getJsonArray("items")).hasSize(2);
    assertThat(exact.containsKey("nextCursor")).isFalse();
    assertThat(nobody).isEqualTo(new JsonObject().put("items", new JsonArray()));
  }

  @Test
  void listingWithoutIdentityIs401AndABadPageIs400NamingTheField() {
    ReplyException anonymous = notifications.failure(NotificationsApi.LIST, new JsonObject(), null);
    ReplyException notAUuid =
        notifications.failure(
            NotificationsApi.LIST,
            new JsonObject(),
            new Identity("alice", List.of(Identity.CUSTOMER)));
    Identity caller = customer(UUID.randomUUID());

    assertThat(anonymous.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(anonymous.getMessage()).isEqualTo("authentication required");
    assertThat(notAUuid.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    for (Object limit : List.of(0, 101, "20", 2.5)) {
      ReplyException failure =
          notifications.failure(
              NotificationsApi.LIST, new JsonObject().put("limit", limit), caller);
      assertThat(failure.failureCode()).as("limit %s", limit).isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(failure.getMessage()).startsWith("limit ");
    }
    for (Object cursor : List.of("not a cursor", "AAAA", "A".repeat(500), 42)) {
      ReplyException failure =
          notifications.failure(
              NotificationsApi.LIST, new JsonObject().put("cursor", cursor), caller);
      assertThat(failure.failureCode())
          .as("cursor %s", cursor)
          .isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(failure.getMessage()).startsWith("cursor ");
    }
  }

  @Test
  void aMalformedEventIs400NamingTheFieldAndStoresNothing() throws Exception {
    UUID user = UUID.randomUUID();
    Listener stream = listen(user);
    List<Bad> bad =
        List.of(
            new Bad(
                CONFIRMED,
                "orderId",
                confirmed(user, UUID.randomUUID(), 100, "EUR").put("orderId", "order-1")),
            new Bad(
                CONFIRMED,
                "totalMinor",
                confirmed(user, UUID.randomUUID(), 100, "EUR").put("totalMinor", -1)),
            new Bad(
                CONFIRMED,
                "totalMinor",
                confirmed(user, UUID.randomUUID(), 100, "EUR").put("totalMinor", 12.5)),
            new Bad(
                CONFIRMED,
                "totalMinor",
                confirmed(user, UUID.randomUUID(), 100, "EUR").put("totalMinor", "100")),
            new Bad(CONFIRMED, "currency", confirmed(user, UUID.randomUUID(), 100, "eur")),
            new Bad(
                CONFIRMED,
                "eventId",
                without(confirmed(user, UUID.randomUUID(), 100, "EUR"), "eventId")),
            new Bad(
                CANCELLED, "reason", without(cancelled(user, UUID.randomUUID(), "X"), "reason")),
            new Bad(CANCELLED, "reason", cancelled(user, UUID.randomUUID(), "   ")),
            new Bad(
                CANCELLED,
                "userId",
                cancelled(user, UUID.randomUUID(), "OUT_OF_STOCK").put("userId", 7)),
            new Bad(REGISTERED, "displayName", registered(user, "x".repeat(201))),
            new Bad(REGISTERED, "userId", without(registered(user, "Nobody"), "userId")),
            new Bad(REGISTERED, "messageId", registered(user, "Nobody").put("messageId", "12345")));

    for (Bad event : bad) {
      ReplyException failure = notifications.failure(event.address(), event.payload(), null);
      assertThat(failure.failureCode())
          .as(event.payload().encode())
          .isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(failure.getMessage()).as(event.payload().encode()).startsWith(event.field() + " ");
      // Not in the inbox either: the sender's retry is processed afresh, and fails the same way.
      assertThat(inbox(event.payload().getString("messageId"))).isZero();
    }
    assertThat(stored(user)).isEmpty();
    assertThat(stream.afterQuiet()).isEmpty();
    stream.close();
  }

  record Bad(String address, String field, JsonObject payload) {}

  private static JsonObject event(UUID user) {
    String eventId = UUID.randomUUID().toString();
    return new JsonObject()
        .put("messageId", Events.deliveryId(eventId, Services.NOTIFICATIONS))
        .put("eventId", eventId)
        .put("occurredAt", Instant.now().toString())
        .put("userId", user.toString());
  }

  private static JsonObject confirmed(UUID user, UUID order, long totalMinor, String currency) {
    return event(user)
        .put("orderId", order.toString())
        .put("totalMinor", totalMinor)
        .put("currency", currency);
  }

  private static JsonObject cancelled(UUID user, UUID order, String reason) {
    return event(user).put("orderId", order.toString()).put("reason", reason);
  }

  private static JsonObject registered(UUID user, String displayName) {
    return event(user).put("email", "someone@example.com").put("displayName", displayName);
  }

  private static JsonObject without(JsonObject body, String field) {
    body.remove(field);
    return body;
  }

  private static Identity customer(UUID user) {
    return new Identity(user.toString(), List.of(Identity.CUSTOMER));
  }

  private static JsonObject list(UUID user, JsonObject query) {
    return notifications.request(NotificationsApi.LIST, query, customer(user));
  }

  private static List<String> eventIds(JsonObject page) {
    return page.getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("eventId"))
        .toList();
  }

  /** What a live stream of one user heard, as the gateway's SSE route listens. */
  static final class Listener {
    private final List<JsonObject> heard = new CopyOnWriteArrayList<>();
    private final MessageConsumer<JsonObject> consumer;

    Listener(UUID user) {
      consumer =
          notifications
              .vertx()
              .eventBus()
              .consumer(NotificationsApi.stream(user.toString()), msg -> heard.add(msg.body()));
      ServiceHarness.await(consumer.completion());
    }

    JsonObject first(long withinMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + withinMs;
      while (heard.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(heard).as("published within %d ms", withinMs).isNotEmpty();
      return heard.get(0);
    }

    /** Everything heard once a publication that was going to happen would have happened. */
    List<JsonObject> afterQuiet() throws InterruptedException {
      Thread.sleep(300);
      return List.copyOf(heard);
    }

    void close() {
      ServiceHarness.await(consumer.unregister());
    }
  }

  private static Listener listen(UUID user) {
    return new Listener(user);
  }

  private static List<Stored> stored(UUID user) throws SQLException {
    String sql =
        """
        SELECT id, event_id, kind, title, body::text, created_at FROM notifications
        WHERE user_id = ? ORDER BY created_at, id
        """;
    List<Stored> rows = new ArrayList<>();
    try (Connection c = notifications.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, user);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Stored(
                  rs.getObject(1, UUID.class),
                  rs.getObject(2, UUID.class),
                  rs.getString(3),
                  rs.getString(4),
                  new JsonObject(rs.getString(5)),
                  rs.getTimestamp(6).toInstant()));
        }
      }
    }
    return rows;
  }

  /** How many times the inbox recorded {@code messageId} (for any consumer). */
  private static long inbox(String messageId) throws SQLException {
    UUID id;
    try {
      id = UUID.fromString(messageId);
    } catch (IllegalArgumentException | NullPointerException e) {
      return 0;
    }
    try (Connection c = notifications.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM inbox WHERE message_id = ?")) {
      s.setObject(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
