package dev.microshop.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.SagaResult;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orders service alone, on its real database and a local event bus, with inventory and payments
 * played by this test: they answer reserve and charge in their replies, with the contract's
 * SagaResult records, the saga's one way in.
 */
class OrdersIT {
  private static final Identity CUSTOMER =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.CUSTOMER));
  private static final Identity ADMIN =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));
  private static final long PRICE = 1_250;

  /** While set, inventory answers a reserve with a result orders cannot read. */
  private static final AtomicBoolean GARBLED_INVENTORY = new AtomicBoolean();

  private static final List<MessageConsumer<JsonObject>> PARTICIPANTS = new ArrayList<>();

  private static ServiceHarness orders;

  @BeforeAll
  static void start() throws Exception {
    orders =
        ServiceHarness.start(
            Services.ORDERS, OrdersVerticle::new, Map.of("MICROSHOP_OUTBOX_POLL_MS", "100"));
    EventBus bus = orders.vertx().eventBus();
    participant(
        bus,
        InventoryApi.RESERVE_STOCK,
        msg ->
            msg.reply(
                GARBLED_INVENTORY.get()
                    ? new JsonObject()
                        .put(SagaResult.TYPE_FIELD, "orders.saga.stock-teleported")
                        .put("orderId", msg.body().getString("orderId"))
                    : reserved(msg.body()).toJson()));
    participant(
        bus,
        PaymentsApi.CHARGE,
        msg ->
            msg.reply(
                new SagaResult.PaymentCharged(
                        UUID.fromString(msg.body().getString("orderId")),
                        msg.body().getLong("amountMinor"),
                        msg.body().getString("currency"))
                    .toJson()));
    for (String acknowledged :
        List.of(
            InventoryApi.COMMIT_STOCK,
            InventoryApi.RELEASE_STOCK,
            PaymentsApi.REFUND,
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
    assertThat(outbox(id, InventoryApi.RESERVE_STOCK)).isEqualTo(List.of("DELIVERED", 1));
    assertThat(outbox(id, PaymentsApi.CHARGE)).isEqualTo(List.of("DELIVERED", 1));
    assertThat(inboxRows()).as("an answer is not a message: no inbox row").isZero();
  }

  @Test
  void anAnswerOrdersCannotReadMovesNothingAndTheCommandIsSentAgainUntilOneItCan()
      throws Exception {
    GARBLED_INVENTORY.set(true);
    String id;
    try {
      id = place(2);
      long deadline = System.currentTimeMillis() + 10_000;
      while ((int) outbox(id, InventoryApi.RESERVE_STOCK).get(1) < 2
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(outbox(id, InventoryApi.RESERVE_STOCK))
          .as("the reserve, answered with no known result, is not delivered and is sent again")
          .satisfies(row -> assertThat(row.get(0)).isNotEqualTo("DELIVERED"))
          .satisfies(row -> assertThat((int) row.get(1)).isGreaterThanOrEqualTo(2));
      JsonObject pending = orders.request(OrdersApi.GET, new JsonObject().put("id", id), CUSTOMER);
      assertThat(pending.getString("status")).isEqualTo("PENDING");
      assertThat(steps(pending)).doesNotContain("STOCK_RESERVED");
    } finally {
      GARBLED_INVENTORY.set(false);
    }

    JsonObject done = confirmed(id);

    assertThat(done.getLong("totalMinor")).isEqualTo(2 * PRICE);
    assertThat(steps(done)).containsSubsequence("STOCK_RESERVED", "PAYMENT_CHARGED", "CONFIRMED");
  }

  @Test
  void theActivityReportRatesTheLastMinuteAndListsFailedAndSlowOrdersWithTheirTraceForAdminsOnly()
      throws Exception {
    // Orders of earlier tests (this module's ITs share the database) are moved out of the report's
    // windows, so it shows this test's orders only.
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE orders SET created_at = created_at - interval '1 hour',"
                    + " updated_at = updated_at - interval '1 hour'")) {
      s.executeUpdate();
    }
    String fast = confirmed(place(1)).getString("id");
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String failed = insertOrder("CANCELLED", "OUT_OF_STOCK", 300, trace);
    String slow = insertOrder("CONFIRMED", null, 4_000, null);
    String byCustomer = insertOrder("CANCELLED", "CANCELLED_BY_CUSTOMER", 300, null);
    String stuck = insertOrder("PENDING", null, -3_000, null);

    JsonObject report =
        orders.request(OrdersApi.ACTIVITY, new JsonObject().put("slowMs", 2_000), ADMIN);

    assertThat(report.getInteger("windowSeconds")).isEqualTo(60);
    assertThat(report.getDouble("placedPerSecond"))
        .as("at least the five orders of this test in the last minute")
        .isGreaterThanOrEqualTo(5 / 60.0);
    assertThat(report.getLong("p99Ms")).as("the slow order dominates the p99").isGreaterThan(3_000);
    List<String> recent =
        report.getJsonArray("recent").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertThat(recent).contains(failed, slow, stuck).doesNotContain(fast, byCustomer);
    JsonObject failure =
        report.getJsonArray("recent").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("id").equals(failed))
            .findFirst()
            .orElseThrow();
    assertThat(failure.getString("status")).isEqualTo("CANCELLED");
    assertThat(failure.getString("reason")).isEqualTo("OUT_OF_STOCK");
    assertThat(failure.getString("traceId")).isEqualTo(trace);
    assertThat(failure.getLong("ms")).isBetween(250L, 350L);

    assertThat(
            orders
                .failure(OrdersApi.ACTIVITY, new JsonObject().put("slowMs", 2_000), CUSTOMER)
                .failureCode())
        .isEqualTo(403);
    assertThat(orders.failure(OrdersApi.ACTIVITY, new JsonObject(), ADMIN).failureCode())
        .as("slowMs is required")
        .isEqualTo(400);
  }

  @Test
  void aPlacementThatWaitedForTheSameKeyClaimedByAnotherInstanceYieldsThatOrder() throws Exception {
    JsonObject body = placement(1);
    String key = body.getString("idempotencyKey");
    UUID user = UUID.fromString(CUSTOMER.userId());
    String hash = Placement.validate(user, body).hash();
    UUID other = UUID.randomUUID();
    ExecutorService client = Executors.newSingleThreadExecutor();
    // "Another instance" claims the key and holds its transaction open while this one places.
    try (Connection c = orders.sql()) {
      c.setAutoCommit(false);
      try (PreparedStatement claim =
              c.prepareStatement(
                  "INSERT INTO idempotency_keys (user_id, key, request_hash, order_id)"
                      + " VALUES (?, ?, ?, ?)");
          PreparedStatement order =
              c.prepareStatement(
                  "INSERT INTO orders (id, user_id, status, stock_state) VALUES (?, ?, 'PENDING',"
                      + " 'REQUESTED')")) {
        claim.setObject(1, user);
        claim.setString(2, key);
        claim.setString(3, hash);
        claim.setObject(4, other);
        claim.executeUpdate();
        order.setObject(1, other);
        order.setObject(2, user);
        order.executeUpdate();
      }
      java.util.concurrent.Future<JsonObject> placing =
          client.submit(() -> orders.request(OrdersApi.PLACE, body, CUSTOMER));
      Thread.sleep(300); // the placement now waits on the key's row
      assertThat(placing.isDone()).isFalse();
      c.commit();

      JsonObject placed = placing.get(10, TimeUnit.SECONDS);
      assertThat(placed.getString("id")).isEqualTo(other.toString());
      assertThat(placed.getString("status")).isEqualTo("PENDING");
    } finally {
      client.shutdownNow();
    }
    try (Connection c = orders.sql();
        PreparedStatement count =
            c.prepareStatement(
                "SELECT count(*) FROM outbox WHERE destination = ? AND payload->>'orderId' = ?")) {
      count.setString(1, InventoryApi.RESERVE_STOCK);
      count.setString(2, other.toString());
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1))
            .as("no reserve command from the placement that found the order")
            .isZero();
      }
    }
  }

  // --- helpers

  /**
   * An order placed 5 s ago in {@code status} that took {@code ms} to get there (for a pending one,
   * {@code -ms} is how long ago it was placed).
   */
  private static String insertOrder(String status, String reason, long ms, String traceId)
      throws Exception {
    String id = UUID.randomUUID().toString();
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                """
                INSERT INTO orders (id, user_id, status, reason, currency, created_at, updated_at,
                  stock_state, payment_state, trace_id)
                VALUES (?::uuid, ?::uuid, ?, ?, 'EUR', now() - interval '5 s',
                  now() - interval '5 s' + make_interval(secs => ? / 1000.0),
                  ?, ?, ?)""")) {
      boolean confirmed = status.equals("CONFIRMED");
      s.setString(1, id);
      s.setString(2, CUSTOMER.userId());
      s.setString(3, status);
      s.setString(4, reason);
      s.setLong(5, Math.max(ms, 0));
      s.setString(6, confirmed ? "COMMITTED" : ms < 0 ? "REQUESTED" : "RELEASED");
      s.setString(7, confirmed ? "CHARGED" : "NONE");
      s.setString(8, traceId);
      s.executeUpdate();
    }
    if (ms < 0) {
      try (Connection c = orders.sql();
          PreparedStatement s =
              c.prepareStatement(
                  "UPDATE orders SET created_at = now() - make_interval(secs => ? / 1000.0),"
                      + " deadline_at = now() + interval '1 hour', step_at = now() + interval '1 hour'"
                      + " WHERE id = ?::uuid")) {
        s.setLong(1, -ms);
        s.setString(2, id);
        s.executeUpdate();
      }
    }
    return id;
  }

  private static void participant(
      EventBus bus, String address, Consumer<Message<JsonObject>> handler) {
    MessageConsumer<JsonObject> consumer = bus.consumer(address, handler::accept);
    PARTICIPANTS.add(consumer);
    ServiceHarness.await(consumer.completion());
  }

  /** What inventory answers a reserve: every line at {@link #PRICE}. */
  private static SagaResult.StockReserved reserved(JsonObject command) {
    List<SagaResult.PricedLine> lines = new ArrayList<>();
    long total = 0;
    for (Object o : command.getJsonArray("lines")) {
      JsonObject line = (JsonObject) o;
      int quantity = line.getInteger("quantity");
      lines.add(
          new SagaResult.PricedLine(
              UUID.fromString(line.getString("productId")), quantity, PRICE, "EUR", "Enamel Mug"));
      total += PRICE * quantity;
    }
    return new SagaResult.StockReserved(
        UUID.fromString(command.getString("orderId")), lines, total, "EUR");
  }

  /** A placement of one line of a new product, under a new Idempotency-Key. */
  private static JsonObject placement(int quantity) {
    return new JsonObject()
        .put("idempotencyKey", "k-" + UUID.randomUUID())
        .put(
            "lines",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("productId", UUID.randomUUID().toString())
                        .put("quantity", quantity)));
  }

  private static String place(int quantity) {
    JsonObject placed = orders.request(OrdersApi.PLACE, placement(quantity), CUSTOMER);
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

  private static long inboxRows() throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM inbox");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
