package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.SagaResult;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The saga's CHARGE and REFUND and the ledger query, on the real payments schema. A charge is
 * answered in its reply ({result, orderId, ...}), as orders' relay receives it, with nothing
 * written to payments' outbox.
 */
class ChargesIT {
  private static final long OPENING = 10_000;

  private static ServiceHarness payments;

  @BeforeAll
  static void start() throws Exception {
    payments =
        ServiceHarness.start(
            "payments",
            PaymentsVerticle::new,
            Map.of(
                "MICROSHOP_DEV",
                "true",
                "MICROSHOP_PAYMENTS_WALLET_DEV_OPENING_BALANCE_MINOR",
                String.valueOf(OPENING),
                "MICROSHOP_OUTBOX_POLL_MS",
                "100"));
  }

  @AfterAll
  static void stop() {
    if (payments != null) {
      payments.close();
    }
  }

  @Test
  void aChargeDebitsTheWalletWritesTheLedgerAndTellsOrders() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject command = charge(order, user, 3_250, "EUR");

    JsonObject answer = payments.request(PaymentsApi.CHARGE, command, null);

    assertThat(answer)
        .isEqualTo(
            new JsonObject()
                .put("result", SagaResult.PaymentCharged.TYPE)
                .put("orderId", order)
                .put("amountMinor", 3_250L)
                .put("currency", "EUR"));
    assertThat(outboxRows(order))
        .as("the answer is the reply: no message back through the outbox")
        .isZero();
    assertThat(balance(user)).isEqualTo(OPENING - 3_250);
    assertThat(ledger(user))
        .containsExactly(
            List.of("OPENING", OPENING, OPENING, "opening balance", "-"),
            List.of("CHARGE", -3_250L, OPENING - 3_250, "order " + order, order));
    assertThat(
            count(
                "SELECT count(*) FROM wallet_transactions WHERE message_id = ?::uuid AND actor = 'system'",
                command.getString("messageId")))
        .isEqualTo(1);
  }

  @Test
  void aChargeBeyondTheBalanceIsDeclinedAndChangesNoMoney() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();

    JsonObject answer =
        payments.request(PaymentsApi.CHARGE, charge(order, user, OPENING + 1, "EUR"), null);

    assertThat(answer)
        .isEqualTo(
            new JsonObject()
                .put("result", SagaResult.PaymentDeclined.TYPE)
                .put("orderId", order)
                .put("reason", "INSUFFICIENT_FUNDS"));
    assertThat(balance(user)).isEqualTo(OPENING);
    assertThat(ledger(user)).extracting(e -> e.get(0)).containsExactly("OPENING");
    assertThat(
            count(
                "SELECT count(*) FROM declined_charges WHERE order_id = ?::uuid AND reason = ?",
                order,
                "INSUFFICIENT_FUNDS"))
        .isEqualTo(1);
  }

  @Test
  void aChargeInAnotherCurrencyIsDeclinedAsACurrencyMismatch() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();

    JsonObject answer = payments.request(PaymentsApi.CHARGE, charge(order, user, 100, "USD"), null);

    assertThat(answer.getString("result")).isEqualTo(SagaResult.PaymentDeclined.TYPE);
    assertThat(answer.getString("reason")).isEqualTo("CURRENCY_MISMATCH");
    assertThat(balance(user)).isEqualTo(OPENING);
    assertThat(ledger(user)).hasSize(1);
  }

  @Test
  void theSameChargeMessageTwiceChargesOnceAndAnswersTheSameTwice() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject command = charge(order, user, 700, "EUR");

    JsonObject first = payments.request(PaymentsApi.CHARGE, command, null);
    JsonObject again = payments.request(PaymentsApi.CHARGE, command, null);

    assertThat(first.getString("result")).isEqualTo(SagaResult.PaymentCharged.TYPE);
    assertThat(again).as("the redelivery's answer").isEqualTo(first);
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                command.getString("messageId")))
        .isEqualTo(1);
    assertThat(balance(user)).isEqualTo(OPENING - 700);
    assertThat(charges(order)).isEqualTo(1);
  }

  @Test
  void aSecondChargeForTheSameOrderChargesNothingAndAnswersCharged() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject first =
        payments.request(PaymentsApi.CHARGE, charge(order, user, 1_200, "EUR"), null);

    JsonObject second =
        payments.request(PaymentsApi.CHARGE, charge(order, user, 1_200, "EUR"), null);

    assertThat(first.getString("result")).isEqualTo(SagaResult.PaymentCharged.TYPE);
    assertThat(first.getLong("amountMinor")).isEqualTo(1_200);
    assertThat(second).isEqualTo(first);
    assertThat(balance(user)).isEqualTo(OPENING - 1_200);
    assertThat(charges(order)).isEqualTo(1);
  }

  @Test
  void oneChargeMessageDeliveredTenTimesAtOnceChargesOnceAndEveryDeliveryGetsTheSameAnswer()
      throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject command = charge(order, user, 650, "EUR");

    // The twins wait on the first's inbox row and answer from transactions that roll back.
    List<JsonObject> answers = concurrently(PaymentsApi.CHARGE, 10, i -> command);

    assertThat(answers).hasSize(10).containsOnly(answers.get(0));
    assertThat(answers.get(0))
        .isEqualTo(
            new JsonObject()
                .put("result", SagaResult.PaymentCharged.TYPE)
                .put("orderId", order)
                .put("amountMinor", 650L)
                .put("currency", "EUR"));
    assertThat(balance(user)).isEqualTo(OPENING - 650);
    assertThat(charges(order)).isEqualTo(1);
  }

  @Test
  void twentyConcurrentChargesOfOneOrderUnderNewMessageIdsChargeOnce() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();

    List<JsonObject> answers =
        concurrently(PaymentsApi.CHARGE, 20, i -> charge(order, user, 400, "EUR"));

    assertThat(answers)
        .hasSize(20)
        .extracting(a -> a.getString("result"))
        .containsOnly(SagaResult.PaymentCharged.TYPE);
    assertThat(answers).extracting(a -> a.getLong("amountMinor")).containsOnly(400L);
    assertThat(balance(user)).isEqualTo(OPENING - 400);
    assertThat(charges(order)).isEqualTo(1);
  }

  @Test
  void aDeclinedOrderStaysDeclinedWhenMoneyArrivesBeforeItsRetry() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject first =
        payments.request(PaymentsApi.CHARGE, charge(order, user, OPENING + 500, "EUR"), null);
    payments.request(
        PaymentsApi.CREDIT,
        new JsonObject()
            .put("messageId", UUID.randomUUID().toString())
            .put("userId", user.toString())
            .put("amountMinor", 1_000)
            .put("reason", "top-up"),
        admin());

    JsonObject retried =
        payments.request(PaymentsApi.CHARGE, charge(order, user, OPENING + 500, "EUR"), null);

    // orders cancelled the order on the first answer: a charge now would never be refunded.
    assertThat(List.of(first, retried))
        .extracting(a -> a.getString("reason"))
        .containsExactly("INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS");
    assertThat(balance(user)).isEqualTo(OPENING + 1_000);
    assertThat(charges(order)).isZero();
  }

  @Test
  void aRefundGivesTheChargeBackOnceHoweverOftenItIsDelivered() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    payments.request(PaymentsApi.CHARGE, charge(order, user, 2_000, "EUR"), null);
    JsonObject refund = orderRef(order);

    payments.request(PaymentsApi.REFUND, refund, null);
    payments.request(PaymentsApi.REFUND, refund, null);
    payments.request(PaymentsApi.REFUND, orderRef(order), null);

    assertThat(balance(user)).isEqualTo(OPENING);
    assertThat(ledger(user))
        .extracting(e -> e.get(0), e -> e.get(1), e -> e.get(2), e -> e.get(4))
        .containsExactly(
            tuple("OPENING", OPENING, OPENING, "-"),
            tuple("CHARGE", -2_000L, OPENING - 2_000, order),
            tuple("REFUND", 2_000L, OPENING, order));
    assertThat(outboxRows(order)).as("a refund sends no result").isZero();
  }

  @Test
  void aRefundOfAnOrderThatWasNeverChargedIsANoOp() throws Exception {
    UUID user = UUID.randomUUID();
    payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));
    String declined = UUID.randomUUID().toString();
    assertThat(
            payments
                .request(PaymentsApi.CHARGE, charge(declined, user, OPENING * 2, "EUR"), null)
                .getString("result"))
        .isEqualTo(SagaResult.PaymentDeclined.TYPE);
    String unknown = UUID.randomUUID().toString();
    JsonObject refund = orderRef(unknown);

    assertThat(payments.request(PaymentsApi.REFUND, refund, null)).isEqualTo(new JsonObject());
    payments.request(PaymentsApi.REFUND, orderRef(declined), null);

    assertThat(balance(user)).isEqualTo(OPENING);
    assertThat(
            count(
                "SELECT count(*) FROM wallet_transactions WHERE order_id IN (?::uuid, ?::uuid)",
                unknown,
                declined))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                refund.getString("messageId")))
        .isEqualTo(1);
  }

  @Test
  void fiftyConcurrentChargesOfDifferentOrdersNeverOverdrawTheWallet() throws Exception {
    UUID user = UUID.randomUUID();
    payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));
    long price = 300; // 33 fit in the opening balance, 17 do not
    List<String> orders =
        IntStream.range(0, 50).mapToObj(i -> UUID.randomUUID().toString()).toList();

    List<JsonObject> answers =
        concurrently(PaymentsApi.CHARGE, 50, i -> charge(orders.get(i), user, price, "EUR"));

    assertThat(answers).hasSize(50);
    List<String> outcomes = answers.stream().map(a -> a.getString("result")).toList();
    long charged = outcomes.stream().filter(SagaResult.PaymentCharged.TYPE::equals).count();
    assertThat(charged).isEqualTo(OPENING / price);
    assertThat(outcomes.stream().filter(SagaResult.PaymentDeclined.TYPE::equals).count())
        .isEqualTo(50 - charged);
    assertThat(balance(user)).isEqualTo(OPENING - charged * price).isNotNegative();
    long running = 0;
    for (List<Object> entry : ledger(user)) {
      running += (Long) entry.get(1);
      assertThat((Long) entry.get(2))
          .as("balance after %s", entry)
          .isEqualTo(running)
          .isNotNegative();
    }
    assertThat(running).isEqualTo(balance(user));
  }

  @Test
  void aChargeOfZeroIsRecordedAndThereIsNothingToRefund() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();

    assertThat(
            payments
                .request(PaymentsApi.CHARGE, charge(order, user, 0, "EUR"), null)
                .getString("result"))
        .isEqualTo(SagaResult.PaymentCharged.TYPE);
    payments.request(PaymentsApi.REFUND, orderRef(order), null);

    assertThat(balance(user)).isEqualTo(OPENING);
    assertThat(ledger(user))
        .extracting(e -> e.get(0), e -> e.get(1))
        .containsExactly(tuple("OPENING", OPENING), tuple("CHARGE", 0L));
  }

  @Test
  void aMalformedChargeFails400AndRecordsNothing() throws Exception {
    UUID user = UUID.randomUUID();
    String order = UUID.randomUUID().toString();
    JsonObject negative = charge(order, user, -5, "EUR");

    ReplyException failure = payments.failure(PaymentsApi.CHARGE, negative, null);
    ReplyException badCurrency =
        payments.failure(PaymentsApi.CHARGE, charge(order, user, 5, "euro"), null);

    assertThat(failure.failureCode()).isEqualTo(400);
    assertThat(failure.getMessage()).contains("amountMinor must be an integer from 0");
    assertThat(badCurrency.failureCode()).isEqualTo(400);
    assertThat(badCurrency.getMessage()).contains("currency must be an ISO 4217 code");
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?::uuid", user.toString()))
        .isZero();
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid",
                negative.getString("messageId")))
        .isZero();
  }

  @Test
  void theLedgerListsTheCallersEntriesNewestFirstPageByPage() throws Exception {
    UUID user = UUID.randomUUID();
    List<String> orders =
        IntStream.range(0, 4).mapToObj(i -> UUID.randomUUID().toString()).toList();
    for (int i = 0; i < orders.size(); i++) {
      payments.request(
          PaymentsApi.CHARGE, charge(orders.get(i), user, 100L * (i + 1), "EUR"), null);
    }
    payments.request(PaymentsApi.REFUND, orderRef(orders.get(0)), null);
    payments.request(
        PaymentsApi.WALLET, new JsonObject(), customer(UUID.randomUUID())); // someone else's

    JsonObject first =
        payments.request(
            PaymentsApi.TRANSACTIONS, new JsonObject().put("limit", 4), customer(user));
    JsonObject second =
        payments.request(
            PaymentsApi.TRANSACTIONS,
            new JsonObject().put("limit", 4).put("cursor", first.getString("nextCursor")),
            customer(user));
    JsonObject all = payments.request(PaymentsApi.TRANSACTIONS, new JsonObject(), customer(user));

    assertThat(first.getJsonArray("items")).hasSize(4);
    assertThat(first.getString("nextCursor")).matches("[A-Za-z0-9_-]+");
    assertThat(second.getJsonArray("items")).hasSize(2);
    assertThat(second.containsKey("nextCursor")).isFalse();
    List<JsonObject> items = new ArrayList<>();
    first.getJsonArray("items").forEach(o -> items.add((JsonObject) o));
    second.getJsonArray("items").forEach(o -> items.add((JsonObject) o));
    assertThat(items)
        .extracting(
            i -> i.getString("kind"), i -> i.getLong("amountMinor"), i -> i.getString("orderId"))
        .containsExactly(
            tuple("REFUND", 100L, orders.get(0)),
            tuple("CHARGE", -400L, orders.get(3)),
            tuple("CHARGE", -300L, orders.get(2)),
            tuple("CHARGE", -200L, orders.get(1)),
            tuple("CHARGE", -100L, orders.get(0)),
            tuple("OPENING", OPENING, null));
    assertThat(items.get(0).fieldNames())
        .containsExactlyInAnyOrder(
            "id", "kind", "amountMinor", "balanceAfterMinor", "reason", "orderId", "createdAt");
    assertThat(items.get(0).getLong("balanceAfterMinor"))
        .isEqualTo(balance(user))
        .isEqualTo(OPENING - 900);
    assertThat(items.get(0).getString("reason")).isEqualTo("refund of order " + orders.get(0));
    assertThat(items.get(5).fieldNames()).doesNotContain("orderId");
    assertThat(items)
        .extracting(i -> i.getLong("id"))
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(Instant.parse(items.get(0).getString("createdAt")))
        .isBefore(Instant.now().plusSeconds(1));
    assertThat(all.getJsonArray("items")).hasSize(6);
    assertThat(all.containsKey("nextCursor")).isFalse();
  }

  @Test
  void theLedgerNeedsACallerAndAValidPage() {
    UUID user = UUID.randomUUID();

    ReplyException anonymous = payments.failure(PaymentsApi.TRANSACTIONS, new JsonObject(), null);
    ReplyException tooMany =
        payments.failure(
            PaymentsApi.TRANSACTIONS, new JsonObject().put("limit", 101), customer(user));
    ReplyException none =
        payments.failure(
            PaymentsApi.TRANSACTIONS, new JsonObject().put("limit", 0), customer(user));
    ReplyException forged =
        payments.failure(
            PaymentsApi.TRANSACTIONS, new JsonObject().put("cursor", "AAAA"), customer(user));

    assertThat(anonymous.failureCode()).isEqualTo(401);
    assertThat(tooMany.failureCode()).isEqualTo(400);
    assertThat(tooMany.getMessage()).contains("limit must be an integer from 1 to 100");
    assertThat(none.failureCode()).isEqualTo(400);
    assertThat(forged.failureCode()).isEqualTo(400);
    assertThat(forged.getMessage()).contains("cursor is malformed");
    assertThat(
            payments
                .request(PaymentsApi.TRANSACTIONS, new JsonObject(), customer(user))
                .getJsonArray("items"))
        .as("reading the ledger opens no wallet")
        .isEmpty();
  }

  // --- helpers

  private static List<JsonObject> concurrently(
      String address, int n, java.util.function.IntFunction<JsonObject> command) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(30_000);
    List<Future<JsonObject>> sent =
        IntStream.range(0, n)
            .mapToObj(
                i ->
                    payments
                        .vertx()
                        .eventBus()
                        .<JsonObject>request(address, command.apply(i), options)
                        .map(Message::body))
            .toList();
    ServiceHarness.await(Future.all(sent));
    return sent.stream().map(Future::result).toList();
  }

  private static JsonObject charge(String order, UUID user, long amount, String currency) {
    return orderRef(order)
        .put("userId", user.toString())
        .put("amountMinor", amount)
        .put("currency", currency);
  }

  private static JsonObject orderRef(String order) {
    return new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("occurredAt", Instant.now().toString())
        .put("orderId", order);
  }

  private static Identity customer(UUID user) {
    return new Identity(user.toString(), List.of(Identity.CUSTOMER));
  }

  private static Identity admin() {
    return new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));
  }

  private static long balance(UUID user) throws Exception {
    return count("SELECT balance_minor FROM wallets WHERE user_id = ?::uuid", user.toString());
  }

  private static long charges(String order) throws Exception {
    return count(
        "SELECT count(*) FROM wallet_transactions WHERE order_id = ?::uuid AND kind = 'CHARGE'",
        order);
  }

  private static long outboxRows(String order) throws Exception {
    return count("SELECT count(*) FROM outbox WHERE payload->>'orderId' = ?", order);
  }

  /** [kind, amount, balance after, reason, order id or "-"] of a wallet's entries, oldest first. */
  private static List<List<Object>> ledger(UUID user) throws Exception {
    return rows(
        "SELECT kind, amount_minor, balance_after_minor, reason, coalesce(order_id::text, '-') "
            + "FROM wallet_transactions WHERE user_id = ?::uuid ORDER BY id",
        user.toString());
  }

  private static long count(String sql, Object... params) throws Exception {
    List<List<Object>> rows = rows(sql, params);
    assertThat(rows).as("a row for %s", sql).isNotEmpty();
    return ((Number) rows.get(0).get(0)).longValue();
  }

  private static List<List<Object>> rows(String sql, Object... params) throws Exception {
    try (Connection c = payments.sql();
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
