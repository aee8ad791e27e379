package dev.microshop.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.OrderStatus;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.SagaResult;
import dev.microshop.contracts.SagaResult.PaymentCharged;
import dev.microshop.contracts.SagaResult.PaymentDeclined;
import dev.microshop.contracts.SagaResult.PricedLine;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.contracts.SagaResult.StockReserved;
import dev.microshop.contracts.Services;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every saga transition: each state an order can be in when a result arrives, times each result,
 * through {@link Saga#on} on the real schema. Asserts the state written and the commands and events
 * put in the outbox (nothing is sent: the relay only polls, and rarely).
 */
class SagaTransitionsIT {
  private static final long TOTAL = 2_500;
  private static final String CONFIRMED =
      Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CONFIRMED);
  private static final String CANCELLED =
      Events.deliveryAddress(Services.NOTIFICATIONS, Events.ORDER_CANCELLED);

  private static ServiceHarness orders;
  private static Pool pool;

  /** Where an order stands when a result arrives. */
  record State(OrderStatus status, String reason, StockState stock, PaymentState payment) {
    @Override
    public String toString() {
      return status + "/" + stock + "/" + payment;
    }
  }

  private static final State AWAITING_STOCK =
      new State(OrderStatus.PENDING, null, StockState.REQUESTED, PaymentState.NONE);
  private static final State AWAITING_PAYMENT =
      new State(OrderStatus.PENDING, null, StockState.RESERVED, PaymentState.REQUESTED);
  private static final State CANCELLED_WHILE_RESERVING =
      new State(
          OrderStatus.CANCELLED, "CANCELLED_BY_CUSTOMER", StockState.REQUESTED, PaymentState.NONE);
  private static final State CANCELLED_WHILE_CHARGING =
      new State(
          OrderStatus.CANCELLED, "DEADLINE_EXCEEDED", StockState.RELEASED, PaymentState.REQUESTED);
  private static final State REJECTED =
      new State(OrderStatus.CANCELLED, "OUT_OF_STOCK", StockState.REJECTED, PaymentState.NONE);
  private static final State DONE =
      new State(OrderStatus.CONFIRMED, null, StockState.COMMITTED, PaymentState.CHARGED);

  private static final Map<String, Function<UUID, SagaResult>> RESULTS =
      Map.of(
          "StockReserved",
          id ->
              new StockReserved(
                  id,
                  List.of(new PricedLine(UUID.randomUUID(), 2, TOTAL / 2, "EUR", "Mug")),
                  TOTAL,
                  "EUR"),
          "StockRejected",
          id -> new StockRejected(id, StockRejected.Reason.OUT_OF_STOCK),
          "PaymentCharged",
          id -> new PaymentCharged(id, TOTAL, "EUR"),
          "PaymentDeclined",
          id -> new PaymentDeclined(id, PaymentDeclined.Reason.INSUFFICIENT_FUNDS));

  @BeforeAll
  static void start() throws Exception {
    orders =
        ServiceHarness.start(
            Services.ORDERS, OrdersVerticle::new, Map.of("MICROSHOP_OUTBOX_POLL_MS", "3600000"));
    pool = orders.pool();
  }

  @AfterAll
  static void stop() {
    if (pool != null) {
      ServiceHarness.await(pool.close());
    }
    if (orders != null) {
      orders.close();
    }
  }

  static Stream<Arguments> transitions() {
    return Stream.of(
        // in the state, the result → the state after, and what was put in the outbox
        row(
            AWAITING_STOCK,
            "StockReserved",
            new State(OrderStatus.PENDING, null, StockState.RESERVED, PaymentState.REQUESTED),
            PaymentsApi.CHARGE),
        row(
            AWAITING_STOCK,
            "StockRejected",
            new State(
                OrderStatus.CANCELLED, "OUT_OF_STOCK", StockState.REJECTED, PaymentState.NONE),
            CANCELLED),
        row(AWAITING_STOCK, "PaymentCharged", AWAITING_STOCK),
        row(AWAITING_STOCK, "PaymentDeclined", AWAITING_STOCK),
        row(AWAITING_PAYMENT, "StockReserved", AWAITING_PAYMENT),
        row(AWAITING_PAYMENT, "StockRejected", AWAITING_PAYMENT),
        row(AWAITING_PAYMENT, "PaymentCharged", DONE, InventoryApi.COMMIT_STOCK, CONFIRMED),
        row(
            AWAITING_PAYMENT,
            "PaymentDeclined",
            new State(
                OrderStatus.CANCELLED,
                "PAYMENT_DECLINED",
                StockState.RELEASED,
                PaymentState.DECLINED),
            InventoryApi.RELEASE_STOCK,
            CANCELLED),
        // late results after a cancellation are compensated at once
        row(
            CANCELLED_WHILE_RESERVING,
            "StockReserved",
            new State(
                OrderStatus.CANCELLED,
                "CANCELLED_BY_CUSTOMER",
                StockState.RELEASED,
                PaymentState.NONE),
            InventoryApi.RELEASE_STOCK),
        row(
            CANCELLED_WHILE_RESERVING,
            "StockRejected",
            new State(
                OrderStatus.CANCELLED,
                "CANCELLED_BY_CUSTOMER",
                StockState.REJECTED,
                PaymentState.NONE)),
        row(CANCELLED_WHILE_RESERVING, "PaymentCharged", CANCELLED_WHILE_RESERVING),
        row(CANCELLED_WHILE_RESERVING, "PaymentDeclined", CANCELLED_WHILE_RESERVING),
        row(CANCELLED_WHILE_CHARGING, "StockReserved", CANCELLED_WHILE_CHARGING),
        row(CANCELLED_WHILE_CHARGING, "StockRejected", CANCELLED_WHILE_CHARGING),
        row(
            CANCELLED_WHILE_CHARGING,
            "PaymentCharged",
            new State(
                OrderStatus.CANCELLED,
                "DEADLINE_EXCEEDED",
                StockState.RELEASED,
                PaymentState.REFUNDED),
            PaymentsApi.REFUND),
        row(
            CANCELLED_WHILE_CHARGING,
            "PaymentDeclined",
            new State(
                OrderStatus.CANCELLED,
                "DEADLINE_EXCEEDED",
                StockState.RELEASED,
                PaymentState.DECLINED)),
        // final states: every result is a duplicate or a stray, and changes nothing
        row(REJECTED, "StockReserved", REJECTED),
        row(REJECTED, "StockRejected", REJECTED),
        row(REJECTED, "PaymentCharged", REJECTED),
        row(REJECTED, "PaymentDeclined", REJECTED),
        row(DONE, "StockReserved", DONE),
        row(DONE, "StockRejected", DONE),
        row(DONE, "PaymentCharged", DONE),
        row(DONE, "PaymentDeclined", DONE));
  }

  @ParameterizedTest(name = "{0} + {1} -> {2} {3}")
  @MethodSource("transitions")
  void aResultMovesTheOrderExactlyAsTheSagaSays(
      State before, String result, State after, List<String> outbox) throws Exception {
    UUID id = order(before);

    apply(RESULTS.get(result).apply(id));

    assertThat(state(id)).isEqualTo(after);
    assertThat(outbox(id)).containsExactlyInAnyOrderElementsOf(outbox);
  }

  @Test
  void theSameResultTwiceMovesTheOrderOnceAndSendsOnce() throws Exception {
    UUID id = order(AWAITING_PAYMENT);
    SagaResult charged = new PaymentCharged(id, TOTAL, "EUR");

    apply(charged);
    apply(charged);

    assertThat(state(id)).isEqualTo(DONE);
    assertThat(outbox(id)).containsExactlyInAnyOrder(InventoryApi.COMMIT_STOCK, CONFIRMED);
  }

  @Test
  void aResultForAnOrderThatDoesNotExistChangesNothing() throws Exception {
    UUID stranger = UUID.randomUUID();

    apply(new PaymentCharged(stranger, TOTAL, "EUR"));

    assertThat(outbox(stranger)).isEmpty();
  }

  private static Arguments row(State before, String result, State after, String... outbox) {
    return Arguments.of(before, result, after, List.of(outbox));
  }

  private static void apply(SagaResult result) {
    ServiceHarness.await(pool.withTransaction(tx -> Saga.on(tx, result)));
  }

  private static UUID order(State state) throws Exception {
    UUID id = UUID.randomUUID();
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO orders (id, user_id, status, reason, total_minor, currency, stock_state,"
                    + " payment_state) VALUES (?, ?, ?, ?, ?, 'EUR', ?, ?)")) {
      s.setObject(1, id);
      s.setObject(2, UUID.randomUUID());
      s.setString(3, state.status().name());
      s.setString(4, state.reason());
      s.setLong(5, TOTAL);
      s.setString(6, state.stock().name());
      s.setString(7, state.payment().name());
      s.executeUpdate();
    }
    return id;
  }

  private static State state(UUID id) throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT status, reason, stock_state, payment_state FROM orders WHERE id = ?")) {
      s.setObject(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return new State(
            OrderStatus.valueOf(rs.getString(1)),
            rs.getString(2),
            StockState.valueOf(rs.getString(3)),
            PaymentState.valueOf(rs.getString(4)));
      }
    }
  }

  private static List<String> outbox(UUID id) throws Exception {
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement("SELECT destination FROM outbox WHERE payload->>'orderId' = ?")) {
      s.setString(1, id.toString());
      List<String> destinations = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          destinations.add(rs.getString(1));
        }
      }
      return destinations;
    }
  }
}
