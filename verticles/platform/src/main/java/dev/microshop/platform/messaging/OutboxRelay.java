package dev.microshop.platform.messaging;

import dev.microshop.platform.db.Database;
import dev.microshop.platform.db.Transactions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Delivers a service's outbox over the event bus, request-reply: the receiver's acknowledgement
 * marks a row delivered; a failure schedules a retry with exponential backoff and full jitter;
 * after {@code maxAttempts} the row becomes a dead letter (listed and redriven through the admin
 * API), unless its outcome is unknown and its answer needed ({@link #onAnswer}). Several instances
 * of a service run their relays at once safely: rows are claimed with a lease under FOR UPDATE SKIP
 * LOCKED. New rows are picked up at once when this instance wrote them ({@link #kick}) and within
 * {@code pollMs} otherwise.
 *
 * <p>Messages written in a {@link #transaction} are sent as soon as it commits. The claim is for
 * everything else: rows written outside one, sends that failed and wait for their retry, rows of an
 * instance that died.
 *
 * <p>It is a pipeline, not a sequence of rounds, and this class only wires its stages: {@link
 * OutboxClaims} leases due rows, {@link OutboxDispatch} sends them (up to {@code maxInFlight}
 * unacknowledged), {@link OutboxAnswers} applies the replies of answered destinations, {@link
 * OutboxAcks} writes each outcome (acknowledgements group-committed), and {@link OutboxPurge}
 * deletes what is old.
 */
public final class OutboxRelay {
  private final Pool pool;
  private final OutboxSettings settings;
  private final OutboxAnswers answers;
  private final OutboxDispatch dispatch;
  private final OutboxClaims claims;
  private final OutboxPurge purge;
  private final TransactionGroups groups;

  /**
   * What the sender does with a receiver's answer, inside one transaction of the sender's database.
   */
  @FunctionalInterface
  public interface Answer {
    Future<?> apply(SqlConnection tx, JsonObject answer);
  }

  public OutboxRelay(Vertx vertx, Pool pool, JsonObject config) {
    this(vertx, pool, pool, config);
  }

  /**
   * {@code pool} runs the transactions of {@link #transaction}; {@code bookkeeping} the relay's
   * claims, acknowledgements, retries and purges, which may use asynchronous commit (see {@link
   * Database#bookkeepingPool}): losing one only means a message is delivered again.
   */
  public OutboxRelay(Vertx vertx, Pool pool, Pool bookkeeping, JsonObject config) {
    this.pool = pool;
    this.settings = OutboxSettings.from(config);
    OutboxBookkeeping statements = new OutboxBookkeeping(bookkeeping);
    this.groups = new TransactionGroups(vertx, this::transaction);
    this.answers = new OutboxAnswers(groups);
    OutboxAcks acks = new OutboxAcks(settings, statements);
    this.dispatch = new OutboxDispatch(vertx, settings, answers, acks, this::roomFreed);
    this.claims = new OutboxClaims(vertx, settings, statements, dispatch);
    this.purge = new OutboxPurge(vertx, settings, statements);
  }

  /**
   * The rules between outbox settings, checked with the other settings when a JVM starts
   * (SettingsRules) and by the constructor. Does nothing when there is no {@code outbox} section.
   */
  public static void validate(JsonObject config) {
    OutboxSettings.validate(config);
  }

  public void start() {
    purge.start();
    claims.start();
  }

  public void stop() {
    claims.stop();
    purge.stop();
    dispatch.stop();
  }

  /**
   * Messages to {@code destination} are answered ({@code ServiceVerticle.answering}): a reply that
   * is a non-empty JSON object is applied by {@code answer} in a transaction (whose own messages
   * leave at its commit) before the row counts as delivered. If that transaction fails, the
   * delivery failed: the message is sent again after its backoff, and the receiver, idempotent,
   * answers the same. A crash after the commit but before the row is marked delivered sends it
   * again too, so {@code answer} must ignore an answer it has applied already.
   */
  public void onAnswer(String destination, Answer answer) {
    answers.register(destination, answer);
  }

  /**
   * Claims due rows now (after a transaction that added some), or right after the claim in
   * progress.
   */
  public void kick() {
    claims.kick();
  }

  /** The claim that found no room waits for a delivery to settle. */
  private void roomFreed() {
    claims.roomFreed();
  }

  /**
   * Like {@link #transaction(Function)}, but work for {@code group} that arrives while a
   * transaction of that group runs is applied together with the rest waiting, in the next one
   * ({@link TransactionGroups}): for work that arrives in bursts, such as placements.
   */
  public <T> Future<T> transaction(String group, Function<SqlConnection, Future<T>> work) {
    return groups.run(group, work);
  }

  /**
   * Runs {@code work} in one transaction; the messages it adds to the outbox ({@link Outbox#add})
   * are sent right after the commit, with no claim query and no wait for a poll. This is the fast
   * path of every hop of a saga.
   */
  public <T> Future<T> transaction(Function<SqlConnection, Future<T>> work) {
    List<OutboxTransaction> tx = new ArrayList<>(1);
    return Transactions.run(
            pool,
            connection -> {
              OutboxTransaction relayed =
                  new OutboxTransaction(connection, settings.leaseSeconds());
              tx.add(relayed);
              return work.apply(relayed);
            })
        .onSuccess(result -> tx.forEach(relayed -> dispatch.committed(relayed.written())));
  }
}
