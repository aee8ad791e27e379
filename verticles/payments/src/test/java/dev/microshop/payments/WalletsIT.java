package dev.microshop.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
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
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The wallet addresses against the real payments schema on the embedded PostgreSQL. */
class WalletsIT {
  private static final long OPENING = 2_500;
  private static final Identity ADMIN =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));

  private static ServiceHarness payments;

  /** One ledger row, as stored. */
  record Entry(
      String kind,
      long amountMinor,
      long balanceAfterMinor,
      String reason,
      UUID messageId,
      String actor) {}

  @BeforeAll
  static void start() throws Exception {
    payments =
        ServiceHarness.start(
            "payments",
            PaymentsVerticle::new,
            // Dev mode: the only one in which a wallet opens with money.
            Map.of(
                "MICROSHOP_DEV",
                "true",
                "MICROSHOP_PAYMENTS_WALLET_DEV_OPENING_BALANCE_MINOR",
                String.valueOf(OPENING)));
  }

  @AfterAll
  static void stop() {
    if (payments != null) {
      payments.close();
    }
  }

  @Test
  void theFirstWalletRequestOpensItWithTheDevBalanceAndAnOpeningEntry() throws SQLException {
    UUID user = UUID.randomUUID();
    Instant before = Instant.now().minusSeconds(1);

    JsonObject wallet = payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));

    assertThat(wallet.fieldNames())
        .containsExactlyInAnyOrder("userId", "balanceMinor", "currency", "updatedAt");
    assertThat(wallet.getString("userId")).isEqualTo(user.toString());
    assertThat(wallet.getLong("balanceMinor")).isEqualTo(OPENING);
    assertThat(wallet.getString("currency")).isEqualTo("EUR");
    assertThat(Instant.parse(wallet.getString("updatedAt"))).isAfter(before);
    assertThat(storedBalance(user)).isEqualTo(OPENING);
    assertThat(ledger(user))
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.kind()).isEqualTo("OPENING");
              assertThat(entry.amountMinor()).isEqualTo(OPENING);
              assertThat(entry.balanceAfterMinor()).isEqualTo(OPENING);
              assertThat(entry.actor()).isEqualTo("system");
            });
  }

  @Test
  void aSecondRequestReadsTheSameWalletWithoutAddingAnEntry() throws SQLException {
    UUID user = UUID.randomUUID();
    JsonObject first = payments.request(PaymentsApi.WALLET, null, customer(user));

    JsonObject second = payments.request(PaymentsApi.WALLET, null, customer(user));

    assertThat(second).isEqualTo(first);
    assertThat(ledger(user)).hasSize(1);
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?", user)).isEqualTo(1);
  }

  @Test
  void twentyConcurrentFirstRequestsOpenOneWalletWithOneOpeningEntry() throws SQLException {
    UUID user = UUID.randomUUID();

    List<JsonObject> replies =
        concurrently(20, i -> send(PaymentsApi.WALLET, new JsonObject(), customer(user)));

    assertThat(replies)
        .hasSize(20)
        .allSatisfy(
            wallet -> {
              assertThat(wallet.getString("userId")).isEqualTo(user.toString());
              assertThat(wallet.getLong("balanceMinor")).isEqualTo(OPENING);
            });
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?", user)).isEqualTo(1);
    assertThat(ledger(user)).extracting(Entry::kind).containsExactly("OPENING");
  }

  @Test
  void anAnonymousCallerGets401AndOpensNothing() throws SQLException {
    long walletsBefore = count("SELECT count(*) FROM wallets");

    ReplyException wallet = payments.failure(PaymentsApi.WALLET, new JsonObject(), null);
    ReplyException credit =
        payments.failure(PaymentsApi.CREDIT, credit(UUID.randomUUID(), 100, "gift"), null);

    assertThat(wallet.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(wallet.getMessage()).isEqualTo("authentication required");
    assertThat(credit.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(count("SELECT count(*) FROM wallets")).isEqualTo(walletsBefore);
  }

  @Test
  void aCallerWhoseUserIdIsNotAUuidGets401() {
    Identity odd = new Identity("alice", List.of(Identity.CUSTOMER));

    ReplyException failure = payments.failure(PaymentsApi.WALLET, new JsonObject(), odd);

    assertThat(failure.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(failure.getMessage()).isEqualTo("the caller's user id is not a UUID");
  }

  @Test
  void anAdminCreditOpensTheWalletAddsTheAmountAndWritesALedgerRow() throws SQLException {
    UUID user = UUID.randomUUID();
    JsonObject body = credit(user, 1_234, "  welcome bonus ");

    JsonObject wallet = payments.request(PaymentsApi.CREDIT, body, ADMIN);

    assertThat(wallet.getString("userId")).isEqualTo(user.toString());
    assertThat(wallet.getLong("balanceMinor")).isEqualTo(OPENING + 1_234);
    assertThat(wallet.getString("currency")).isEqualTo("EUR");
    assertThat(storedBalance(user)).isEqualTo(OPENING + 1_234);
    List<Entry> ledger = ledger(user);
    assertThat(ledger).extracting(Entry::kind).containsExactly("OPENING", "CREDIT");
    assertThat(ledger.get(1))
        .isEqualTo(
            new Entry(
                "CREDIT",
                1_234,
                OPENING + 1_234,
                "welcome bonus",
                UUID.fromString(body.getString("messageId")),
                ADMIN.userId()));
  }

  @Test
  void aCreditToAnOpenWalletIsWhatTheOwnerSeesNext() throws SQLException {
    UUID user = UUID.randomUUID();
    payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));

    payments.request(PaymentsApi.CREDIT, credit(user, 500, "refund of a broken mug"), ADMIN);
    payments.request(PaymentsApi.CREDIT, credit(user, 1, "rounding"), ADMIN);

    JsonObject wallet = payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));
    assertThat(wallet.getLong("balanceMinor")).isEqualTo(OPENING + 501);
    assertThat(ledger(user))
        .extracting(Entry::kind, Entry::amountMinor, Entry::balanceAfterMinor)
        .containsExactly(
            tuple("OPENING", OPENING, OPENING),
            tuple("CREDIT", 500L, OPENING + 500),
            tuple("CREDIT", 1L, OPENING + 501));
  }

  @Test
  void theSameMessageIdTwiceCreditsOnceAndRepliesTheCurrentWallet() throws SQLException {
    UUID user = UUID.randomUUID();
    JsonObject body = credit(user, 700, "gift");

    JsonObject first = payments.request(PaymentsApi.CREDIT, body, ADMIN);
    JsonObject again = payments.request(PaymentsApi.CREDIT, body, ADMIN);

    assertThat(first.getLong("balanceMinor")).isEqualTo(OPENING + 700);
    assertThat(again).isEqualTo(first);
    assertThat(storedBalance(user)).isEqualTo(OPENING + 700);
    assertThat(
            count(
                "SELECT count(*) FROM wallet_transactions WHERE message_id = ?",
                UUID.fromString(body.getString("messageId"))))
        .isEqualTo(1);
    assertThat(ledger(user)).extracting(Entry::kind).containsExactly("OPENING", "CREDIT");
  }

  @Test
  void tenConcurrentDeliveriesOfOneCreditApplyItOnce() throws SQLException {
    UUID user = UUID.randomUUID();
    payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));
    JsonObject body = credit(user, 300, "redelivered");

    List<JsonObject> replies = concurrently(10, i -> send(PaymentsApi.CREDIT, body, ADMIN));

    assertThat(replies)
        .allSatisfy(wallet -> assertThat(wallet.getLong("balanceMinor")).isEqualTo(OPENING + 300));
    assertThat(storedBalance(user)).isEqualTo(OPENING + 300);
    assertThat(ledger(user)).extracting(Entry::kind).containsExactly("OPENING", "CREDIT");
  }

  @Test
  void twentyConcurrentCreditsAllCountAndChainTheirBalances() throws SQLException {
    UUID user = UUID.randomUUID();

    concurrently(20, i -> send(PaymentsApi.CREDIT, credit(user, i + 1, "batch " + i), ADMIN));

    long total = OPENING + IntStream.rangeClosed(1, 20).sum();
    assertThat(storedBalance(user)).isEqualTo(total);
    List<Entry> ledger = ledger(user);
    assertThat(ledger).hasSize(21);
    long running = 0;
    for (Entry entry : ledger) {
      running += entry.amountMinor();
      assertThat(entry.balanceAfterMinor()).as("balance after %s", entry).isEqualTo(running);
    }
    assertThat(running).isEqualTo(total);
  }

  @Test
  void reusingAMessageIdForADifferentCreditIsRefusedWith422AndChangesNothing() throws SQLException {
    UUID user = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    JsonObject body = credit(user, 100, "first");
    payments.request(PaymentsApi.CREDIT, body, ADMIN);

    ReplyException otherAmount =
        payments.failure(PaymentsApi.CREDIT, body.copy().put("amountMinor", 999), ADMIN);
    ReplyException otherUser =
        payments.failure(PaymentsApi.CREDIT, body.copy().put("userId", other.toString()), ADMIN);

    assertThat(otherAmount.failureCode()).isEqualTo(ErrorCodes.UNPROCESSABLE);
    assertThat(otherAmount.getMessage())
        .contains("Idempotency-Key was already used for a different credit")
        .doesNotContain(body.getString("messageId"));
    assertThat(otherUser.failureCode()).isEqualTo(ErrorCodes.UNPROCESSABLE);
    assertThat(storedBalance(user)).isEqualTo(OPENING + 100);
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?", other)).isZero();
    assertThat(ledger(other)).isEmpty();
  }

  @Test
  void aCustomerCannotCreditAndNothingIsWritten() throws SQLException {
    UUID user = UUID.randomUUID();

    ReplyException failure =
        payments.failure(PaymentsApi.CREDIT, credit(user, 100, "self-service"), customer(user));

    assertThat(failure.failureCode()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(failure.getMessage()).isEqualTo("the admin role is required");
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?", user)).isZero();
    assertThat(ledger(user)).isEmpty();
  }

  @Test
  void anInvalidCreditGets400NamingTheFieldAndWritesNothing() throws SQLException {
    UUID user = UUID.randomUUID();
    List<Map.Entry<String, JsonObject>> bodies =
        List.of(
            Map.entry("amountMinor", credit(user, 0, "zero")),
            Map.entry("amountMinor", credit(user, -5, "negative")),
            Map.entry("amountMinor", credit(user, 1_000_000_001L, "too large")),
            Map.entry("amountMinor", credit(user, 1, "fraction").put("amountMinor", 12.5)),
            Map.entry("amountMinor", credit(user, 1, "text").put("amountMinor", "100")),
            Map.entry("reason", withoutField(credit(user, 100, "x"), "reason")),
            Map.entry("reason", credit(user, 100, "x".repeat(201))),
            Map.entry("userId", credit(user, 100, "bad user").put("userId", "not-a-uuid")),
            Map.entry("messageId", credit(user, 100, "bad message").put("messageId", "12345")));

    for (Map.Entry<String, JsonObject> bad : bodies) {
      ReplyException failure = payments.failure(PaymentsApi.CREDIT, bad.getValue(), ADMIN);
      assertThat(failure.failureCode())
          .as(bad.getValue().encode())
          .isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(failure.getMessage()).as(bad.getValue().encode()).startsWith(bad.getKey() + " ");
    }
    assertThat(count("SELECT count(*) FROM wallets WHERE user_id = ?", user)).isZero();
    assertThat(ledger(user)).isEmpty();
  }

  @Test
  void outsideDevModeAWalletOpensEmptyWhateverTheDevOpeningBalance() throws Exception {
    UUID user = UUID.randomUUID();
    try (ServiceHarness production =
        ServiceHarness.start(
            "payments",
            PaymentsVerticle::new,
            Map.of(
                "MICROSHOP_DEV", "false",
                "MICROSHOP_PAYMENTS_WALLET_DEV_OPENING_BALANCE_MINOR", "77700"))) {

      JsonObject wallet = production.request(PaymentsApi.WALLET, new JsonObject(), customer(user));

      assertThat(wallet.getLong("balanceMinor")).isZero();
    }
    assertThat(storedBalance(user)).isZero();
    assertThat(ledger(user))
        .extracting(Entry::kind, Entry::amountMinor)
        .containsExactly(tuple("OPENING", 0L));
  }

  @Test
  void theSchemaRefusesEntriesThatBreakTheLedgerInvariants() throws SQLException {
    UUID user = UUID.randomUUID();
    payments.request(PaymentsApi.WALLET, new JsonObject(), customer(user));

    assertThatThrownBy(() -> insertEntry(user, "OPENING", 10, 10, null))
        .hasMessageContaining("one_opening");
    assertThatThrownBy(() -> insertEntry(user, "CHARGE", -10, OPENING - 10, null))
        .hasMessageContaining("wallet_transactions_order");
    assertThatThrownBy(() -> insertEntry(user, "CHARGE", 10, OPENING + 10, UUID.randomUUID()))
        .hasMessageContaining("wallet_transactions_sign");
    assertThatThrownBy(() -> insertEntry(user, "CREDIT", 10, -1, null))
        .hasMessageContaining("balance_after_minor");
    assertThatThrownBy(() -> insertEntry(user, "BONUS", 10, OPENING + 10, null))
        .hasMessageContaining("kind");
    assertThatThrownBy(() -> insertEntry(UUID.randomUUID(), "CREDIT", 10, 10, null))
        .hasMessageContaining("foreign key");
    assertThat(ledger(user)).hasSize(1);
  }

  private static Identity customer(UUID user) {
    return new Identity(user.toString(), List.of(Identity.CUSTOMER));
  }

  private static JsonObject credit(UUID user, long amount, String reason) {
    return new JsonObject()
        .put("messageId", UUID.randomUUID().toString())
        .put("userId", user.toString())
        .put("amountMinor", amount)
        .put("reason", reason);
  }

  private static JsonObject withoutField(JsonObject body, String field) {
    body.remove(field);
    return body;
  }

  private static Future<JsonObject> send(String address, JsonObject body, Identity caller) {
    DeliveryOptions options = caller.addTo(new DeliveryOptions().setSendTimeout(10_000));
    return payments
        .vertx()
        .eventBus()
        .<JsonObject>request(address, body, options)
        .map(Message::body);
  }

  /**
   * Sends {@code n} requests at once (the pool has fewer connections than that) and waits for every
   * reply.
   */
  private static List<JsonObject> concurrently(int n, IntFunction<Future<JsonObject>> call) {
    List<Future<JsonObject>> sent = IntStream.range(0, n).mapToObj(call).toList();
    ServiceHarness.await(Future.all(sent));
    return sent.stream().map(Future::result).toList();
  }

  private static long storedBalance(UUID user) throws SQLException {
    return count("SELECT balance_minor FROM wallets WHERE user_id = ?", user);
  }

  private static long count(String sql, Object... params) throws SQLException {
    try (Connection c = payments.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).as("a row for %s", sql).isTrue();
        return rs.getLong(1);
      }
    }
  }

  private static List<Entry> ledger(UUID user) throws SQLException {
    String sql =
        """
        SELECT kind, amount_minor, balance_after_minor, reason, message_id, actor
        FROM wallet_transactions WHERE user_id = ? ORDER BY id
        """;
    List<Entry> entries = new ArrayList<>();
    try (Connection c = payments.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, user);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          entries.add(
              new Entry(
                  rs.getString(1),
                  rs.getLong(2),
                  rs.getLong(3),
                  rs.getString(4),
                  rs.getObject(5, UUID.class),
                  rs.getString(6)));
        }
      }
    }
    return entries;
  }

  private static void insertEntry(
      UUID user, String kind, long amount, long balanceAfter, UUID order) throws SQLException {
    String sql =
        """
        INSERT INTO wallet_transactions
          (user_id, kind, amount_minor, balance_after_minor, reason, message_id, order_id, actor)
        VALUES (?, ?, ?, ?, 'schema test', gen_random_uuid(), ?, 'test')
        """;
    try (Connection c = payments.sql();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, user);
      s.setString(2, kind);
      s.setLong(3, amount);
      s.setLong(4, balanceAfter);
      s.setObject(5, order);
      s.executeUpdate();
    }
  }
}
