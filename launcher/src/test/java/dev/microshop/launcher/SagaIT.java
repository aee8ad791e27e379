package dev.microshop.launcher;

import static dev.microshop.launcher.support.Api.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.launcher.support.Api;
import dev.microshop.launcher.support.Cluster;
import dev.microshop.launcher.support.Http;
import dev.microshop.launcher.support.SharedDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order saga end to end: every service in its own JVM, real HTTP, real outboxes. The orders
 * deadline is short here (8 s) so the late-reply tests run quickly. The cluster is started once;
 * each test makes its own customer and product, and a test that kills a JVM starts it again (the
 * fixture replaces one a failed test left dead), so the tests pass in any order.
 */
class SagaIT {
  private static final Duration FINAL = Duration.ofSeconds(30);
  private static Cluster cluster;
  private static Api api;
  private static String admin;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        new Cluster(
                SharedDatabase.env()
                    .with("MICROSHOP_ORDERS_SAGA_DEADLINE_SECONDS", "8")
                    .with("MICROSHOP_ORDERS_SAGA_STEP_RETRY_SECONDS", "3")
                    .with("MICROSHOP_OUTBOX_MAX_BACKOFF_MS", "2000")
                    .with("MICROSHOP_OUTBOX_MAX_ATTEMPTS", "60"))
            .startAll();
    api = new Api(cluster.gateway(), SharedDatabase.dataDir());
    admin = api.admin();
    warmUp();
  }

  /**
   * Orders placed at once and seen through before any test: fresh JVMs on this 2-core machine are
   * slow (JIT, pools still opening), and whichever test runs first must not pay for it with a
   * timeout. Nothing is asserted here and no test reads what this leaves behind.
   */
  private static void warmUp() throws Exception {
    String product = api.product(admin, 100, 1000);
    String customer = api.newCustomer();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Callable<HttpResponse<String>>> orders = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      orders.add(() -> api.order(customer, "warm-" + UUID.randomUUID(), line(product, 1)));
    }
    List<String> accepted = new ArrayList<>();
    for (Future<HttpResponse<String>> f : pool.invokeAll(orders)) {
      if (f.get().statusCode() == 202) {
        accepted.add(new JsonObject(f.get().body()).getString("id"));
      }
    }
    pool.shutdown();
    for (String id : accepted) {
      api.awaitFinal(customer, id, FINAL);
    }
  }

  /** Every test starts with every service running, whatever the test before it killed. */
  @BeforeEach
  void everyServiceRuns() throws InterruptedException {
    cluster.restartStopped();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anOrderIsReservedChargedAndConfirmedAndTheCustomerIsNotified() throws Exception {
    String product = api.product(admin, 1500, 5);
    String customer = api.newCustomer();
    long before = api.balance(customer);

    HttpResponse<String> placed = api.order(customer, "k-" + UUID.randomUUID(), line(product, 2));
    assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
    JsonObject order = new JsonObject(placed.body());
    assertThat(order.getString("status")).isEqualTo("PENDING");
    assertThat(placed.headers().firstValue("Location"))
        .contains("/v1/orders/" + order.getString("id"));

    JsonObject done = api.awaitFinal(customer, order.getString("id"), FINAL);
    assertThat(done.getString("status")).isEqualTo("CONFIRMED");
    assertThat(done.getLong("totalMinor")).isEqualTo(3000L);
    assertThat(done.getJsonArray("lines").getJsonObject(0).getLong("priceMinor")).isEqualTo(1500L);
    assertThat(Api.steps(done))
        .containsSubsequence("PLACED", "STOCK_RESERVED", "PAYMENT_CHARGED", "CONFIRMED");
    assertThat(api.balance(customer)).isEqualTo(before - 3000);
    assertThat(api.charges(customer, done.getString("id"))).containsExactly(-3000L);
    assertThat(api.productById(product).getInteger("available")).isEqualTo(3);
    awaitNotification(customer, "ORDER_CONFIRMED", done.getString("id"));
  }

  @Test
  void anOrderBeyondStockIsCancelledAndNothingIsTakenOrCharged() throws Exception {
    String product = api.product(admin, 700, 3);
    String customer = api.newCustomer();
    long before = api.balance(customer);
    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 4)).body())
            .getString("id");
    JsonObject done = api.awaitFinal(customer, id, FINAL);
    assertThat(done.getString("status")).isEqualTo("CANCELLED");
    assertThat(done.getString("reason")).isEqualTo("OUT_OF_STOCK");
    assertThat(done.containsKey("totalMinor")).isTrue();
    assertThat(done.getValue("totalMinor"))
        .as("never priced: no total, rather than a total of 0")
        .isNull();
    assertThat(api.productById(product).getInteger("available")).isEqualTo(3);
    assertThat(api.balance(customer)).isEqualTo(before);
    assertThat(api.charges(customer, id)).isEmpty();
    awaitNotification(customer, "ORDER_CANCELLED", id);
  }

  @Test
  void aDeclinedPaymentCancelsTheOrderAndReleasesTheStock() throws Exception {
    String customer = api.newCustomer();
    long before = api.balance(customer);
    String product = api.product(admin, before + 1, 4);
    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 1)).body())
            .getString("id");
    JsonObject done = api.awaitFinal(customer, id, FINAL);
    assertThat(done.getString("status")).isEqualTo("CANCELLED");
    assertThat(done.getString("reason")).isEqualTo("PAYMENT_DECLINED");
    assertThat(Api.steps(done))
        .contains("STOCK_RESERVED", "PAYMENT_DECLINED", "STOCK_RELEASE_REQUESTED");
    awaitAvailable(product, 4);
    assertThat(api.balance(customer)).isEqualTo(before);
  }

  @Test
  void anIdempotencyKeyYieldsOneOrderForFiftyConcurrentRequests() throws Exception {
    String product = api.product(admin, 100, 100);
    String customer = api.newCustomer();
    String key = "k-" + UUID.randomUUID();
    ExecutorService pool = Executors.newFixedThreadPool(25);
    List<Callable<HttpResponse<String>>> same = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      same.add(() -> api.order(customer, key, line(product, 1)));
    }
    Set<String> ids = new java.util.HashSet<>();
    for (Future<HttpResponse<String>> f : pool.invokeAll(same)) {
      HttpResponse<String> response = f.get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      ids.add(new JsonObject(response.body()).getString("id"));
    }
    pool.shutdown();
    assertThat(ids).hasSize(1);
    HttpResponse<String> other = api.order(customer, key, line(product, 2));
    assertThat(other.statusCode()).isEqualTo(422);
    HttpResponse<String> noKey =
        Http.send(
            "POST",
            api.base() + "/v1/orders",
            new JsonObject().put("lines", line(product, 1)).encode(),
            "Authorization",
            "Bearer " + customer);
    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(noKey.body()).contains("Idempotency-Key");
    JsonObject done = api.awaitFinal(customer, ids.iterator().next(), FINAL);
    assertThat(done.getString("status")).isEqualTo("CONFIRMED");
    HttpResponse<String> list =
        Http.get(api.base() + "/v1/orders", Map.of("Authorization", "Bearer " + customer));
    assertThat(new JsonObject(list.body()).getJsonArray("items")).hasSize(1);
    assertThat(api.productById(product).getInteger("available")).isEqualTo(99);
  }

  @Test
  void twoHundredConcurrentOrdersForTenUnitsConfirmExactlyTen() throws Exception {
    String product = api.product(admin, 100, 10);
    List<String> customers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      customers.add(api.newCustomer());
    }
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<Callable<String[]>> orders = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String customer = customers.get(i % customers.size());
      orders.add(
          () -> {
            HttpResponse<String> placed =
                api.order(customer, "k-" + UUID.randomUUID(), line(product, 1));
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(202);
            return new String[] {customer, new JsonObject(placed.body()).getString("id")};
          });
    }
    List<String[]> placed = new ArrayList<>();
    for (Future<String[]> f : pool.invokeAll(orders)) {
      placed.add(f.get());
    }
    pool.shutdown();
    Map<String, Long> outcomes = new java.util.HashMap<>();
    for (String[] order : placed) {
      JsonObject done = api.awaitFinal(order[0], order[1], Duration.ofSeconds(60));
      outcomes.merge(done.getString("status") + "/" + done.getString("reason", ""), 1L, Long::sum);
    }
    assertThat(outcomes)
        .containsEntry("CONFIRMED/", 10L)
        .containsEntry("CANCELLED/OUT_OF_STOCK", 190L);
    assertThat(api.productById(product).getInteger("available")).isZero();
  }

  @Test
  void theNotificationStreamDeliversTheConfirmationLiveOverServerSentEvents() throws Exception {
    String product = api.product(admin, 400, 5);
    String customer = api.newCustomer();
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    HttpResponse<java.util.stream.Stream<String>> stream =
        client.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(api.base() + "/v1/notifications/stream"))
                .header("Authorization", "Bearer " + customer)
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type")).contains("text/event-stream");
    Thread reader = new Thread(() -> stream.body().forEach(lines::add));
    reader.setDaemon(true);
    reader.start();
    assertThat(lines.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(": connected");

    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 1)).body())
            .getString("id");
    assertThat(api.awaitFinal(customer, id, FINAL).getString("status")).isEqualTo("CONFIRMED");
    long confirmedAt = System.nanoTime();
    String data = null;
    while (System.nanoTime() - confirmedAt < Duration.ofSeconds(10).toNanos()) {
      String next = lines.poll(1, java.util.concurrent.TimeUnit.SECONDS);
      if (next != null && next.startsWith("data: ") && next.contains(id)) {
        data = next;
        break;
      }
    }
    assertThat(data).as("an SSE data line for order %s", id).isNotNull();
    JsonObject notification = new JsonObject(data.substring("data: ".length()));
    assertThat(notification.getString("kind")).isEqualTo("ORDER_CONFIRMED");
    assertThat(notification.getString("userId")).isEqualTo(Api.userId(customer));
    stream.body().close();
  }

  @Test
  void aCustomerCancelWhileChargingReleasesStockAndALateChargeIsRefunded() throws Exception {
    String product = api.product(admin, 2500, 6);
    String customer = api.newCustomer();
    long before = api.balance(customer);
    cluster.kill(Services.PAYMENTS);
    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 2)).body())
            .getString("id");
    awaitStep(customer, id, "CHARGE_REQUESTED");
    awaitAvailable(product, 4);

    HttpResponse<String> cancelled =
        Http.send(
            "POST",
            api.base() + "/v1/orders/" + id + "/cancel",
            null,
            "Authorization",
            "Bearer " + customer);
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(new JsonObject(cancelled.body()).getString("reason"))
        .isEqualTo("CANCELLED_BY_CUSTOMER");
    awaitAvailable(product, 6);
    HttpResponse<String> again =
        Http.send(
            "POST",
            api.base() + "/v1/orders/" + id + "/cancel",
            null,
            "Authorization",
            "Bearer " + customer);
    assertThat(again.statusCode()).isEqualTo(409);

    cluster.restart(Services.PAYMENTS);
    // The charge command was still in the orders outbox: payments now charges, orders sees the
    // order is cancelled and refunds.
    awaitLedger(customer, id, List.of(-5000L, 5000L));
    assertThat(api.balance(customer)).isEqualTo(before);
    assertThat(api.getOrder(customer, id).getString("status")).isEqualTo("CANCELLED");
  }

  @Test
  void pastTheDeadlineTheSagaCancelsAndCompensatesALateCharge() throws Exception {
    String product = api.product(admin, 1200, 5);
    String customer = api.newCustomer();
    long before = api.balance(customer);
    cluster.kill(Services.PAYMENTS);
    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 1)).body())
            .getString("id");
    JsonObject done = api.awaitFinal(customer, id, Duration.ofSeconds(30));
    assertThat(done.getString("status")).isEqualTo("CANCELLED");
    assertThat(done.getString("reason")).isEqualTo("DEADLINE_EXCEEDED");
    assertThat(Api.steps(done)).contains("STEP_RETRIED");
    awaitAvailable(product, 5);

    cluster.restart(Services.PAYMENTS);
    awaitLedger(customer, id, List.of(-1200L, 1200L));
    assertThat(api.balance(customer)).isEqualTo(before);
  }

  @Test
  void withNotificationsDownOrdersCompleteAndNotificationsArriveAfterItReturns() throws Exception {
    String product = api.product(admin, 300, 5);
    String customer = api.newCustomer();
    cluster.kill(Services.NOTIFICATIONS);
    String id =
        new JsonObject(api.order(customer, "k-" + UUID.randomUUID(), line(product, 1)).body())
            .getString("id");
    assertThat(api.awaitFinal(customer, id, FINAL).getString("status")).isEqualTo("CONFIRMED");
    cluster.restart(Services.NOTIFICATIONS);
    awaitNotification(customer, "ORDER_CONFIRMED", id);
    awaitNotification(customer, "WELCOME", null);
  }

  private static void awaitLedger(String customer, String orderId, List<Long> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    List<Long> actual = List.of();
    while (System.nanoTime() < deadline) {
      actual = api.charges(customer, orderId).stream().sorted().toList();
      if (actual.equals(expected.stream().sorted().toList())) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "ledger of order " + orderId + " is " + actual + ", expected " + expected);
  }

  private static void awaitAvailable(String product, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int actual = -1;
    while (System.nanoTime() < deadline) {
      actual = api.productById(product).getInteger("available");
      if (actual == expected) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "product " + product + " has " + actual + " available, expected " + expected);
  }

  private static void awaitStep(String customer, String id, String step)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (Api.steps(api.getOrder(customer, id)).contains(step)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "order " + id + " never reached " + step + ": " + api.getOrder(customer, id));
  }

  private static void awaitNotification(String customer, String kind, String orderId)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonArray items = new JsonArray();
    while (System.nanoTime() < deadline) {
      items = api.notifications(customer);
      List<JsonObject> matching =
          items.stream()
              .map(JsonObject.class::cast)
              .filter(n -> kind.equals(n.getString("kind")))
              .filter(n -> orderId == null || n.encode().contains(orderId))
              .collect(Collectors.toList());
      if (!matching.isEmpty()) {
        assertThat(matching).hasSize(1);
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no " + kind + " notification for " + orderId + ": " + items);
  }
}
