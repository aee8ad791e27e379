package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.SagaResult;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The saga's stock commands on the real inventory schema, sent as orders' relay sends them: a
 * reserve is answered in its reply ({result, orderId, ...}), with nothing written to inventory's
 * outbox.
 */
class ReservationsIT {
  private static final Identity ADMIN =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));

  private static ServiceHarness harness;

  @BeforeAll
  static void start() throws Exception {
    harness =
        ServiceHarness.start(
            "inventory", InventoryVerticle::new, Map.of("MICROSHOP_OUTBOX_POLL_MS", "100"));
  }

  @AfterAll
  static void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void reservingTakesEveryLineAtTodaysPricesAndTellsOrdersTheTotal() throws Exception {
    JsonObject mug = product("Enamel Mug", 1_250, "EUR", 5);
    JsonObject pot = product("Moka Pot", 2_990, "EUR", 2);
    String order = UUID.randomUUID().toString();
    JsonObject command = reserve(order, line(mug, 2), line(pot, 1));

    JsonObject body = harness.request(InventoryApi.RESERVE_STOCK, command, null);

    assertThat(body.fieldNames())
        .containsExactlyInAnyOrder("result", "orderId", "lines", "totalMinor", "currency");
    assertThat(body.getString("result")).isEqualTo(SagaResult.StockReserved.TYPE);
    assertThat(body.getString("orderId")).isEqualTo(order);
    assertThat(body.getLong("totalMinor")).isEqualTo(2 * 1_250 + 2_990);
    assertThat(body.getString("currency")).isEqualTo("EUR");
    assertThat(body.getJsonArray("lines"))
        .containsExactlyInAnyOrder(
            new JsonObject()
                .put("productId", id(mug))
                .put("quantity", 2)
                .put("priceMinor", 1_250L)
                .put("currency", "EUR")
                .put("name", "Enamel Mug"),
            new JsonObject()
                .put("productId", id(pot))
                .put("quantity", 1)
                .put("priceMinor", 2_990L)
                .put("currency", "EUR")
                .put("name", "Moka Pot"));

    assertThat(stock(mug)).isEqualTo(List.of(3, 2L));
    assertThat(stock(pot)).isEqualTo(List.of(1, 2L));
    assertThat(reservations(order))
        .containsExactlyInAnyOrder(
            List.of(id(mug), 2, "RESERVED", 1_250L, "EUR"),
            List.of(id(pot), 1, "RESERVED", 2_990L, "EUR"));
    assertThat(
            harness
                .request(InventoryApi.GET, new JsonObject().put("id", id(mug)), null)
                .getLong("version"))
        .as("the ETag changes with the stock")
        .isEqualTo(2);
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid AND consumer = ?",
                command.getString("messageId"),
                InventoryApi.RESERVE_STOCK))
        .isEqualTo(1);
    assertBalanced(mug, 5, 0, 3, 2, 0);
    assertBalanced(pot, 2, 0, 1, 1, 0);
    assertThat(outboxRows(order))
        .as("the answer is the reply: no message back through the outbox")
        .isZero();
  }

  @Test
  void whenOneLineIsShortNothingIsReservedAndOrdersHearsOutOfStock() throws Exception {
    JsonObject plenty = product("Tea Towel", 500, "EUR", 50);
    JsonObject scarce = product("Copper Kettle", 9_900, "EUR", 1);
    String order = UUID.randomUUID().toString();

    JsonObject answer =
        harness.request(
            InventoryApi.RESERVE_STOCK, reserve(order, line(plenty, 3), line(scarce, 2)), null);

    assertThat(answer)
        .isEqualTo(
            new JsonObject()
                .put("result", SagaResult.StockRejected.TYPE)
                .put("orderId", order)
                .put("reason", "OUT_OF_STOCK"));
    assertThat(stock(plenty)).isEqualTo(List.of(50, 1L));
    assertThat(stock(scarce)).isEqualTo(List.of(1, 1L));
    assertThat(reservations(order)).isEmpty();
    assertThat(rejection(order)).isEqualTo("OUT_OF_STOCK");
    assertThat(outboxRows(order)).isZero();
  }

  @Test
  void anUnknownProductRejectsTheWholeOrder() throws Exception {
    JsonObject known = product("Linen Napkins", 1_800, "EUR", 8);
    String order = UUID.randomUUID().toString();
    JsonObject ghost =
        new JsonObject().put("productId", UUID.randomUUID().toString()).put("quantity", 1);

    JsonObject answer =
        harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(known, 1), ghost), null);

    assertThat(answer.getString("result")).isEqualTo(SagaResult.StockRejected.TYPE);
    assertThat(answer.getString("reason")).isEqualTo("UNKNOWN_PRODUCT");
    assertThat(stock(known)).isEqualTo(List.of(8, 1L));
    assertThat(reservations(order)).isEmpty();
  }

  @Test
  void linesInTwoCurrenciesAreRejectedAsMixedCurrency() throws Exception {
    JsonObject euros = product("Olive Oil", 1_400, "EUR", 8);
    JsonObject dollars = product("Maple Syrup", 1_100, "USD", 8);
    String order = UUID.randomUUID().toString();

    JsonObject answer =
        harness.request(
            InventoryApi.RESERVE_STOCK, reserve(order, line(euros, 1), line(dollars, 1)), null);

    assertThat(answer.getString("result")).isEqualTo(SagaResult.StockRejected.TYPE);
    assertThat(answer.getString("reason")).isEqualTo("MIXED_CURRENCY");
    assertThat(stock(euros)).isEqualTo(List.of(8, 1L));
    assertThat(stock(dollars)).isEqualTo(List.of(8, 1L));
    assertThat(reservations(order)).isEmpty();
  }

  @Test
  void theSameMessageDeliveredTwiceReservesOnceAndAnswersTheSameTwice() throws Exception {
    JsonObject lamp = product("Desk Lamp", 4_500, "EUR", 10);
    String order = UUID.randomUUID().toString();
    JsonObject command = reserve(order, line(lamp, 3));

    JsonObject first = harness.request(InventoryApi.RESERVE_STOCK, command, null);
    JsonObject again = harness.request(InventoryApi.RESERVE_STOCK, command, null);

    assertThat(first.getString("result")).isEqualTo(SagaResult.StockReserved.TYPE);
    assertThat(again).as("the redelivery's answer").isEqualTo(first);
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                command.getString("messageId")))
        .isEqualTo(1);
    assertThat(stock(lamp)).isEqualTo(List.of(7, 2L));
    assertThat(reservations(order))
        .containsExactly(List.of(id(lamp), 3, "RESERVED", 4_500L, "EUR"));
  }

  @Test
  void aSecondReserveForTheSameOrderReservesNothingMoreAndAnswersTheSame() throws Exception {
    JsonObject lamp = product("Floor Lamp", 12_000, "EUR", 10);
    String order = UUID.randomUUID().toString();

    JsonObject first =
        harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(lamp, 4)), null);
    JsonObject second =
        harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(lamp, 4)), null);

    assertThat(first.getString("result")).isEqualTo(SagaResult.StockReserved.TYPE);
    assertThat(first.getLong("totalMinor")).isEqualTo(48_000);
    assertThat(second).isEqualTo(first);
    assertThat(stock(lamp)).isEqualTo(List.of(6, 2L));
    assertThat(reservations(order)).hasSize(1);
  }

  @Test
  void oneMessageDeliveredTenTimesAtOnceReservesOnceAndEveryDeliveryGetsTheSameAnswer()
      throws Exception {
    JsonObject clock = product("Wall Clock", 3_300, "EUR", 30);
    String order = UUID.randomUUID().toString();
    JsonObject command = reserve(order, line(clock, 3));

    // The twins wait on the first's inbox row and answer from transactions that roll back.
    List<JsonObject> answers = concurrently(10, i -> command);

    assertThat(answers).hasSize(10).containsOnly(answers.get(0));
    assertThat(answers.get(0).getString("result")).isEqualTo(SagaResult.StockReserved.TYPE);
    assertThat(answers.get(0).getLong("totalMinor")).isEqualTo(9_900);
    assertThat(stock(clock)).isEqualTo(List.of(27, 2L));
    assertThat(reservations(order))
        .containsExactly(List.of(id(clock), 3, "RESERVED", 3_300L, "EUR"));
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                command.getString("messageId")))
        .isEqualTo(1);
  }

  @Test
  void twentyConcurrentReservesOfOneOrderUnderNewMessageIdsReserveOnce() throws Exception {
    JsonObject rug = product("Wool Rug", 19_900, "EUR", 100);
    String order = UUID.randomUUID().toString();

    List<JsonObject> answers = concurrently(20, i -> reserve(order, line(rug, 5)));

    assertThat(answers)
        .hasSize(20)
        .extracting(a -> a.getString("result"))
        .containsOnly(SagaResult.StockReserved.TYPE);
    assertThat(answers).extracting(a -> a.getLong("totalMinor")).containsOnly(5 * 19_900L);
    assertThat(stock(rug)).isEqualTo(List.of(95, 2L));
    assertThat(reservations(order))
        .containsExactly(List.of(id(rug), 5, "RESERVED", 19_900L, "EUR"));
  }

  @Test
  void aRejectedOrderStaysRejectedWhenStockArrivesBeforeItsRetry() throws Exception {
    JsonObject chair = product("Oak Chair", 25_000, "EUR", 1);
    String order = UUID.randomUUID().toString();
    JsonObject first =
        harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(chair, 2)), null);
    harness.request(
        InventoryApi.ADJUST_STOCK,
        new JsonObject().put("id", id(chair)).put("delta", 5).put("reason", "delivery"),
        ADMIN);

    JsonObject retried =
        harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(chair, 2)), null);

    // orders cancelled the order on the first answer: a reservation now would never be released.
    assertThat(List.of(first, retried))
        .extracting(a -> a.getString("reason"))
        .containsExactly("OUT_OF_STOCK", "OUT_OF_STOCK");
    assertThat(stock(chair)).isEqualTo(List.of(6, 2L));
    assertThat(reservations(order)).isEmpty();
    assertBalanced(chair, 1, 5, 6, 0, 0);
  }

  @Test
  void releasingGivesTheStockBackOnceAndChangesTheVersion() throws Exception {
    JsonObject pan = product("Frying Pan", 5_400, "EUR", 6);
    JsonObject lid = product("Glass Lid", 900, "EUR", 6);
    String order = UUID.randomUUID().toString();
    harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(pan, 2), line(lid, 6)), null);

    harness.request(InventoryApi.RELEASE_STOCK, orderRef(order), null);

    assertThat(stock(pan)).isEqualTo(List.of(6, 3L));
    assertThat(stock(lid)).isEqualTo(List.of(6, 3L));
    assertThat(reservations(order)).extracting(r -> r.get(2)).containsOnly("RELEASED");
    assertBalanced(pan, 6, 0, 6, 0, 0);

    harness.request(InventoryApi.RELEASE_STOCK, orderRef(order), null);

    assertThat(stock(pan)).as("a second release is a no-op").isEqualTo(List.of(6, 3L));
    assertThat(stock(lid)).isEqualTo(List.of(6, 3L));
    assertThat(outboxRows(order)).as("release sends no result").isZero();
  }

  @Test
  void committingKeepsTheStockTakenAndMarksTheLinesSold() throws Exception {
    JsonObject tent = product("Hiking Tent", 29_900, "EUR", 4);
    String order = UUID.randomUUID().toString();
    harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(tent, 3)), null);

    harness.request(InventoryApi.COMMIT_STOCK, orderRef(order), null);

    assertThat(stock(tent)).isEqualTo(List.of(1, 2L));
    assertThat(reservations(order))
        .containsExactly(List.of(id(tent), 3, "COMMITTED", 29_900L, "EUR"));
    assertBalanced(tent, 4, 0, 1, 0, 3);
  }

  @Test
  void releasingAfterACommitIsANoOp() throws Exception {
    JsonObject bag = product("Sleeping Bag", 34_900, "EUR", 4);
    String order = UUID.randomUUID().toString();
    harness.request(InventoryApi.RESERVE_STOCK, reserve(order, line(bag, 2)), null);
    harness.request(InventoryApi.COMMIT_STOCK, orderRef(order), null);

    harness.request(InventoryApi.RELEASE_STOCK, orderRef(order), null);

    assertThat(stock(bag)).isEqualTo(List.of(2, 2L));
    assertThat(reservations(order)).extracting(r -> r.get(2)).containsExactly("COMMITTED");
    assertBalanced(bag, 4, 0, 2, 0, 2);
  }

  @Test
  void releaseAndCommitOfAnOrderWithoutReservationAreAcknowledgedNoOps() throws Exception {
    String order = UUID.randomUUID().toString();
    JsonObject release = orderRef(order);
    JsonObject commit = orderRef(order);

    assertThat(harness.request(InventoryApi.RELEASE_STOCK, release, null))
        .isEqualTo(new JsonObject());
    assertThat(harness.request(InventoryApi.COMMIT_STOCK, commit, null))
        .isEqualTo(new JsonObject());

    assertThat(reservations(order)).isEmpty();
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id IN (?::uuid, ?::uuid)",
                release.getString("messageId"),
                commit.getString("messageId")))
        .isEqualTo(2);
  }

  @Test
  void twoHundredConcurrentSingleUnitOrdersForTenUnitsReserveExactlyTen() throws Exception {
    JsonObject teapot = product("Cast Iron Teapot", 4_500, "EUR", 10);
    List<String> orders =
        IntStream.range(0, 200).mapToObj(i -> UUID.randomUUID().toString()).toList();

    List<JsonObject> answers = concurrently(200, i -> reserve(orders.get(i), line(teapot, 1)));

    assertThat(answers).hasSize(200);
    List<String> addresses = answers.stream().map(a -> a.getString("result")).toList();
    assertThat(addresses.stream().filter(SagaResult.StockReserved.TYPE::equals).count())
        .isEqualTo(10);
    assertThat(addresses.stream().filter(SagaResult.StockRejected.TYPE::equals).count())
        .isEqualTo(190);
    assertThat(stock(teapot).get(0)).isEqualTo(0);
    assertThat(
            count(
                "SELECT count(*) FROM reservations WHERE product_id = ?::uuid AND status = 'RESERVED'",
                id(teapot)))
        .isEqualTo(10);
    assertThat(
            count(
                "SELECT count(*) FROM stock_requests WHERE rejection = 'OUT_OF_STOCK' AND order_id IN "
                    + "(SELECT (v->>0)::uuid FROM jsonb_array_elements(?::jsonb) v)",
                new JsonArray(orders).encode()))
        .isEqualTo(190);
    assertBalanced(teapot, 10, 0, 0, 10, 0);
  }

  @Test
  void aMalformedCommandFails400AndRecordsNothing() throws Exception {
    String order = UUID.randomUUID().toString();
    JsonObject noLines = reserve(order);
    JsonObject zero =
        reserve(
            order,
            new JsonObject().put("productId", UUID.randomUUID().toString()).put("quantity", 0));
    String twice = UUID.randomUUID().toString();
    JsonObject repeated =
        reserve(
            order,
            new JsonObject().put("productId", twice).put("quantity", 1),
            new JsonObject().put("productId", twice).put("quantity", 2));

    ReplyException empty = harness.failure(InventoryApi.RESERVE_STOCK, noLines, null);
    ReplyException badQuantity = harness.failure(InventoryApi.RESERVE_STOCK, zero, null);
    ReplyException duplicate = harness.failure(InventoryApi.RESERVE_STOCK, repeated, null);
    ReplyException noOrder =
        harness.failure(
            InventoryApi.RELEASE_STOCK,
            new JsonObject().put("messageId", UUID.randomUUID().toString()),
            null);

    assertThat(empty.failureCode()).isEqualTo(400);
    assertThat(empty.getMessage()).contains("lines must be an array of 1 to 100 elements");
    assertThat(badQuantity.failureCode()).isEqualTo(400);
    assertThat(badQuantity.getMessage()).contains("quantity must be an integer from 1");
    assertThat(duplicate.failureCode()).isEqualTo(400);
    assertThat(duplicate.getMessage()).contains(twice + " is repeated");
    assertThat(noOrder.failureCode()).isEqualTo(400);
    assertThat(noOrder.getMessage()).contains("orderId is required");
    assertThat(count("SELECT count(*) FROM stock_requests WHERE order_id = ?::uuid", order))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                noLines.getString("messageId")))
        .as("a failed command is not marked processed: the sender may retry it")
        .isZero();
  }

  // --- helpers

  private static List<JsonObject> concurrently(
      int n, java.util.function.IntFunction<JsonObject> command) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(30_000);
    List<Future<JsonObject>> sent =
        IntStream.range(0, n)
            .mapToObj(
                i ->
                    harness
                        .vertx()
                        .eventBus()
                        .<JsonObject>request(InventoryApi.RESERVE_STOCK, command.apply(i), options)
                        .map(msg -> msg.body()))
            .toList();
    ServiceHarness.await(Future.all(sent));
    return sent.stream().map(Future::result).toList();
  }

  private static JsonObject product(String name, long priceMinor, String currency, int available) {
    return harness.request(
        InventoryApi.CREATE,
        new JsonObject()
            .put("sku", "RSV-" + UUID.randomUUID().toString().substring(0, 18).toUpperCase())
            .put("name", name)
            .put("priceMinor", priceMinor)
            .put("currency", currency)
            .put("available", available),
        ADMIN);
  }

  private static String id(JsonObject product) {
    return product.getString("id");
  }

  private static JsonObject line(JsonObject product, int quantity) {
    return new JsonObject().put("productId", id(product)).put("quantity", quantity);
  }

  private static JsonObject reserve(String order, JsonObject... lines) {
    return orderRef(order).put("lines", new JsonArray(List.of((Object[]) lines)));
  }

  private static JsonObject orderRef(String order) {
    return new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("occurredAt", Instant.now().toString())
        .put("orderId", order);
  }

  /** [available, version] of a product, as stored. */
  private static List<Object> stock(JsonObject product) throws Exception {
    return rows("SELECT available, version FROM products WHERE id = ?::uuid", id(product)).get(0);
  }

  /** [product id, quantity, status, price, currency] of an order's reservations. */
  private static List<List<Object>> reservations(String order) throws Exception {
    return rows(
        "SELECT product_id::text, quantity, status, price_minor, currency FROM reservations "
            + "WHERE order_id = ?::uuid ORDER BY product_id",
        order);
  }

  private static String rejection(String order) throws Exception {
    return (String)
        rows("SELECT rejection FROM stock_requests WHERE order_id = ?::uuid", order).get(0).get(0);
  }

  private static long outboxRows(String order) throws Exception {
    return count("SELECT count(*) FROM outbox WHERE payload->>'orderId' = ?", order);
  }

  /** initial stock + adjustments = available + reserved + sold, with each term as expected. */
  private static void assertBalanced(
      JsonObject product, long initial, long adjusted, long available, long reserved, long sold)
      throws Exception {
    List<Object> balance =
        rows(
                "SELECT initial_available, adjusted, available, reserved, sold, balanced "
                    + "FROM stock_balance WHERE product_id = ?::uuid",
                id(product))
            .get(0);
    Map<String, Object> named = new LinkedHashMap<>();
    List<String> names =
        List.of("initial", "adjusted", "available", "reserved", "sold", "balanced");
    for (int i = 0; i < names.size(); i++) {
      Object value = balance.get(i);
      named.put(names.get(i), value instanceof Number number ? number.longValue() : value);
    }
    assertThat(named)
        .containsExactly(
            Map.entry("initial", initial),
            Map.entry("adjusted", adjusted),
            Map.entry("available", available),
            Map.entry("reserved", reserved),
            Map.entry("sold", sold),
            Map.entry("balanced", true));
  }

  private static long count(String sql, Object... params) throws Exception {
    return ((Number) rows(sql, params).get(0).get(0)).longValue();
  }

  private static List<List<Object>> rows(String sql, Object... params) throws Exception {
    try (Connection c = harness.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.add(rs.getObject(i));
          }
          rows.add(row);
        }
        return rows;
      }
    }
  }
}
