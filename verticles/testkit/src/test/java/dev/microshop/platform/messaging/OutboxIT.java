package dev.microshop.platform.messaging;

import static dev.microshop.testkit.ServiceHarness.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.contracts.OutboxApi;
import dev.microshop.contracts.RelayBatch;
import dev.microshop.contracts.Services;
import dev.microshop.platform.observability.Metrics;
import dev.microshop.platform.testing.ProbeService;
import dev.microshop.testkit.ServiceHarness;
import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reliable messaging on the real outbox and inbox tables in the embedded PostgreSQL: a stand-in
 * service ({@link ProbeService}, running as orders) writes outbox rows, its relay delivers them
 * over a local event bus to receivers the test registers, and the test reads the rows back.
 */
class OutboxIT {
  private static final Identity ADMIN =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.ADMIN));
  private static final Identity CUSTOMER =
      new Identity(UUID.randomUUID().toString(), List.of(Identity.CUSTOMER));

  /** A fast relay for tests: poll every 100 ms, three attempts, backoff from 50 ms. */
  private static final Map<String, String> ENV =
      Map.of(
          "MICROSHOP_OUTBOX_POLL_MS", "100",
          "MICROSHOP_OUTBOX_MAX_ATTEMPTS", "3",
          "MICROSHOP_OUTBOX_BASE_BACKOFF_MS", "50");

  /**
   * How late a retry may run beyond its backoff: the failure reply, the RETRY update, the next
   * claim.
   */
  private static final long SLACK_MS = 150;

  private static Instance orders;
  private static Connection db;

  private final List<Sink> sinks = new ArrayList<>();

  /** One running instance of the stand-in service. */
  record Instance(ServiceHarness harness, ProbeService probe) implements AutoCloseable {
    static Instance start() throws Exception {
      AtomicReference<ProbeService> probe = new AtomicReference<>();
      ServiceHarness harness =
          ServiceHarness.start(
              Services.ORDERS,
              platform -> {
                probe.set(new ProbeService(platform));
                return probe.get();
              },
              ENV);
      return new Instance(harness, probe.get());
    }

    Vertx vertx() {
      return harness.vertx();
    }

    @Override
    public void close() {
      harness.close();
    }
  }

  /** An outbox row, as stored. */
  record OutboxRow(
      String destination,
      JsonObject payload,
      String status,
      int attempts,
      Instant nextAttemptAt,
      String lastError,
      Instant createdAt,
      Instant deliveredAt) {}

  /** One message a {@link Sink} received, on which instance's bus, when, in which trace. */
  record Delivery(String node, JsonObject body, long atMillis, String traceId) {
    String messageId() {
      return body.getString("messageId");
    }
  }

  @BeforeAll
  static void start() throws Exception {
    orders = Instance.start();
    db = orders.harness().sql();
    try (Statement create = db.createStatement()) {
      create.execute(
          """
          CREATE TABLE IF NOT EXISTS probe_effects (
            id bigserial PRIMARY KEY, message_id uuid NOT NULL, note text, recorded_at timestamptz DEFAULT now())""");
    }
  }

  @AfterAll
  static void stop() throws SQLException {
    if (db != null) {
      db.close();
    }
    if (orders != null) {
      orders.close();
    }
  }

  @AfterEach
  void closeSinks() {
    sinks.forEach(Sink::close);
  }

  @Test
  void aRowIsDeliveredAsSoonAsItsTransactionKicksTheRelayNotOnTheNextPoll() throws Exception {
    Sink sink = sink().on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("pollMs", 60_000)));
    try {
      long before = System.currentTimeMillis();
      UUID id = enqueue(sink.address, 1).get(0);

      Delivery delivery = sink.delivery(1, Duration.ofSeconds(1));
      OutboxRow row = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));

      assertThat(delivery.messageId()).isEqualTo(id.toString());
      assertThat(delivery.body()).isEqualTo(row.payload());
      assertThat(delivery.atMillis() - before).isLessThan(1000);
      assertThat(row.destination()).isEqualTo(sink.address);
      assertThat(row.attempts()).isEqualTo(1);
      assertThat(row.lastError()).isNull();
      assertThat(row.deliveredAt())
          .isAfterOrEqualTo(row.createdAt())
          .isBefore(Instant.now().plusSeconds(1));
      Thread.sleep(200);
      assertThat(sink.count()).isEqualTo(1);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void aMessageWrittenByAReliableConsumerLeavesAtItsCommitWithNoClaimAndNoPoll() throws Exception {
    Sink followUps = sink().on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("pollMs", 60_000)));
    try {
      UUID id = UUID.randomUUID();
      long before = System.currentTimeMillis();

      orders
          .harness()
          .request(
              ProbeService.EFFECT, message(id, "hop").put("followUp", followUps.address), null);

      Delivery delivery = followUps.delivery(1, Duration.ofSeconds(1));
      assertThat(delivery.body().getString("causedBy")).isEqualTo(id.toString());
      assertThat(delivery.atMillis() - before).isLessThan(1000);
      UUID followUp = UUID.fromString(delivery.messageId());
      OutboxRow row = eventually(() -> row(followUp), r -> r.status().equals("DELIVERED"));
      // Born leased with its one attempt: no relay claimed it, and none will.
      assertThat(row.attempts()).isEqualTo(1);
      assertThat(row.nextAttemptAt()).isAfter(row.createdAt());
      Thread.sleep(300);
      assertThat(followUps.count()).isEqualTo(1);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void messagesSentAtCommitThatFillTheRelayDoNotHoldUpWhatOnlyAClaimFinds() throws Exception {
    Sink slow = sink().replyingAfter(1500).on("first", orders.vertx());
    Sink other = sink().on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("batchSize", 1).put("maxInFlight", 2)));
    try {
      // Six follow-ups at commit to a receiver that takes 1.5 s each: two in flight, four waiting
      // in memory.
      for (int i = 0; i < 6; i++) {
        orders
            .harness()
            .request(
                ProbeService.EFFECT,
                message(UUID.randomUUID(), "busy " + i).put("followUp", slow.address),
                null);
      }
      UUID orphan = UUID.randomUUID();
      long before = System.currentTimeMillis();
      insertRow(
          orphan, other.address, message(orphan, "only a claim finds me"), "PENDING", "0", "0");

      assertThat(other.delivery(1, Duration.ofSeconds(3)).messageId()).isEqualTo(orphan.toString());
      assertThat(System.currentTimeMillis() - before)
          .as("not after the 4.5 s the queue takes")
          .isLessThan(3000);
      assertThat(slow.delivery(6, Duration.ofSeconds(15))).isNotNull();
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void anAnswerInTheReplyIsAppliedInATransactionBeforeTheRowIsDeliveredAndItsMessagesLeaveAtCommit()
      throws Exception {
    Sink followUps = sink().on("first", orders.vertx());
    Sink answering =
        sink()
            .answering(
                body ->
                    new JsonObject()
                        .put("answerTo", body.getString("messageId"))
                        .put("note", "answered"))
            .on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("pollMs", 60_000)));
    await(
        orders
            .probe()
            .onAnswer(
                answering.address,
                (tx, answer) ->
                    tx.preparedQuery("INSERT INTO probe_effects (message_id, note) VALUES ($1, $2)")
                        .execute(
                            io.vertx.sqlclient.Tuple.of(
                                UUID.fromString(answer.getString("answerTo")),
                                answer.getString("note")))
                        .compose(
                            v ->
                                Outbox.add(
                                    tx,
                                    followUps.address,
                                    new JsonObject()
                                        .put("messageId", UUID.randomUUID().toString())
                                        .put("causedBy", answer.getString("answerTo"))))));
    try {
      UUID id = enqueue(answering.address, 1).get(0);

      OutboxRow row = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));
      assertThat(row.attempts()).isEqualTo(1);
      assertThat(effects(id)).containsExactly("answered");
      Delivery followUp =
          followUps.delivery(1, Duration.ofSeconds(1)); // sent at commit: no poll in 60 s
      assertThat(followUp.body().getString("causedBy")).isEqualTo(id.toString());
      assertThat(answering.count()).isEqualTo(1);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void anAnswerWhoseTransactionFailsIsAskedForAgainAndAppliedOnce() throws Exception {
    Sink answering =
        sink()
            .answering(body -> new JsonObject().put("answerTo", body.getString("messageId")))
            .on("first", orders.vertx());
    AtomicInteger applied = new AtomicInteger();
    await(
        orders
            .probe()
            .onAnswer(
                answering.address,
                (tx, answer) ->
                    tx.preparedQuery("INSERT INTO probe_effects (message_id, note) VALUES ($1, $2)")
                        .execute(
                            io.vertx.sqlclient.Tuple.of(
                                UUID.fromString(answer.getString("answerTo")), "applied"))
                        // The first transaction fails after its insert: rolled back, so the
                        // delivery failed and is retried.
                        .compose(
                            v ->
                                applied.incrementAndGet() == 1
                                    ? Future.failedFuture("the first answer cannot be applied")
                                    : Future.succeededFuture())));
    UUID id = enqueue(answering.address, 1).get(0);

    OutboxRow row = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));

    assertThat(row.attempts()).isEqualTo(2);
    assertThat(answering.count()).as("asked twice").isEqualTo(2);
    assertThat(applied.get()).isEqualTo(2);
    assertThat(effects(id)).as("the failed transaction left nothing").containsExactly("applied");
  }

  @Test
  void anAnsweredCommandRepliedToWithoutAnAnswerIsNotDeliveredButSentAgain() throws Exception {
    Sink silent = sink().answering(body -> new JsonObject()).on("first", orders.vertx());
    AtomicInteger applied = new AtomicInteger();
    await(
        orders
            .probe()
            .onAnswer(
                silent.address,
                (tx, answer) -> {
                  applied.incrementAndGet();
                  return Future.succeededFuture();
                }));
    UUID id = enqueue(silent.address, 1).get(0);
    try {
      OutboxRow row = eventually(() -> row(id), r -> r.attempts() >= 2);

      assertThat(row.status()).isNotEqualTo("DELIVERED");
      // The attempt is counted when the row is claimed, a moment before the request arrives.
      assertThat(eventually(silent::count, count -> count >= 2))
          .as("asked again")
          .isGreaterThanOrEqualTo(2);
      assertThat(applied.get()).as("nothing to apply").isZero();
      assertThat(row.lastError()).contains("carries no answer");
    } finally {
      execute("DELETE FROM outbox WHERE id = ?", id); // it would be retried for as long as it runs
    }
  }

  @Test
  void anAnsweredCommandWhoseOutcomeIsUnknownIsRetriedPastMaxAttemptsUntilItIsAnswered()
      throws Exception {
    Sink unavailable =
        sink()
            .failing(503, "down")
            .answering(body -> new JsonObject().put("answerTo", body.getString("messageId")))
            .on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("maxBackoffMs", 100)));
    try {
      await(
          orders
              .probe()
              .onAnswer(
                  unavailable.address,
                  (tx, answer) ->
                      tx.preparedQuery(
                              "INSERT INTO probe_effects (message_id, note) VALUES ($1, 'answered')")
                          .execute(
                              io.vertx.sqlclient.Tuple.of(
                                  UUID.fromString(answer.getString("answerTo"))))));
      UUID id = enqueue(unavailable.address, 1).get(0);

      unavailable.delivery(
          5, Duration.ofSeconds(10)); // maxAttempts is 3: a plain message would be dead by now
      assertThat(row(id).status()).isEqualTo("PENDING");
      unavailable.recover();
      OutboxRow row = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));

      assertThat(row.attempts()).isGreaterThan(5);
      assertThat(effects(id)).containsExactly("answered");
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void anAnsweredCommandThatTheReceiverRefusesBecomesADeadLetter() throws Exception {
    Sink refusing = sink().failing(400, "malformed").on("first", orders.vertx());
    await(orders.probe().replaceRelay(new JsonObject().put("maxBackoffMs", 100)));
    try {
      await(orders.probe().onAnswer(refusing.address, (tx, answer) -> Future.succeededFuture()));
      UUID id = enqueue(refusing.address, 1).get(0);

      OutboxRow row = eventually(() -> row(id), r -> r.status().equals("DEAD"));

      assertThat(row.attempts()).isEqualTo(3);
      assertThat(row.lastError()).contains("400").contains("malformed");
      assertThat(refusing.count()).isEqualTo(3);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void aLeasedRowWhoseWriterDiedBeforeSendingIsDeliveredOnceTheLeaseRunsOut() throws Exception {
    Sink sink = sink().on("first", orders.vertx());
    UUID id = UUID.randomUUID();

    // As a writer leaves its rows when it dies between its commit and its send: leased for a little
    // while.
    insertRow(id, sink.address, message(id, "orphaned"), "PENDING", "0", "1.5 seconds");

    Thread.sleep(1000);
    assertThat(sink.count()).as("nobody touches a leased row").isZero();
    assertThat(sink.delivery(1, Duration.ofSeconds(3)).messageId()).isEqualTo(id.toString());
    assertThat(eventually(() -> row(id), r -> r.status().equals("DELIVERED")).attempts())
        .isEqualTo(1);
  }

  @Test
  void deliveredRowsAndOldInboxEntriesArePurgedAfterTheirRetentionAndNothingElseIs()
      throws Exception {
    UUID old = UUID.randomUUID();
    UUID recent = UUID.randomUUID();
    UUID dead = UUID.randomUUID();
    String sql =
        """
        INSERT INTO outbox (id, destination, payload, status, created_at, delivered_at)
        VALUES (?, 'test.purge', '{}'::jsonb, ?, now() - ?::interval, now() - ?::interval)""";
    execute(sql, old, "DELIVERED", "2 hours", "2 hours");
    execute(sql, recent, "DELIVERED", "5 seconds", "5 seconds");
    execute(sql, dead, "DEAD", "2 hours", "2 hours");
    String inbox =
        "INSERT INTO inbox (message_id, consumer, processed_at) VALUES (?, 'test.purge', now() - ?::interval)";
    execute(inbox, old, "3 hours");
    execute(inbox, recent, "5 seconds");

    // Inbox retention 7200 s: above the default retries (100 attempts x 30 s backoff = 3000 s).
    await(
        orders
            .probe()
            .replaceRelay(
                new JsonObject()
                    .put("purgeMs", 100)
                    .put("retentionSeconds", 60)
                    .put("inboxRetentionSeconds", 7200)));
    try {
      long deadline = System.currentTimeMillis() + 5000;
      while (count("SELECT count(*) FROM outbox WHERE id = ?", old)
                  + count("SELECT count(*) FROM inbox WHERE message_id = ?", old)
              > 0
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(count("SELECT count(*) FROM outbox WHERE id = ?", old)).isZero();
      assertThat(count("SELECT count(*) FROM outbox WHERE id = ?", recent)).isEqualTo(1);
      assertThat(count("SELECT count(*) FROM outbox WHERE id = ? AND status = 'DEAD'", dead))
          .isEqualTo(1);
      assertThat(count("SELECT count(*) FROM inbox WHERE message_id = ?", old)).isZero();
      assertThat(count("SELECT count(*) FROM inbox WHERE message_id = ?", recent)).isEqualTo(1);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
      execute("DELETE FROM outbox WHERE id = ANY(?)", List.of(recent, dead));
      execute("DELETE FROM inbox WHERE message_id = ?", recent);
    }
  }

  @Test
  void aRowWrittenWithoutAKickIsPickedUpByThePoll() throws Exception {
    Sink sink = sink().on("first", orders.vertx());
    UUID id = UUID.randomUUID();
    long before = System.currentTimeMillis();

    insertRow(id, sink.address, message(id, "written by another instance"), "PENDING", "0", "0");

    assertThat(sink.delivery(1, Duration.ofSeconds(1)).messageId()).isEqualTo(id.toString());
    assertThat(System.currentTimeMillis() - before).isLessThan(1000);
    assertThat(eventually(() -> row(id), r -> r.status().equals("DELIVERED")).attempts())
        .isEqualTo(1);
  }

  /**
   * A row keeps the traceparent of the span that wrote it, and whichever relay delivers it, even a
   * claim on another instance long after, sends it in that trace: the receiver's span has its id.
   */
  @Test
  void aMessageIsDeliveredInTheTraceOfTheSpanThatWroteItEvenByAClaim() throws Exception {
    Sink sink = sink().on("first", orders.vertx());
    UUID id = UUID.randomUUID();
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    execute(
        """
        INSERT INTO outbox (id, destination, payload, trace_parent) VALUES (?, ?, ?::jsonb, ?)""",
        id,
        sink.address,
        message(id, "traced").encode(),
        "00-" + traceId + "-00f067aa0ba902b7-01");

    assertThat(sink.delivery(1, Duration.ofSeconds(2)).traceId()).isEqualTo(traceId);
  }

  @Test
  void aFailingReceiverIsRetriedWithGrowingBackoffThenTheRowIsADeadLetter() throws Exception {
    Sink sink =
        sink().failing(ErrorCodes.UNAVAILABLE, "receiver unavailable").on("first", orders.vertx());
    long base = 400;
    await(orders.probe().replaceRelay(new JsonObject().put("baseBackoffMs", base)));
    try {
      UUID id = enqueue(sink.address, 1).get(0);

      Delivery first = sink.delivery(1, Duration.ofSeconds(5));
      OutboxRow afterFirst = eventually(() -> row(id), r -> errorOf(r).endsWith("(attempt 1)"));
      Delivery second = sink.delivery(2, Duration.ofSeconds(5));
      OutboxRow afterSecond = eventually(() -> row(id), r -> errorOf(r).endsWith("(attempt 2)"));
      sink.delivery(3, Duration.ofSeconds(5));
      OutboxRow dead = eventually(() -> row(id), r -> r.status().equals("DEAD"));

      assertThat(afterFirst.status()).isEqualTo("PENDING");
      assertThat(afterFirst.attempts()).isEqualTo(1);
      assertThat(afterFirst.lastError())
          .isEqualTo("RECIPIENT_FAILURE 503: receiver unavailable (attempt 1)");
      // Backoff with jitter: the n-th retry waits between half and all of base * 2^(n-1).
      long firstBackoff = millisBetween(first.atMillis(), afterFirst.nextAttemptAt());
      long secondBackoff = millisBetween(second.atMillis(), afterSecond.nextAttemptAt());
      assertThat(firstBackoff).isBetween(base / 2 - 1, base + SLACK_MS);
      assertThat(afterSecond.attempts()).isEqualTo(2);
      assertThat(secondBackoff).isBetween(base - 1, 2 * base + SLACK_MS);
      assertThat(afterSecond.nextAttemptAt()).isAfter(afterFirst.nextAttemptAt());
      assertThat(second.atMillis() - first.atMillis()).isGreaterThanOrEqualTo(base / 2 - 1);
      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.lastError())
          .isEqualTo("RECIPIENT_FAILURE 503: receiver unavailable (attempt 3)");
      assertThat(dead.deliveredAt()).isNull();
      Thread.sleep(300);
      assertThat(sink.count()).isEqualTo(3);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void deadLettersAreListedForAdminsOnlyAndARedriveReachesTheRecoveredReceiver() throws Exception {
    Sink sink =
        sink().failing(ErrorCodes.UNAVAILABLE, "receiver unavailable").on("first", orders.vertx());
    UUID id = enqueue(sink.address, 1).get(0);
    OutboxRow dead = eventually(() -> row(id), r -> r.status().equals("DEAD"));

    JsonObject listed = deadLetter(id);
    ReplyException customerList =
        orders.harness().failure(OutboxApi.deadLetters("orders"), null, CUSTOMER);
    ReplyException anonymousList =
        orders.harness().failure(OutboxApi.deadLetters("orders"), null, null);
    ReplyException customerRedrive =
        orders.harness().failure(OutboxApi.redrive("orders"), idBody(id), CUSTOMER);
    ReplyException anonymousRedrive =
        orders.harness().failure(OutboxApi.redrive("orders"), idBody(id), null);

    assertThat(listed).isNotNull();
    assertThat(listed.fieldNames())
        .containsExactlyInAnyOrder(
            "id", "destination", "payload", "attempts", "lastError", "createdAt");
    assertThat(listed.getString("destination")).isEqualTo(sink.address);
    assertThat(listed.getJsonObject("payload")).isEqualTo(dead.payload());
    assertThat(listed.getInteger("attempts")).isEqualTo(3);
    assertThat(listed.getString("lastError"))
        .isEqualTo("RECIPIENT_FAILURE 503: receiver unavailable (attempt 3)");
    assertThat(Instant.parse(listed.getString("createdAt"))).isEqualTo(dead.createdAt());
    assertThat(customerList.failureCode()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(anonymousList.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(customerRedrive.failureCode()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(anonymousRedrive.failureCode()).isEqualTo(ErrorCodes.UNAUTHENTICATED);
    assertThat(row(id).status()).isEqualTo("DEAD");

    sink.recover();
    JsonObject redriven = orders.harness().request(OutboxApi.redrive("orders"), idBody(id), ADMIN);

    assertThat(redriven).isEqualTo(new JsonObject().put("redriven", true));
    assertThat(sink.delivery(4, Duration.ofSeconds(1)).messageId()).isEqualTo(id.toString());
    OutboxRow delivered = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));
    assertThat(delivered.attempts()).isEqualTo(1);
    assertThat(delivered.lastError()).isNull();
    assertThat(delivered.deliveredAt()).isNotNull();
    assertThat(deadLetter(id)).isNull();
  }

  @Test
  void redrivingWhatIsNotADeadLetterIs404AndAMalformedIdIs400() throws Exception {
    Sink sink = sink().on("first", orders.vertx());
    UUID delivered = enqueue(sink.address, 1).get(0);
    eventually(() -> row(delivered), r -> r.status().equals("DELIVERED"));
    UUID unknown = UUID.randomUUID();

    ReplyException notDead =
        orders.harness().failure(OutboxApi.redrive("orders"), idBody(delivered), ADMIN);
    ReplyException missing =
        orders.harness().failure(OutboxApi.redrive("orders"), idBody(unknown), ADMIN);
    ReplyException malformed =
        orders
            .harness()
            .failure(OutboxApi.redrive("orders"), new JsonObject().put("id", "not-a-uuid"), ADMIN);
    ReplyException absent =
        orders.harness().failure(OutboxApi.redrive("orders"), new JsonObject(), ADMIN);
    ReplyException numeric =
        orders
            .harness()
            .failure(OutboxApi.redrive("orders"), new JsonObject().put("id", 42), ADMIN);

    assertThat(notDead.failureCode()).isEqualTo(ErrorCodes.NOT_FOUND);
    assertThat(notDead.getMessage()).isEqualTo("no dead letter " + delivered);
    assertThat(missing.failureCode()).isEqualTo(ErrorCodes.NOT_FOUND);
    assertThat(List.of(malformed, absent, numeric))
        .allSatisfy(
            failure -> {
              assertThat(failure.failureCode()).isEqualTo(ErrorCodes.INVALID_REQUEST);
              assertThat(failure.getMessage()).isEqualTo("id must be the UUID of a dead letter");
            });
    assertThat(row(delivered).status()).isEqualTo("DELIVERED");
    assertThat(row(delivered).attempts()).isEqualTo(1);
    assertThat(sink.count()).isEqualTo(1);
  }

  @Test
  void aMessageForAnAddressNobodyListensOnIsRetriedUntilAReceiverAppears() throws Exception {
    String address = "test.sink." + UUID.randomUUID();
    await(
        orders
            .probe()
            .replaceRelay(
                new JsonObject()
                    .put("maxAttempts", 50)
                    .put("baseBackoffMs", 50)
                    .put("maxBackoffMs", 100)));
    try {
      UUID id = enqueue(address, 1).get(0);
      OutboxRow waiting = eventually(() -> row(id), r -> r.attempts() >= 3);

      Sink sink = sink(address).on("first", orders.vertx());
      OutboxRow delivered = eventually(() -> row(id), r -> r.status().equals("DELIVERED"));

      assertThat(waiting.status()).isEqualTo("PENDING");
      assertThat(waiting.lastError()).startsWith("NO_HANDLERS");
      assertThat(sink.delivery(1, Duration.ofSeconds(1)).messageId()).isEqualTo(id.toString());
      assertThat(delivered.attempts()).isGreaterThanOrEqualTo(waiting.attempts());
      assertThat(delivered.lastError()).isNull();
      assertThat(sink.count()).isEqualTo(1);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void aRedeliveredMessageIsAcknowledgedEveryTimeAndTakesEffectOnce() throws Exception {
    Sink followUps = sink().on("first", orders.vertx());
    UUID id = UUID.randomUUID();
    JsonObject message = message(id, "once").put("followUp", followUps.address);
    double duplicatesBefore = duplicates(ProbeService.EFFECT);

    JsonObject first = orders.harness().request(ProbeService.EFFECT, message, null);
    JsonObject second = orders.harness().request(ProbeService.EFFECT, message, null);
    List<JsonObject> racing =
        await(
                Future.all(
                    IntStream.range(0, 10)
                        .mapToObj(
                            i ->
                                orders
                                    .vertx()
                                    .eventBus()
                                    .<JsonObject>request(ProbeService.EFFECT, message)
                                    .map(Message::body))
                        .toList()))
            .list();

    assertThat(first).isEqualTo(new JsonObject());
    assertThat(second).isEqualTo(new JsonObject());
    assertThat(racing)
        .hasSize(10)
        .allSatisfy(reply -> assertThat(reply).isEqualTo(new JsonObject()));
    assertThat(count("SELECT count(*) FROM probe_effects WHERE message_id = ?", id)).isEqualTo(1);
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ? AND consumer = ?",
                id,
                ProbeService.EFFECT))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM outbox WHERE payload->>'causedBy' = ?", id.toString()))
        .isEqualTo(1);
    assertThat(followUps.delivery(1, Duration.ofSeconds(1)).body().getString("causedBy"))
        .isEqualTo(id.toString());
    Thread.sleep(200);
    assertThat(followUps.count()).isEqualTo(1);
    assertThat(duplicates(ProbeService.EFFECT))
        .as("every delivery after the first is a duplicate")
        .isEqualTo(duplicatesBefore + 11);
  }

  /** microshop_inbox_duplicates_total of a consumer of the stand-in service (running as orders). */
  private static double duplicates(String consumer) {
    // find(), not get(): a test that starts and closes a second instance closes the registry the
    // consumer was registered in (Vert.x keeps one per JVM), so the counter may be new here.
    Counter counter =
        Metrics.registry()
            .find("microshop.inbox.duplicates")
            .tag("service", Services.ORDERS)
            .tag("consumer", consumer)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aOneStatementConsumerRecordsItsMessageIdWithItsEffectAndARedeliveryChangesNothing()
      throws Exception {
    UUID id = UUID.randomUUID();
    JsonObject message = message(id, "once");

    JsonObject first =
        orders.harness().request(ProbeService.EFFECT_IN_ONE_STATEMENT, message, null);
    JsonObject again =
        orders.harness().request(ProbeService.EFFECT_IN_ONE_STATEMENT, message, null);

    assertThat(first).isEqualTo(new JsonObject());
    assertThat(again).as("a redelivery is acknowledged").isEqualTo(new JsonObject());
    assertThat(effects(id)).containsExactly("once");
    assertThat(
            count(
                "SELECT count(*) FROM inbox WHERE message_id = ? AND consumer = ?",
                id,
                ProbeService.EFFECT_IN_ONE_STATEMENT))
        .isEqualTo(1);
  }

  @Test
  void aOneStatementConsumerWhoseEffectFailsRecordsNoMessageIdSoTheRetryTakesEffect()
      throws Exception {
    UUID id = UUID.randomUUID();

    ReplyException failed =
        orders.harness().failure(ProbeService.EFFECT_IN_ONE_STATEMENT, message(id, "fail"), null);

    assertThat(failed.failureCode()).isEqualTo(500);
    assertThat(effects(id)).isEmpty();
    assertThat(count("SELECT count(*) FROM inbox WHERE message_id = ?", id))
        .as("rolled back with the effect")
        .isZero();
    assertThat(
            orders
                .harness()
                .request(ProbeService.EFFECT_IN_ONE_STATEMENT, message(id, "retried"), null))
        .isEqualTo(new JsonObject());
    assertThat(effects(id)).containsExactly("retried");
    ReplyException malformed =
        orders
            .harness()
            .failure(
                ProbeService.EFFECT_IN_ONE_STATEMENT,
                new JsonObject().put("messageId", "not-a-uuid").put("note", "x"),
                null);
    assertThat(malformed.failureCode()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(malformed.getMessage()).isEqualTo("messageId must be a UUID");
  }

  @Test
  void textPostgresqlCannotStoreIsRefusedWith400NotAnInternalErrorAndChangesNothing()
      throws Exception {
    UUID id = UUID.randomUUID();

    for (String address : List.of(ProbeService.EFFECT, ProbeService.EFFECT_IN_ONE_STATEMENT)) {
      ReplyException refused =
          orders.harness().failure(address, message(id, "nul\u0000byte"), null);

      assertThat(refused.failureCode()).as(address).isEqualTo(ErrorCodes.INVALID_REQUEST);
      assertThat(refused.getMessage()).as(address).contains("U+0000");
    }
    assertThat(effects(id)).isEmpty();
    assertThat(count("SELECT count(*) FROM inbox WHERE message_id = ?", id)).isZero();
  }

  @Test
  void aMessageWithoutAMessageIdIsRefusedWith400AndChangesNothing() throws Exception {
    JsonObject message = new JsonObject().put("note", "anonymous-" + UUID.randomUUID());

    ReplyException refused = orders.harness().failure(ProbeService.EFFECT, message, null);

    assertThat(refused.failureCode()).isEqualTo(ErrorCodes.INVALID_REQUEST);
    assertThat(refused.getMessage()).isEqualTo("messageId must be a UUID");
    assertThat(
            count("SELECT count(*) FROM probe_effects WHERE note = ?", message.getString("note")))
        .isZero();
  }

  @Test
  void withDeliverTwiceEveryMessageArrivesTwiceAndTakesEffectOnce() throws Exception {
    Sink followUps = sink().on("first", orders.vertx());
    Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
    Handler<DeliveryContext<Object>> counter =
        delivery -> {
          messagesOf(delivery, ProbeService.EFFECT)
              .forEach(
                  body ->
                      arrivals
                          .computeIfAbsent(body.getString("messageId"), k -> new AtomicInteger())
                          .incrementAndGet());
          delivery.next();
        };
    orders.vertx().eventBus().addInboundInterceptor(counter);
    await(orders.probe().replaceRelay(new JsonObject().put("deliverTwice", true)));
    try {
      List<UUID> ids =
          enqueue(
              ProbeService.EFFECT,
              20,
              id -> message(id, "twice").put("followUp", followUps.address));

      String delivered = "SELECT count(*) FROM outbox WHERE id = ANY(?) AND status = 'DELIVERED'";
      String followUpsDelivered =
          """
          SELECT count(*) FROM outbox WHERE payload->>'causedBy' = ANY(?) AND status = 'DELIVERED'""";
      eventually(() -> count(delivered, ids), n -> n == 20);
      eventually(() -> count(followUpsDelivered, strings(ids)), n -> n == 20);

      assertThat(arrivals).hasSize(20);
      assertThat(arrivals.keySet()).containsExactlyInAnyOrderElementsOf(strings(ids));
      assertThat(arrivals.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
      assertThat(count("SELECT count(*) FROM probe_effects WHERE message_id = ANY(?)", ids))
          .isEqualTo(20);
      assertThat(
              count(
                  "SELECT count(DISTINCT message_id) FROM probe_effects WHERE message_id = ANY(?)",
                  ids))
          .isEqualTo(20);
      Map<String, Long> followUpArrivals =
          followUps.deliveries().stream()
              .collect(
                  Collectors.groupingBy(
                      d -> d.body().getString("causedBy"), Collectors.counting()));
      assertThat(followUpArrivals.keySet()).containsExactlyInAnyOrderElementsOf(strings(ids));
      assertThat(followUpArrivals.values()).allSatisfy(n -> assertThat(n).isEqualTo(2));
    } finally {
      orders.vertx().eventBus().removeInboundInterceptor(counter);
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void messagesOfOneClaimForOneAddressGoAsOneBatchAndEachTakesEffectOnceWithItsOwnInboxEntry()
      throws Exception {
    try (Recording recording = sentAddresses()) {
      List<UUID> ids = enqueue(ProbeService.EFFECT, 6);

      String delivered = "SELECT count(*) FROM outbox WHERE id = ANY(?) AND status = 'DELIVERED'";
      eventually(() -> count(delivered, ids), n -> n == 6);
      assertThat(count("SELECT max(attempts) FROM outbox WHERE id = ANY(?)", ids)).isEqualTo(1);
      assertThat(recording.sent())
          .as("one request for the six, none alone")
          .containsExactly(RelayBatch.address(ProbeService.EFFECT));
      for (UUID id : ids) {
        assertThat(effects(id)).as("effect of %s", id).containsExactly("message " + id);
      }
      assertThat(
              count(
                  "SELECT count(*) FROM inbox WHERE message_id = ANY(?) AND consumer = ?",
                  ids,
                  ProbeService.EFFECT))
          .isEqualTo(6);
    }
  }

  @Test
  void anItemOfABatchThatFailsIsRetriedAloneToADeadLetterWhileTheOthersTakeEffectOnce()
      throws Exception {
    AtomicInteger index = new AtomicInteger();
    try (Recording recording = sentAddresses()) {
      List<UUID> ids =
          enqueue(
              ProbeService.EFFECT,
              4,
              id -> message(id, index.getAndIncrement() == 2 ? "refuse" : "batched"));
      UUID refused = ids.get(2);
      List<UUID> good = List.of(ids.get(0), ids.get(1), ids.get(3));

      OutboxRow dead = eventually(() -> row(refused), r -> r.status().equals("DEAD"));
      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.lastError()).contains("400").contains("the probe refuses this note");
      assertThat(effects(refused)).as("rolled back every time").isEmpty();
      for (UUID id : good) {
        OutboxRow row = row(id);
        assertThat(row.status()).isEqualTo("DELIVERED");
        assertThat(row.attempts()).as("the others' first delivery counted").isEqualTo(1);
        assertThat(effects(id)).containsExactly("batched");
      }
      assertThat(recording.sent().get(0)).isEqualTo(RelayBatch.address(ProbeService.EFFECT));
    }
  }

  @Test
  void aReceiverWithoutABatchConsumerGetsTheMessagesOneByOneAndEachIsDeliveredOnTheFirstAttempt()
      throws Exception {
    Sink earlierVersion = sink().on("first", orders.vertx());
    try (Recording recording = sentAddresses()) {
      List<UUID> ids = enqueue(earlierVersion.address, 3);

      String delivered = "SELECT count(*) FROM outbox WHERE id = ANY(?) AND status = 'DELIVERED'";
      eventually(() -> count(delivered, ids), n -> n == 3);
      assertThat(count("SELECT max(attempts) FROM outbox WHERE id = ANY(?)", ids)).isEqualTo(1);
      assertThat(earlierVersion.deliveries().stream().map(Delivery::messageId))
          .containsExactlyInAnyOrderElementsOf(strings(ids));
      assertThat(recording.sent())
          .as("a batch found no consumer, then each alone")
          .containsExactly(
              RelayBatch.address(earlierVersion.address),
              earlierVersion.address,
              earlierVersion.address,
              earlierVersion.address);
    }
  }

  @Test
  void twoInstancesDrainFiveHundredRowsTogetherAndEveryRowIsDelivered() throws Exception {
    // At most 50 in flight per relay, each answered after 20 ms: one relay alone needs 200 ms or
    // more for the 500,
    // so the other's claims (every 100 ms) find rows too, however fast the first one claims.
    JsonObject narrow = new JsonObject().put("batchSize", 50).put("maxInFlight", 50);
    await(orders.probe().replaceRelay(narrow));
    try (Instance second = Instance.start()) {
      await(second.probe().replaceRelay(narrow));
      Sink sink = sink().replyingAfter(20).on("first", orders.vertx()).on("second", second.vertx());
      long before = System.currentTimeMillis();

      List<UUID> ids = enqueue(sink.address, 500);
      eventually(
          () ->
              count(
                  "SELECT count(*) FROM outbox WHERE destination = ? AND status = 'DELIVERED'",
                  sink.address),
          n -> n == 500);
      long drainedMs = System.currentTimeMillis() - before;

      List<Delivery> deliveries = sink.deliveries();
      Map<String, Long> perMessage =
          deliveries.stream()
              .collect(Collectors.groupingBy(Delivery::messageId, Collectors.counting()));
      Map<String, Long> perInstance =
          deliveries.stream().collect(Collectors.groupingBy(Delivery::node, Collectors.counting()));
      long duplicates = deliveries.size() - perMessage.size();
      long retried =
          count("SELECT count(*) FROM outbox WHERE destination = ? AND attempts > 1", sink.address);
      System.out.printf(
          "two relays drained 500 rows in %d ms: %d deliveries (%d duplicates, %d rows retried), "
              + "per instance %s%n",
          drainedMs, deliveries.size(), duplicates, retried, perInstance);

      assertThat(perMessage.keySet()).containsExactlyInAnyOrderElementsOf(strings(ids));
      assertThat(
              count(
                  "SELECT count(*) FROM outbox WHERE destination = ? AND status <> 'DELIVERED'",
                  sink.address))
          .isZero();
      assertThat(perInstance).containsOnlyKeys("first", "second");
      // Rows are claimed under a 6 s lease, far longer than a delivery here: a duplicate would need
      // a retry.
      assertThat(duplicates).isLessThanOrEqualTo(retried).isLessThanOrEqualTo(5);
    } finally {
      await(orders.probe().replaceRelay(new JsonObject()));
    }
  }

  @Test
  void statsCountPendingAndDeadRowsAndTheAgeOfTheOldestPendingOne() throws Exception {
    eventually(() -> count("SELECT count(*) FROM outbox WHERE status = 'PENDING'"), n -> n == 0);
    long deadBefore = count("SELECT count(*) FROM outbox WHERE status = 'DEAD'");
    JsonObject idle = orders.harness().request(OutboxApi.stats("orders"), null, null);

    String address = "test.stats." + UUID.randomUUID();
    UUID old = UUID.randomUUID();
    UUID recent = UUID.randomUUID();
    UUID dead = UUID.randomUUID();
    // Not due for an hour, so the relay leaves them pending while the stats are read.
    insertRow(old, address, message(old, "old"), "PENDING", "1 hour", "1 hour");
    insertRow(recent, address, message(recent, "recent"), "PENDING", "0", "1 hour");
    insertRow(dead, address, message(dead, "dead"), "DEAD", "0", "0");
    JsonObject busy = orders.harness().request(OutboxApi.stats("orders"), null, null);
    execute("DELETE FROM outbox WHERE destination = ?", address);
    JsonObject after = orders.harness().request(OutboxApi.stats("orders"), null, null);

    assertThat(idle)
        .isEqualTo(
            new JsonObject().put("pending", 0L).put("dead", deadBefore).put("lagSeconds", 0.0));
    assertThat(busy.getLong("pending")).isEqualTo(2);
    assertThat(busy.getLong("dead")).isEqualTo(deadBefore + 1);
    assertThat(busy.getDouble("lagSeconds")).isBetween(3600.0, 3660.0);
    assertThat(after).isEqualTo(idle);
  }

  @Test
  void thePlatformMigrationsKeepTheirOwnHistoryBesideTheServices() throws Exception {
    List<String> platform =
        strings(
            """
        SELECT version || ' ' || description || ' ' || success::text FROM platform_schema_history
        ORDER BY installed_rank""");
    List<String> service =
        strings(
            """
        SELECT coalesce(version, '-') || ' ' || type || ' ' || success::text FROM flyway_schema_history
        ORDER BY installed_rank""");
    List<String> tables =
        strings(
            """
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename""");

    assertThat(platform)
        .containsExactly(
            "1 outbox inbox true",
            "2 outbox queue tuning true",
            "3 inbox purge true",
            "4 outbox trace parent true");
    // orders' own migrations are not on this module's classpath: its history only baselines the
    // schema.
    assertThat(service).containsExactly("0 BASELINE true");
    assertThat(tables)
        .containsExactly(
            "flyway_schema_history", "inbox", "outbox", "platform_schema_history", "probe_effects");
  }

  // --- receivers

  private Sink sink() {
    return sink("test.sink." + UUID.randomUUID());
  }

  private Sink sink(String address) {
    Sink sink = new Sink(address);
    sinks.add(sink);
    return sink;
  }

  /**
   * A receiver the test registers on one or more instances' buses: it records every delivery and
   * answers.
   */
  static final class Sink {
    final String address;
    private final List<Delivery> deliveries = Collections.synchronizedList(new ArrayList<>());
    private final List<MessageConsumer<JsonObject>> registrations = new ArrayList<>();
    private volatile int failureCode;
    private volatile String failureText;
    private volatile long replyDelayMs;
    private volatile Function<JsonObject, JsonObject> answer = body -> new JsonObject();

    Sink(String address) {
      this.address = address;
    }

    Sink failing(int code, String text) {
      failureCode = code;
      failureText = text;
      return this;
    }

    void recover() {
      failureCode = 0;
    }

    /** Replies with this answer to each message instead of an empty acknowledgement. */
    Sink answering(Function<JsonObject, JsonObject> answer) {
      this.answer = answer;
      return this;
    }

    Sink replyingAfter(long millis) {
      replyDelayMs = millis;
      return this;
    }

    Sink on(String node, Vertx vertx) {
      MessageConsumer<JsonObject> consumer =
          vertx
              .eventBus()
              .consumer(
                  address,
                  msg -> {
                    int attempt;
                    synchronized (deliveries) {
                      deliveries.add(
                          new Delivery(
                              node,
                              msg.body(),
                              System.currentTimeMillis(),
                              Span.current().getSpanContext().getTraceId()));
                      attempt = deliveries.size();
                    }
                    if (failureCode != 0) {
                      msg.fail(failureCode, failureText + " (attempt " + attempt + ")");
                    } else if (replyDelayMs > 0) {
                      vertx.setTimer(replyDelayMs, t -> msg.reply(answer.apply(msg.body())));
                    } else {
                      msg.reply(answer.apply(msg.body()));
                    }
                  });
      registrations.add(consumer);
      await(consumer.completion());
      return this;
    }

    int count() {
      return deliveries.size();
    }

    List<Delivery> deliveries() {
      synchronized (deliveries) {
        return List.copyOf(deliveries);
      }
    }

    /** The n-th delivery (from 1), waiting for it. */
    Delivery delivery(int n, Duration within) throws Exception {
      return eventually(this::deliveries, d -> d.size() >= n, within).get(n - 1);
    }

    /**
     * Unregisters it from every bus it is on that still runs (a second instance may be closed
     * already).
     */
    void close() {
      for (MessageConsumer<JsonObject> consumer : registrations) {
        try {
          await(consumer.unregister());
        } catch (RuntimeException e) {
          // its Vert.x is closed, and the registration with it
        }
      }
    }
  }

  // --- what the bus carries

  /** The addresses the service's bus sends the probe's outbox deliveries to, while open. */
  record Recording(List<String> sent, Handler<DeliveryContext<Object>> recorder)
      implements AutoCloseable {
    @Override
    public void close() {
      orders.vertx().eventBus().removeOutboundInterceptor(recorder);
    }
  }

  /**
   * Records the addresses of the probe's outbox deliveries (not its replies, not the test's own
   * requests) that the service's bus sends from now on, in order.
   */
  private static Recording sentAddresses() {
    List<String> sent = Collections.synchronizedList(new ArrayList<>());
    Handler<DeliveryContext<Object>> recorder =
        delivery -> {
          String address = delivery.message().address();
          if (address.startsWith(ProbeService.EFFECT) || address.startsWith("test.sink.")) {
            sent.add(address);
          }
          delivery.next();
        };
    orders.vertx().eventBus().addOutboundInterceptor(recorder);
    return new Recording(sent, recorder);
  }

  /** The messages a delivery carries for {@code address}: itself, or the items of its batch. */
  private static List<JsonObject> messagesOf(DeliveryContext<Object> delivery, String address) {
    Object body = delivery.message().body();
    if (delivery.message().address().equals(address) && body instanceof JsonObject message) {
      return List.of(message);
    }
    if (delivery.message().address().equals(RelayBatch.address(address))
        && body instanceof JsonObject batch) {
      return batch.getJsonArray(RelayBatch.ITEMS).stream().map(JsonObject.class::cast).toList();
    }
    return List.of();
  }

  // --- the service's outbox

  private List<UUID> enqueue(String destination, int count) {
    return enqueue(destination, count, id -> message(id, "message " + id));
  }

  /** Adds {@code count} messages for {@code destination} in one transaction of the service. */
  private List<UUID> enqueue(String destination, int count, Function<UUID, JsonObject> payload) {
    List<UUID> ids = new ArrayList<>();
    JsonArray messages = new JsonArray();
    for (int i = 0; i < count; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      messages.add(
          new JsonObject().put("destination", destination).put("payload", payload.apply(id)));
    }
    JsonObject reply =
        orders
            .harness()
            .request(ProbeService.ENQUEUE, new JsonObject().put("messages", messages), null);
    assertThat(reply.getInteger("added")).isEqualTo(count);
    return ids;
  }

  private static JsonObject message(UUID id, String note) {
    return new JsonObject()
        .put("messageId", id.toString())
        .put("occurredAt", Instant.now().toString())
        .put("note", note);
  }

  private static JsonObject idBody(UUID id) {
    return new JsonObject().put("id", id.toString());
  }

  /** The dead letter with this id as the admin API lists it, or null. */
  private static JsonObject deadLetter(UUID id) {
    JsonArray items =
        orders
            .harness()
            .request(OutboxApi.deadLetters("orders"), null, ADMIN)
            .getJsonArray("items");
    return items.stream()
        .map(JsonObject.class::cast)
        .filter(item -> item.getString("id").equals(id.toString()))
        .findFirst()
        .orElse(null);
  }

  // --- the database

  private static OutboxRow row(UUID id) throws SQLException {
    try (PreparedStatement query =
        db.prepareStatement(
            """
        SELECT destination, payload::text, status, attempts, next_attempt_at, last_error, created_at, delivered_at
        FROM outbox WHERE id = ?""")) {
      query.setObject(1, id);
      try (ResultSet rs = query.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new OutboxRow(
            rs.getString(1),
            new JsonObject(rs.getString(2)),
            rs.getString(3),
            rs.getInt(4),
            instant(rs, 5),
            rs.getString(6),
            instant(rs, 7),
            instant(rs, 8));
      }
    }
  }

  /**
   * Writes a row as another instance (or an earlier run) would have, bypassing this instance's
   * kick: created {@code age} ago, due {@code dueIn} from now (PostgreSQL intervals).
   */
  private static void insertRow(
      UUID id, String destination, JsonObject payload, String status, String age, String dueIn)
      throws SQLException {
    execute(
        """
        INSERT INTO outbox (id, destination, payload, status, created_at, next_attempt_at)
        VALUES (?, ?, ?::jsonb, ?, now() - ?::interval, now() + ?::interval)""",
        id,
        destination,
        payload.encode(),
        status,
        age,
        dueIn);
  }

  private static long count(String sql, Object... params) throws SQLException {
    try (PreparedStatement query = prepare(sql, params);
        ResultSet rs = query.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement query = prepare(sql);
        ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** The notes probe_effects holds for a message, in the order they were recorded. */
  private static List<String> effects(UUID messageId) throws SQLException {
    List<String> notes = new ArrayList<>();
    try (PreparedStatement s =
        db.prepareStatement("SELECT note FROM probe_effects WHERE message_id = ? ORDER BY id")) {
      s.setObject(1, messageId);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          notes.add(rs.getString(1));
        }
      }
    }
    return notes;
  }

  private static void execute(String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = prepare(sql, params)) {
      statement.executeUpdate();
    }
  }

  private static PreparedStatement prepare(String sql, Object... params) throws SQLException {
    PreparedStatement statement = db.prepareStatement(sql);
    for (int i = 0; i < params.length; i++) {
      Object param = params[i];
      if (param instanceof List<?> list) {
        boolean uuids = !list.isEmpty() && list.get(0) instanceof UUID;
        statement.setArray(i + 1, db.createArrayOf(uuids ? "uuid" : "text", list.toArray()));
      } else {
        statement.setObject(i + 1, param);
      }
    }
    return statement;
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static List<String> strings(List<UUID> ids) {
    return ids.stream().map(UUID::toString).toList();
  }

  private static String errorOf(OutboxRow row) {
    return row.lastError() == null ? "" : row.lastError();
  }

  private static long millisBetween(long fromMillis, Instant to) {
    return to.toEpochMilli() - fromMillis;
  }

  // --- waiting

  @FunctionalInterface
  interface Check<T> {
    T get() throws Exception;
  }

  private static <T> T eventually(Check<T> check, Predicate<T> done) throws Exception {
    return eventually(check, done, Duration.ofSeconds(10));
  }

  /**
   * Polls {@code check} every 10 ms until {@code done} holds; fails with the last value after
   * {@code within}.
   */
  private static <T> T eventually(Check<T> check, Predicate<T> done, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T value = check.get();
      if (value != null && done.test(value)) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        return fail("still not there after %s: %s", within, value);
      }
      Thread.sleep(10);
    }
  }
}
