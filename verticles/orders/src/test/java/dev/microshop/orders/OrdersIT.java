package dev.microshop.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.SagaCommands;
import dev.microshop.contracts.Services;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orders service alone, on its real database and a local event bus, with inventory and payments
 * played by this test. A participant of this build answers a command in its reply; one of an
 * earlier build acknowledges with an empty reply and sends its result as a message of its own to
 * orders.saga.*. Either way the saga completes, once.
 */
class OrdersIT {
  private static final Identity CUSTOMER =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.CUSTOMER));
  private static final long PRICE = 1_250;
  private static final AtomicBoolean EARLIER_INVENTORY = new AtomicBoolean();
  private static final List<MessageConsumer<JsonObject>> PARTICIPANTS = new ArrayList<>();

  /** The message id of each result the earlier-build inventory sent, by order id. */
  private static final Map<String, String> SENT = new java.util.concurrent.ConcurrentHashMap<>();

  private static ServiceHarness orders;

  @BeforeAll
  static void start() throws Exception {
    orders =
        ServiceHarness.start(
            Services.ORDERS, OrdersVerticle::new, Map.of("MICROSHOP_OUTBOX_POLL_MS", "100"));
    EventBus bus = orders.vertx().eventBus();
    participant(
        bus,
        SagaCommands.RESERVE_STOCK,
        msg -> {
          JsonObject result = reserved(msg.body());
          if (EARLIER_INVENTORY.get()) {
            msg.reply(new JsonObject());
            String messageId = UUID.randomUUID().toString();
            SENT.put(result.getString("orderId"), messageId);
            bus.request(
                OrdersApi.STOCK_RESERVED,
                result.put("messageId", messageId).put("occurredAt", Instant.now().toString()));
          } else {
            msg.reply(result.put(SagaCommands.RESULT, OrdersApi.STOCK_RESERVED));
          }
        });
    participant(
        bus,
        SagaCommands.CHARGE,
        msg ->
            msg.reply(
                new JsonObject()
                    .put(SagaCommands.RESULT, OrdersApi.PAYMENT_CHARGED)
                    .put("orderId", msg.body().getString("orderId"))
                    .put("amountMinor", msg.body().getLong("amountMinor"))
                    .put("currency", msg.body().getString("currency"))));
    for (String acknowledged :
        List.of(
            SagaCommands.COMMIT_STOCK,
            SagaCommands.RELEASE_STOCK,
            SagaCommands.REFUND,
            Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CONFIRMED),
            Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CANCELLED))) {
      participant(bus, acknowledged, msg -> msg.reply(new JsonObject()));
    }
  }

  @AfterAll
  static void stop() {
    PARTICIPANTS.forEach(c -> ServiceHarness.await(c.unregister()));
    if (orders != null) {
      orders.close();
    }
  }

  @Test
  void answersInTheRepliesOfReserveAndChargeConfirmTheOrderAtTodaysPrice() throws Exception {
    EARLIER_INVENTORY.set(false);
    long inboxBefore = inboxRows(OrdersApi.STOCK_RESERVED);

    JsonObject done = confirmed(place(3));

    assertThat(done.getLong("totalMinor")).isEqualTo(3 * PRICE);
    assertThat(done.getJsonArray("lines").getJsonObject(0).getLong("priceMinor")).isEqualTo(PRICE);
    assertThat(steps(done))
        .containsSubsequence(
            "PLACED",
            "STOCK_REQUESTED",
            "STOCK_RESERVED",
            "CHARGE_REQUESTED",
            "PAYMENT_CHARGED",
            "CONFIRMED");
    assertThat(steps(done)).doesNotContain("STEP_RETRIED");
    String id = done.getString("id");
    assertThat(outbox(id, SagaCommands.RESERVE_STOCK)).isEqualTo(List.of("DELIVERED", 1));
    assertThat(outbox(id, SagaCommands.CHARGE)).isEqualTo(List.of("DELIVERED", 1));
    assertThat(inboxRows(OrdersApi.STOCK_RESERVED))
        .as("an answer is not a message: no inbox row")
        .isEqualTo(inboxBefore);
    assertThat(SENT).doesNotContainKey(id);
  }

  @Test
  void aResultSentAsAMessageByAnInventoryOfAnEarlierBuildStillMovesTheSagaOn() throws Exception {
    EARLIER_INVENTORY.set(true);
    try {
      JsonObject done = confirmed(place(2));

      assertThat(done.getLong("totalMinor")).isEqualTo(2 * PRICE);
      assertThat(steps(done)).containsSubsequence("STOCK_RESERVED", "PAYMENT_CHARGED", "CONFIRMED");
      assertThat(outbox(done.getString("id"), SagaCommands.RESERVE_STOCK))
          .isEqualTo(List.of("DELIVERED", 1));
      assertThat(SENT).containsKey(done.getString("id"));
      assertThat(processed(SENT.get(done.getString("id")), OrdersApi.STOCK_RESERVED)).isTrue();
    } finally {
      EARLIER_INVENTORY.set(false);
    }
  }

  // --- helpers

  private static void participant(
      EventBus bus, String address, Consumer<Message<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = bus.consumer(address, handler::accept);
    PARTICIPANTS.add(consumer);
    ServiceHarness.await(consumer.completion());
  }

  /** What inventory answers a reserve: every line at {@link #PRICE}. */
  private static JsonObject reserved(JsonObject command) {
    JsonArray lines = new JsonArray();
    long total = 0;
    for (Object o : command.getJsonArray("lines")) {
      JsonObject line = (JsonObject) o;
      lines.add(
          line.copy().put("priceMinor", PRICE).put("currency", "EUR").put("name", "Enamel Mug"));
      total += PRICE * line.getInteger("quantity");
    }
    return new JsonObject()
        .put("orderId", command.getString("orderId"))
        .put("lines", lines)
        .put("totalMinor", total)
        .put("currency", "EUR");
  }

  private static String place(int quantity) {
    JsonObject placed =
        orders.request(
            OrdersApi.PLACE,
            new JsonObject()
                .put("idempotencyKey", "k-" + UUID.randomUUID())
                .put(
                    "lines",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("productId", UUID.randomUUID().toString())
                                .put("quantity", quantity))),
            CUSTOMER);
    assertThat(placed.getString("status")).isEqualTo("PENDING");
    return placed.getString("id");
  }

  private static JsonObject confirmed(String id) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject order;
    do {
      Thread.sleep(20);
      order = orders.request(OrdersApi.GET, new JsonObject().put("id", id), CUSTOMER);
    } while (!"CONFIRMED".equals(order.getString("status"))
        && System.currentTimeMillis() < deadline);
    assertThat(order.getString("status"))
        .as("order %s: %s", id, order.encode())
        .isEqualTo("CONFIRMED");
    return order;
  }

  private static List<String> steps(JsonObject order) {
    return order.getJsonArray("timeline").stream()
        .map(s -> ((JsonObject) s).getString("step"))
        .toList();
  }

  /** [status, attempts] of the order's command to {@code destination}. */
  private static List<Object> outbox(String orderId, String destination) throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT status, attempts FROM outbox WHERE destination = ? AND payload->>'orderId' = ?")) {
      s.setString(1, destination);
      s.setString(2, orderId);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("a %s row for order %s", destination, orderId).isTrue();
        List<Object> row = List.of(rs.getString(1), rs.getInt(2));
        assertThat(rs.next()).as("one %s row", destination).isFalse();
        return row;
      }
    }
  }

  private static long inboxRows(String consumer) throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM inbox WHERE consumer = ?")) {
      s.setString(1, consumer);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static boolean processed(String messageId, String consumer) throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid AND consumer = ?")) {
      s.setString(1, messageId);
      s.setString(2, consumer);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1) == 1;
      }
    }
  }
}
