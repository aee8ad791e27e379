package dev.microshop.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.SagaResult;
import dev.microshop.contracts.SagaResult.PaymentCharged;
import dev.microshop.contracts.SagaResult.PaymentDeclined;
import dev.microshop.contracts.SagaResult.PricedLine;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.contracts.SagaResult.StockReserved;
import dev.microshop.contracts.Services;
import dev.microshop.platform.observability.Metrics;
import dev.microshop.testkit.ServiceHarness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The saga's metrics on the real schema: each final state is counted once by state and reason when
 * its transition commits, and each step is timed from the order's row, wherever it was placed.
 */
class OrderMetricsIT {
  private static final long TOTAL = 2_500;

  private static ServiceHarness orders;
  private static Pool pool;

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

  @Test
  void everyStateAndReasonAndStepIsThereAtZeroBeforeTheFirstOrder() {
    Set<String> finished = new HashSet<>();
    for (Counter counter : Metrics.registry().find(OrderMetrics.FINISHED).counters()) {
      finished.add(counter.getId().getTag("state") + "/" + counter.getId().getTag("reason"));
    }
    Set<String> steps = new HashSet<>();
    for (Timer timer : Metrics.registry().find(OrderMetrics.STEP).timers()) {
      steps.add(timer.getId().getTag("step"));
    }

    assertThat(finished)
        .containsExactlyInAnyOrder(
            "CONFIRMED/NONE",
            "CANCELLED/OUT_OF_STOCK",
            "CANCELLED/UNKNOWN_PRODUCT",
            "CANCELLED/MIXED_CURRENCY",
            "CANCELLED/PAYMENT_DECLINED",
            "CANCELLED/DEADLINE_EXCEEDED",
            "CANCELLED/CANCELLED_BY_CUSTOMER",
            "CANCELLED/OTHER");
    assertThat(steps).containsExactlyInAnyOrder("reserve", "charge");
    assertThat(Metrics.registry().find(OrderMetrics.SAGA).timers()).hasSize(2);
  }

  @Test
  void aConfirmationIsCountedOnceEvenWhenItsResultArrivesTwice() throws Exception {
    UUID id = order(StockState.RESERVED, PaymentState.REQUESTED);
    double before = finished("CONFIRMED", "NONE");

    apply(new PaymentCharged(id, TOTAL, "EUR"));
    apply(new PaymentCharged(id, TOTAL, "EUR"));

    eventually(() -> finished("CONFIRMED", "NONE"), before + 1);
    Thread.sleep(100);
    assertThat(finished("CONFIRMED", "NONE")).isEqualTo(before + 1);
  }

  @Test
  void eachCancellationIsCountedUnderItsReason() throws Exception {
    UUID rejected = order(StockState.REQUESTED, PaymentState.NONE);
    UUID declined = order(StockState.RESERVED, PaymentState.REQUESTED);
    UUID overdue = order(StockState.REQUESTED, PaymentState.NONE);
    double outOfStock = finished("CANCELLED", "OUT_OF_STOCK");
    double paymentDeclined = finished("CANCELLED", "PAYMENT_DECLINED");
    double deadline = finished("CANCELLED", "DEADLINE_EXCEEDED");
    double confirmed = finished("CONFIRMED", "NONE");

    apply(new StockRejected(rejected, StockRejected.Reason.OUT_OF_STOCK));
    apply(new PaymentDeclined(declined, PaymentDeclined.Reason.INSUFFICIENT_FUNDS));
    ServiceHarness.await(pool.withTransaction(tx -> lock(tx, overdue).compose(o -> cancel(tx, o))));

    eventually(() -> finished("CANCELLED", "OUT_OF_STOCK"), outOfStock + 1);
    eventually(() -> finished("CANCELLED", "PAYMENT_DECLINED"), paymentDeclined + 1);
    eventually(() -> finished("CANCELLED", "DEADLINE_EXCEEDED"), deadline + 1);
    assertThat(finished("CONFIRMED", "NONE")).isEqualTo(confirmed);
  }

  @Test
  void aTransitionThatRollsBackIsNotCounted() throws Exception {
    UUID id = order(StockState.RESERVED, PaymentState.REQUESTED);
    double before = finished("CONFIRMED", "NONE");

    Future<Void> rolledBack =
        pool.withTransaction(
            tx ->
                Saga.on(tx, new PaymentCharged(id, TOTAL, "EUR"))
                    .compose(v -> Future.failedFuture("the commit never comes")));

    boolean failed =
        ServiceHarness.await(rolledBack.transform(done -> Future.succeededFuture(done.failed())));
    assertThat(failed).isTrue();
    Thread.sleep(200);
    assertThat(finished("CONFIRMED", "NONE")).isEqualTo(before);
  }

  @Test
  void eachStepIsTimedFromTheOrdersRowWhicheverInstancePlacedIt() throws Exception {
    // Placed 3 s ago by "another instance" (this JVM never saw the placement).
    UUID id = order(StockState.REQUESTED, PaymentState.NONE, 3);
    Timer reserve = timer(OrderMetrics.STEP, "step", "reserve");
    Timer charge = timer(OrderMetrics.STEP, "step", "charge");
    Timer saga = timer(OrderMetrics.SAGA, "state", "CONFIRMED");
    long reserves = reserve.count();
    long sagas = saga.count();
    double reserveSeconds = reserve.totalTime(TimeUnit.SECONDS);
    double chargeSeconds = charge.totalTime(TimeUnit.SECONDS);
    double sagaSeconds = saga.totalTime(TimeUnit.SECONDS);

    apply(
        new StockReserved(
            id,
            List.of(new PricedLine(UUID.randomUUID(), 2, TOTAL / 2, "EUR", "Mug")),
            TOTAL,
            "EUR"));
    eventually(() -> reserve.count(), reserves + 1);
    Thread.sleep(300);
    apply(new PaymentCharged(id, TOTAL, "EUR"));
    eventually(() -> saga.count(), sagas + 1);

    // reserve: placement to reservation, about 3 s; charge: reservation to charge, about 0.3 s;
    // the saga: both.
    assertThat(reserve.totalTime(TimeUnit.SECONDS) - reserveSeconds).isBetween(2.9, 4.0);
    assertThat(charge.totalTime(TimeUnit.SECONDS) - chargeSeconds).isBetween(0.25, 1.0);
    assertThat(saga.totalTime(TimeUnit.SECONDS) - sagaSeconds).isBetween(3.2, 5.0);
  }

  @Test
  void aReasonOutsideTheKnownSetIsCountedAsOther() {
    assertThat(OrderMetrics.closed("OUT_OF_STOCK")).isEqualTo("OUT_OF_STOCK");
    assertThat(OrderMetrics.closed("order 42 of alice@example.com")).isEqualTo("OTHER");
    assertThat(OrderMetrics.closed(null)).isEqualTo("OTHER");
  }

  private static Future<OrderRow> lock(io.vertx.sqlclient.SqlConnection tx, UUID id) {
    return tx.preparedQuery(OrdersSql.LOCK)
        .execute(Tuple.of(id))
        .map(rows -> OrderRow.from(rows.iterator().next()));
  }

  private static Future<Void> cancel(io.vertx.sqlclient.SqlConnection tx, OrderRow order) {
    return Saga.cancel(tx, order, "DEADLINE_EXCEEDED");
  }

  private static double finished(String state, String reason) {
    Counter counter =
        Metrics.registry()
            .find(OrderMetrics.FINISHED)
            .tag("state", state)
            .tag("reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static long steps(String step) {
    Timer timer = Metrics.registry().find(OrderMetrics.STEP).tag("step", step).timer();
    return timer == null ? 0 : timer.count();
  }

  private static Timer timer(String name, String tag, String value) {
    return Metrics.registry().find(name).tag(tag, value).timer();
  }

  private static long sagas(String state) {
    Timer timer = Metrics.registry().find(OrderMetrics.SAGA).tag("state", state).timer();
    return timer == null ? 0 : timer.count();
  }

  /** Waits (up to 5 s) for a value recorded once a transaction's commit is confirmed. */
  private static void eventually(DoubleSupplier value, double expected) throws Exception {
    long until = System.nanoTime() + 5_000_000_000L;
    while (value.getAsDouble() != expected && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(value.getAsDouble()).isEqualTo(expected);
  }

  private static void apply(SagaResult result) {
    ServiceHarness.await(pool.withTransaction(tx -> Saga.on(tx, result)));
  }

  private static UUID order(StockState stock, PaymentState payment) throws Exception {
    return order(stock, payment, 0);
  }

  /** An order placed {@code secondsAgo}, in the given states, as another instance wrote it. */
  private static UUID order(StockState stock, PaymentState payment, int secondsAgo)
      throws Exception {
    UUID id = UUID.randomUUID();
    try (Connection c = orders.sql();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO orders (id, user_id, status, total_minor, currency, stock_state,"
                    + " payment_state, created_at, updated_at) VALUES (?, ?, 'PENDING', ?, 'EUR',"
                    + " ?, ?, now() - make_interval(secs => ?), now() - make_interval(secs =>"
                    + " ?))")) {
      s.setObject(1, id);
      s.setObject(2, UUID.randomUUID());
      s.setLong(3, TOTAL);
      s.setString(4, stock.name());
      s.setString(5, payment.name());
      s.setInt(6, secondsAgo);
      s.setInt(7, secondsAgo);
      s.executeUpdate();
    }
    return id;
  }
}
