package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.devdb.EmbeddedDatabase;
import dev.microshop.launcher.support.Db;
import dev.microshop.launcher.support.ServiceProcess;
import dev.microshop.launcher.support.TestEnv;
import dev.microshop.platform.config.Settings;
import dev.microshop.platform.db.Database;
import dev.microshop.platform.db.DbSettings;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code verify} on the five service databases built by their real migrations in a private embedded
 * PostgreSQL: a small consistent history passes; each invariant broken on purpose, one at a time,
 * fails naming that invariant and no other.
 */
class VerifyIT {
  private static final List<String> INVARIANTS = invariants();
  private static final UUID USER = UUID.randomUUID();
  private static final UUID KEYBOARD = UUID.randomUUID();
  private static final UUID MOUSE = UUID.randomUUID();
  private static final UUID CONFIRMED = UUID.randomUUID();
  private static final UUID CANCELLED = UUID.randomUUID();
  private static final UUID PENDING = UUID.randomUUID();

  private static Path dataDir;
  private static EmbeddedDatabase database;
  private static Map<String, String> env;
  private static Db db;
  private static final Map<String, Connection> CONNECTIONS = new HashMap<>();
  private String output;

  @BeforeAll
  static void migrate() throws Exception {
    dataDir = Files.createTempDirectory("microshop-verify-it-");
    env = TestEnv.in(dataDir).env();
    database = EmbeddedDatabase.start(dataDir, false, Services.WITH_DATABASE);
    db = Db.of(dataDir, database.port());
    Vertx vertx = Vertx.vertx();
    try {
      for (String service : Services.WITH_DATABASE) {
        DbSettings settings = DbSettings.from(database.configure(Settings.load(service, env)));
        Database.migrate(vertx, service, settings).toCompletionStage().toCompletableFuture().get();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @AfterAll
  static void stop() throws IOException, SQLException {
    for (Connection c : CONNECTIONS.values()) {
      c.close();
    }
    if (database != null) {
      database.close();
    }
    try (Stream<Path> paths = Files.walk(dataDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Two products; a confirmed order (3 keyboards sold, 300 charged), a cancelled one (2 mice
   * released, 200 charged and refunded) and a pending one within its deadline (1 keyboard
   * reserved); a notification per final order; a delivered and a dead-lettered message.
   */
  @BeforeEach
  void consistentHistory() {
    sql(
        Services.INVENTORY,
        "TRUNCATE products, stock_adjustments, stock_requests, reservations," + " outbox, inbox");
    sql(Services.ORDERS, "TRUNCATE orders, order_lines, order_timeline, outbox, inbox");
    sql(
        Services.PAYMENTS,
        "TRUNCATE wallets, wallet_transactions, declined_charges, outbox, inbox");
    sql(Services.NOTIFICATIONS, "TRUNCATE notifications, outbox, inbox");
    sql(Services.USERS, "TRUNCATE outbox, inbox");

    String product =
        "INSERT INTO products (id, sku, name, price_minor, currency, available, initial_available)"
            + " VALUES (?, ?, ?, 100, 'EUR', ?, ?)";
    sql(Services.INVENTORY, product, KEYBOARD, "KB-1", "Keyboard", 6, 10);
    sql(Services.INVENTORY, product, MOUSE, "MS-1", "Mouse", 7, 5);
    sql(
        Services.INVENTORY,
        "INSERT INTO stock_adjustments (id, product_id, delta, reason, actor)"
            + " VALUES (?, ?, 2, 'restock', 'admin')",
        UUID.randomUUID(),
        MOUSE);
    reserve(CONFIRMED, KEYBOARD, 3, "COMMITTED");
    reserve(CANCELLED, MOUSE, 2, "RELEASED");
    reserve(PENDING, KEYBOARD, 1, "RESERVED");

    order(CONFIRMED, "CONFIRMED", 300, "COMMITTED", "CHARGED", "-10 minutes");
    order(CANCELLED, "CANCELLED", 200, "RELEASED", "REFUNDED", "-10 minutes");
    order(PENDING, "PENDING", 100, "RESERVED", "REQUESTED", "0 seconds");

    sql(
        Services.PAYMENTS,
        "INSERT INTO wallets (user_id, balance_minor, currency) VALUES (?, 700, 'EUR')",
        USER);
    money("OPENING", 1000, 1000, null);
    money("CHARGE", -300, 700, CONFIRMED);
    money("CHARGE", -200, 500, CANCELLED);
    money("REFUND", 200, 700, CANCELLED);

    notify(CONFIRMED, "ORDER_CONFIRMED");
    notify(CANCELLED, "ORDER_CANCELLED");

    outbox(Services.ORDERS, "DELIVERED", null, "0 seconds");
    outbox(Services.PAYMENTS, "DEAD", "no handler for payments.test", "-10 minutes");
  }

  @Test
  void aConsistentHistoryHoldsEveryInvariantAsAProcessWithItsFigures() throws IOException {
    Path acknowledged = acknowledged(CONFIRMED, CANCELLED, PENDING);
    try (ServiceProcess verify =
        ServiceProcess.start(env, "verify", "--acknowledged", acknowledged.toString())) {
      assertThat(verify.awaitExit(Duration.ofSeconds(60))).as(verify.output()).isZero();
      output = verify.output();
    }
    assertOutcomes(null);
    assertThat(output)
        .contains(
            "2 products, 0 unbalanced: initial+adjusted 17 = available 13 + reserved 1 + sold 3")
        .contains("500 - 200 = 300 vs 300 (2 settled orders; 1 in flight not counted")
        .contains("2 orders charged, 0 more than once")
        .contains("1 PENDING, 0 past deadline + 30 s")
        .contains("2 settled final orders, 2 notified once with their state, 0 not")
        .contains("1 dead, 0 without last_error")
        .contains("3 acknowledged, 0 not in orders")
        .contains("every invariant holds");
  }

  @Test
  void withoutAnAcknowledgedFileThatRowSaysItWasNotChecked() {
    assertThat(verify()).isZero();
    assertThat(row(VerifyChecks.ACKNOWLEDGED)).contains("-", "not checked: no --acknowledged file");
  }

  @Test
  void anOrderFinalWithinTheGraceIsInFlightAndHeldToItOnlyWithoutGrace() {
    UUID late = UUID.randomUUID();
    order(late, "CANCELLED", 100, "RELEASED", "REFUNDED", "0 seconds");
    money("CHARGE", -100, 600, late);
    assertThat(verify()).isZero();
    assertThat(verify("--grace", "0")).isEqualTo(VerifyCommand.FAILS);
    assertThat(row(VerifyChecks.MONEY)).contains("FAIL", "600 - 200 = 400 vs 300");
    assertThat(row(VerifyChecks.NOTIFIED)).contains("FAIL", "1 not (first: " + late + ")");
  }

  @Test
  void stockLeakingFromAProductFailsStockConservedAsAProcess() {
    sql(Services.INVENTORY, "UPDATE products SET available = available - 1 WHERE id = ?", KEYBOARD);
    try (ServiceProcess verify = ServiceProcess.start(env, "verify")) {
      assertThat(verify.awaitExit(Duration.ofSeconds(60))).as(verify.output()).isEqualTo(1);
      output = verify.output();
    }
    assertOutcomes(VerifyChecks.STOCK);
    assertThat(row(VerifyChecks.STOCK)).contains("1 unbalanced (first: " + KEYBOARD + ")");
    assertThat(output).contains("1 invariant FAIL");
  }

  @Test
  void aRefundThatWasNeverMadeFailsTheMoneyBalance() {
    sql(Services.PAYMENTS, "DELETE FROM wallet_transactions WHERE kind = 'REFUND'");
    assertFailsOnly(VerifyChecks.MONEY);
    assertThat(row(VerifyChecks.MONEY)).contains("500 - 0 = 500 vs 300");
  }

  @Test
  void aSecondChargeOfAnOrderFailsAtMostOneCharge() {
    // The schema forbids it; an older schema, or a hand-made fix, might not.
    sql(Services.PAYMENTS, "DROP INDEX wallet_transactions_one_charge");
    money("CHARGE", 0, 700, CONFIRMED);
    try {
      assertFailsOnly(VerifyChecks.ONE_CHARGE);
      assertThat(row(VerifyChecks.ONE_CHARGE))
          .contains("2 orders charged, 1 more than once (first: " + CONFIRMED + ")");
    } finally {
      sql(Services.PAYMENTS, "DELETE FROM wallet_transactions WHERE amount_minor = 0");
      sql(
          Services.PAYMENTS,
          "CREATE UNIQUE INDEX wallet_transactions_one_charge ON wallet_transactions (order_id)"
              + " WHERE kind = 'CHARGE'");
    }
  }

  @Test
  void anOrderPendingPastItsDeadlineFailsTheDeadlineCheck() {
    UUID stuck = UUID.randomUUID();
    order(stuck, "PENDING", 100, "REQUESTED", "NONE", "0 seconds");
    sql(
        Services.ORDERS,
        "UPDATE orders SET deadline_at = now() - interval '10 minutes' WHERE id = ?",
        stuck);
    assertFailsOnly(VerifyChecks.DEADLINE);
    assertThat(row(VerifyChecks.DEADLINE))
        .contains("2 PENDING, 1 past deadline + 30 s", stuck.toString());
  }

  @Test
  void aFinalOrderNobodyWasToldOfFailsOneNotificationPerFinalOrder() {
    sql(
        Services.NOTIFICATIONS,
        "DELETE FROM notifications WHERE body->>'orderId' = ?",
        CANCELLED.toString());
    assertFailsOnly(VerifyChecks.NOTIFIED);
    assertThat(row(VerifyChecks.NOTIFIED)).contains("1 not (first: " + CANCELLED + ")");
  }

  @Test
  void aNotificationOfTheWrongStateFailsOneNotificationPerFinalOrder() {
    notify(CONFIRMED, "ORDER_CANCELLED");
    assertFailsOnly(VerifyChecks.NOTIFIED);
  }

  @Test
  void aMessageStuckInAnOutboxFailsThatServicesOutboxRow() {
    outbox(Services.ORDERS, "PENDING", null, "-10 minutes");
    assertFailsOnly(VerifyChecks.OUTBOX + Services.ORDERS);
    assertThat(row(VerifyChecks.OUTBOX + Services.ORDERS)).contains("1 pending, 1 for over 30 s");
  }

  @Test
  void whileItSettlesAMessageDeliveredLateHoldsAndOneThatStaysStuckFailsAtTheEnd()
      throws Exception {
    outbox(Services.ORDERS, "PENDING", null, "-10 minutes");
    // What a restarted service's relay does a moment after a chaos run: delivers what waited.
    Thread relay =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
              } catch (InterruptedException e) {
                return;
              }
              sql(
                  Services.ORDERS,
                  "UPDATE outbox SET status = 'DELIVERED', delivered_at = now()"
                      + " WHERE status = 'PENDING'");
            });
    relay.start();
    assertThat(verify("--settle", "20")).as(output).isZero();
    relay.join();
    assertThat(output)
        .containsPattern("settled for [1-9] s of at most 20")
        .contains("every invariant holds");

    outbox(Services.ORDERS, "PENDING", null, "-10 minutes");
    long started = System.nanoTime();
    assertThat(verify("--settle", "2")).as(output).isEqualTo(VerifyCommand.FAILS);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(2));
    assertThat(output).containsPattern("settled for [23] s of at most 2");
    assertOutcomes(VerifyChecks.OUTBOX + Services.ORDERS);
  }

  @Test
  void aDeadLetterWithoutAReasonFailsThatServicesOutboxRow() {
    outbox(Services.USERS, "DEAD", null, "-10 minutes");
    assertFailsOnly(VerifyChecks.OUTBOX + Services.USERS);
    assertThat(row(VerifyChecks.OUTBOX + Services.USERS)).contains("1 dead, 1 without last_error");
  }

  @Test
  void anAcknowledgedOrderMissingFromOrdersFailsThatCheck() throws IOException {
    UUID lost = UUID.randomUUID();
    Path acknowledged = acknowledged(CONFIRMED, CANCELLED, PENDING, lost);
    assertThat(verify("--acknowledged", acknowledged.toString())).isEqualTo(VerifyCommand.FAILS);
    assertOutcomes(VerifyChecks.ACKNOWLEDGED);
    assertThat(row(VerifyChecks.ACKNOWLEDGED))
        .contains("4 acknowledged, 1 not in orders (first: " + lost + ")");
  }

  @Test
  void aDatabaseWithoutItsTableIsAnErrorNamingTheServiceNotAFailedInvariant() {
    sql(Services.NOTIFICATIONS, "ALTER TABLE notifications RENAME TO notifications_away");
    try {
      assertThat(verify()).isEqualTo(Main.USAGE);
      assertThat(output.lines().toList()).hasSize(1);
      assertThat(output)
          .startsWith("microshop: verify: cannot read the notifications database: ")
          .contains("notifications");
    } finally {
      sql(Services.NOTIFICATIONS, "ALTER TABLE notifications_away RENAME TO notifications");
    }
  }

  private void assertFailsOnly(String invariant) {
    assertThat(verify()).as(output).isEqualTo(VerifyCommand.FAILS);
    assertOutcomes(invariant);
  }

  /** Every row says ok, but {@code failing} (if any) says FAIL; the acknowledged row may be "-". */
  private void assertOutcomes(String failing) {
    for (String invariant : INVARIANTS) {
      String row = row(invariant);
      String outcome = row.substring(row.indexOf(invariant) + invariant.length()).trim();
      if (invariant.equals(failing)) {
        assertThat(outcome).as(output).startsWith("FAIL ");
      } else if (invariant.equals(VerifyChecks.ACKNOWLEDGED)) {
        assertThat(outcome).as(output).matches("(ok|-) .*");
      } else {
        assertThat(outcome).as(output).startsWith("ok ");
      }
    }
  }

  private String row(String invariant) {
    return output
        .lines()
        .filter(line -> line.startsWith(invariant + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row " + invariant + " in\n" + output));
  }

  private int verify(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        VerifyCommand.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    return code;
  }

  private static List<String> invariants() {
    List<String> names =
        new ArrayList<>(
            List.of(
                VerifyChecks.STOCK,
                VerifyChecks.MONEY,
                VerifyChecks.ONE_CHARGE,
                VerifyChecks.DEADLINE,
                VerifyChecks.NOTIFIED));
    Services.WITH_DATABASE.forEach(service -> names.add(VerifyChecks.OUTBOX + service));
    names.add(VerifyChecks.ACKNOWLEDGED);
    return names;
  }

  private static Path acknowledged(UUID... ids) throws IOException {
    Path file = dataDir.resolve("acknowledged-" + UUID.randomUUID() + ".txt");
    StringBuilder text = new StringBuilder();
    for (UUID id : ids) {
      text.append(id).append('\n');
    }
    return Files.writeString(file, text);
  }

  private static void reserve(UUID order, UUID product, int quantity, String status) {
    sql(
        Services.INVENTORY,
        "INSERT INTO stock_requests (order_id) VALUES (?) ON CONFLICT DO NOTHING",
        order);
    sql(
        Services.INVENTORY,
        "INSERT INTO reservations (order_id, product_id, quantity, status, price_minor, currency, name)"
            + " VALUES (?, ?, ?, ?, 100, 'EUR', 'x')",
        order,
        product,
        quantity,
        status);
  }

  private static void order(
      UUID id, String status, long total, String stock, String payment, String age) {
    sql(
        Services.ORDERS,
        "INSERT INTO orders (id, user_id, status, total_minor, currency, stock_state,"
            + " payment_state, updated_at)"
            + " VALUES (?, ?, ?, ?, 'EUR', ?, ?, now() + ?::interval)",
        id,
        USER,
        status,
        total,
        stock,
        payment,
        age);
  }

  private static void money(String kind, long amount, long after, UUID order) {
    sql(
        Services.PAYMENTS,
        "INSERT INTO wallet_transactions (user_id, kind, amount_minor, balance_after_minor, reason,"
            + " message_id, order_id, actor) VALUES (?, ?, ?, ?, 'test', ?, ?, 'system')",
        USER,
        kind,
        amount,
        after,
        UUID.randomUUID(),
        order);
  }

  private static void notify(UUID order, String kind) {
    sql(
        Services.NOTIFICATIONS,
        "INSERT INTO notifications (id, user_id, event_id, kind, body, title)"
            + " VALUES (?, ?, ?, ?, jsonb_build_object('orderId', ?::text), 'Order')",
        UUID.randomUUID(),
        USER,
        UUID.randomUUID(),
        kind,
        order.toString());
  }

  private static void outbox(String service, String status, String error, String age) {
    sql(
        service,
        "INSERT INTO outbox (id, destination, payload, status, last_error, created_at)"
            + " VALUES (?, 'test.thing.happened', '{}'::jsonb, ?, ?, now() + ?::interval)",
        UUID.randomUUID(),
        status,
        error,
        age);
  }

  /** On one connection per service for the whole class: a new login per statement cost seconds. */
  private static void sql(String service, String statement, Object... params) {
    try {
      Connection c = CONNECTIONS.get(service);
      if (c == null) {
        c = db.connect(service, service);
        CONNECTIONS.put(service, c);
      }
      try (PreparedStatement s = c.prepareStatement(statement)) {
        for (int i = 0; i < params.length; i++) {
          s.setObject(i + 1, params[i]);
        }
        s.execute();
      }
    } catch (SQLException e) {
      throw new AssertionError(service + ": " + statement + ": " + e.getMessage(), e);
    }
  }
}
