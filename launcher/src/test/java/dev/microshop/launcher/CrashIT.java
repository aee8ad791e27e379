package dev.microshop.launcher;

import static dev.microshop.launcher.support.Api.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.SharedDatabase;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crash test: 200 orders while payments, then inventory, are killed with -9 and restarted. The
 * event bus loses whatever was in flight to them; the outboxes, idempotent consumers and the saga
 * must still bring every order to CONFIRMED or CANCELLED with every invariant intact.
 */
class CrashIT {
  private static final int ORDERS = 200;
  private static Cluster cluster;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        new Cluster(
                SharedDatabase.env()
                    .with("MICROSHOP_OUTBOX_MAX_BACKOFF_MS", "2000")
                    .with("MICROSHOP_OUTBOX_MAX_ATTEMPTS", "60")
                    .with("MICROSHOP_ORDERS_SAGA_DEADLINE_SECONDS", "40"))
            .startAll();
    api = new Api(cluster.gateway(), SharedDatabase.dataDir());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killingPaymentsThenInventoryDuringTwoHundredOrdersLosesNothingAndKeepsEveryInvariant()
      throws Exception {
    String admin = api.admin();
    List<String> products = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      products.add(api.product(admin, 100 + 50L * i, 30));
    }
    List<String> customers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      customers.add(api.newCustomer());
    }
    List<String[]> accepted = new CopyOnWriteArrayList<>();
    List<String> refused = new CopyOnWriteArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    for (int i = 0; i < ORDERS; i++) {
      String customer = customers.get(i % customers.size());
      String product = products.get(ThreadLocalRandom.current().nextInt(products.size()));
      int quantity = 1 + ThreadLocalRandom.current().nextInt(2);
      clients.submit(
          () -> {
            // A 503/504 is "maybe placed": a real client retries with the same Idempotency-Key, as
            // here.
            String key = "k-" + UUID.randomUUID();
            HttpResponse<String> placed = api.order(customer, key, line(product, quantity));
            for (int retry = 0; retry < 20 && placed.statusCode() >= 503; retry++) {
              // Honour Retry-After: an open circuit breaker says how long it will refuse calls.
              long wait =
                  placed.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L) * 1000;
              Thread.sleep(Math.max(500, wait));
              placed = api.order(customer, key, line(product, quantity));
            }
            if (placed.statusCode() == 202) {
              accepted.add(new String[] {customer, new JsonObject(placed.body()).getString("id")});
            } else {
              refused.add(placed.statusCode() + " " + placed.body());
            }
            Thread.sleep(30);
            return null;
          });
    }
    clients.shutdown();
    Thread.sleep(1500);
    cluster.kill(Services.PAYMENTS);
    Thread.sleep(2000);
    cluster.restart(Services.PAYMENTS);
    cluster.kill(Services.INVENTORY);
    Thread.sleep(2000);
    cluster.restart(Services.INVENTORY);
    assertThat(clients.awaitTermination(180, TimeUnit.SECONDS)).isTrue();
    assertThat(refused)
        .as("orders is never down here: every POST is accepted, after retries")
        .isEmpty();
    assertThat(accepted).hasSize(ORDERS);

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (String[] order : accepted) {
      long left = Math.max(1, deadline - System.nanoTime());
      assertThat(api.awaitFinal(order[0], order[1], Duration.ofNanos(left)).getString("status"))
          .isIn("CONFIRMED", "CANCELLED");
    }
    awaitDrained();

    String ids = accepted.stream().map(o -> "'" + o[1] + "'").collect(Collectors.joining(","));
    String productIds = products.stream().map(p -> "'" + p + "'").collect(Collectors.joining(","));
    assertThat(Db.number(Services.ORDERS, "SELECT count(*) FROM orders WHERE id IN (" + ids + ")"))
        .as("every 202-acknowledged order exists")
        .isEqualTo(ORDERS);
    assertThat(
            Db.number(
                Services.INVENTORY,
                "SELECT count(*) FROM stock_balance WHERE product_id IN ("
                    + productIds
                    + ") AND NOT balanced"))
        .as("initial stock = available + reserved + sold")
        .isZero();
    assertThat(
            Db.number(
                Services.INVENTORY,
                "SELECT coalesce(sum(reserved), 0) FROM stock_balance"
                    + " WHERE product_id IN ("
                    + productIds
                    + ")"))
        .as("no stock left reserved by final orders")
        .isZero();
    assertThat(
            Db.number(
                Services.INVENTORY,
                "SELECT coalesce(sum(sold), 0) FROM stock_balance"
                    + " WHERE product_id IN ("
                    + productIds
                    + ")"))
        .isEqualTo(
            Db.number(
                Services.ORDERS,
                "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l JOIN orders o ON o.id = l.order_id"
                    + " WHERE o.status = 'CONFIRMED' AND o.id IN ("
                    + ids
                    + ")"));
    assertThat(
            Db.rows(
                Services.PAYMENTS,
                "SELECT order_id FROM wallet_transactions WHERE kind = 'CHARGE'"
                    + " AND order_id IN ("
                    + ids
                    + ") GROUP BY order_id HAVING count(*) > 1"))
        .as("at most one charge")
        .isEmpty();
    long charged =
        -Db.number(
            Services.PAYMENTS,
            "SELECT coalesce(sum(amount_minor), 0) FROM wallet_transactions"
                + " WHERE kind = 'CHARGE' AND order_id IN ("
                + ids
                + ")");
    long refunded =
        Db.number(
            Services.PAYMENTS,
            "SELECT coalesce(sum(amount_minor), 0) FROM wallet_transactions"
                + " WHERE kind = 'REFUND' AND order_id IN ("
                + ids
                + ")");
    long confirmedTotals =
        Db.number(
            Services.ORDERS,
            "SELECT coalesce(sum(total_minor), 0) FROM orders"
                + " WHERE status = 'CONFIRMED' AND id IN ("
                + ids
                + ")");
    assertThat(charged - refunded)
        .as("charges - refunds = totals of confirmed orders")
        .isEqualTo(confirmedTotals);
    assertThat(confirmedTotals).isPositive();
    awaitOneNotificationPerOrder(ids);
  }

  private static void awaitDrained() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> pending = Collections.emptyList();
    while (System.nanoTime() < deadline) {
      pending = new ArrayList<>();
      for (String service : Services.WITH_DATABASE) {
        long open = Db.number(service, "SELECT count(*) FROM outbox WHERE status <> 'DELIVERED'");
        if (open > 0) {
          pending.add(service + "=" + open);
        }
      }
      if (pending.isEmpty()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("outboxes not drained: " + pending);
  }

  private static void awaitOneNotificationPerOrder(String ids) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long notified = -1;
    while (System.nanoTime() < deadline) {
      notified =
          Db.number(
              Services.NOTIFICATIONS,
              "SELECT count(*) FROM notifications"
                  + " WHERE kind IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED') AND body->>'orderId' IN ("
                  + ids
                  + ")");
      if (notified >= ORDERS) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(notified).as("one notification per final order").isEqualTo(ORDERS);
    assertThat(
            Db.rows(
                Services.NOTIFICATIONS,
                "SELECT body->>'orderId' FROM notifications WHERE body->>'orderId' IN ("
                    + ids
                    + ") GROUP BY body->>'orderId' HAVING count(*) > 1"))
        .isEmpty();
  }
}
