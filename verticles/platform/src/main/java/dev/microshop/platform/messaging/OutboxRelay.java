package dev.microshop.platform.messaging;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.microshop.platform.config.ConfigException;
import dev.microshop.platform.db.Database;
import dev.microshop.platform.db.Transactions;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>It is a pipeline, not a sequence of rounds: one claim runs at a time, but the deliveries it
 * starts do not hold up the next claim (up to {@code maxInFlight} unacknowledged messages), so one
 * slow or dead receiver never delays the others; acknowledgements are written as one UPDATE for all
 * that arrived while the previous one ran. A crash before that UPDATE only means a redelivery once
 * the lease ends, which consumers deduplicate.
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int PURGE_BATCH = 5_000;
  private static final long PURGE_PAUSE_MS = 50;

  /**
   * A claim, acknowledgement, retry or purge that has not answered after this long is given up (its
   * rows are delivered again once their lease ends), so one lost request cannot stop the relay:
   * Vert.x 5.0.8 never completes a request whose wait for a pool connection timed out. Above the
   * pool's 30 s connection timeout.
   */
  private static final long STUCK_MS = 60_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Pool bookkeeping;
  private final int batchSize;
  private final int maxInFlight;
  private final long pollMs;
  private final int maxAttempts;
  private final long baseBackoffMs;
  private final long maxBackoffMs;
  private final long sendTimeoutMs;
  private final boolean deliverTwice;
  private final long retentionSeconds;
  private final long purgeMs;
  private final long inboxRetentionSeconds;
  private long timer = -1;
  private long purgeTimer = -1;
  private boolean claiming;
  private boolean purging;
  private boolean again;
  private boolean stopped;
  private int inFlight;
  private final Deque<OutboxTransaction.Written> waiting = new ArrayDeque<>();
  private List<UUID> acknowledged = new ArrayList<>();
  private boolean recording;
  private final Map<String, Answer> answers = new HashMap<>();

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
    validate(config);
    JsonObject outbox = config.getJsonObject("outbox");
    this.vertx = vertx;
    this.pool = pool;
    this.bookkeeping = bookkeeping;
    this.batchSize = outbox.getInteger("batchSize");
    this.maxInFlight = outbox.getInteger("maxInFlight", 1000);
    this.pollMs = outbox.getLong("pollMs");
    this.maxAttempts = outbox.getInteger("maxAttempts");
    this.baseBackoffMs = outbox.getLong("baseBackoffMs");
    this.maxBackoffMs = outbox.getLong("maxBackoffMs");
    this.sendTimeoutMs = config.getJsonObject("bus").getLong("requestTimeoutMs");
    this.deliverTwice = outbox.getBoolean("deliverTwice", false);
    this.retentionSeconds = outbox.getLong("retentionSeconds", 3600L);
    this.purgeMs = outbox.getLong("purgeMs", 60_000L);
    this.inboxRetentionSeconds = outbox.getLong("inboxRetentionSeconds", 86_400L);
    if (deliverTwice) {
      LOG.warn(
          "outbox.deliverTwice is on: every message is delivered twice (a test switch for idempotency)");
    }
  }

  /**
   * The rules between outbox settings, checked with the other settings when a JVM starts
   * (SettingsRules) and by the constructor. Does nothing when there is no {@code outbox} section.
   */
  public static void validate(JsonObject config) {
    JsonObject outbox = config.getJsonObject("outbox");
    if (outbox == null) {
      return;
    }
    int batchSize = outbox.getInteger("batchSize", 100);
    int maxInFlight = outbox.getInteger("maxInFlight", 1000);
    if (maxInFlight < batchSize) {
      throw new ConfigException(
          "outbox.maxInFlight", maxInFlight + " is below outbox.batchSize (" + batchSize + ")");
    }
    // A message can come back as long as its sender retries it; its id should still be in the inbox
    // by then. A
    // coarse bound (it ignores send timeouts, leases and a sender that is down): the consumers' own
    // keys per order
    // are the second line.
    long inboxRetentionSeconds = outbox.getLong("inboxRetentionSeconds", 86_400L);
    long longestRetryMs =
        outbox.getLong("maxAttempts", 100L) * outbox.getLong("maxBackoffMs", 30_000L);
    if (inboxRetentionSeconds * 1000 <= longestRetryMs) {
      throw new ConfigException(
          "outbox.inboxRetentionSeconds",
          inboxRetentionSeconds
              + " s is not above the longest a"
              + " message is retried (outbox.maxAttempts x outbox.maxBackoffMs = "
              + longestRetryMs / 1000
              + " s)");
    }
  }

  public void start() {
    timer = vertx.setPeriodic(pollMs, t -> kick());
    purgeTimer = vertx.setPeriodic(purgeMs, t -> purge());
    kick();
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(purgeTimer);
  }

  /**
   * Delivered rows are kept {@code outbox.retentionSeconds} (for inspection), then deleted in
   * batches, so the table stays the size of its recent traffic; processed message ids likewise
   * after {@code outbox.inboxRetentionSeconds}, far longer than a message is normally retried. (A
   * dead letter redriven after that is deduplicated by the consumers' own keys: one reservation,
   * one charge, one notification per order.) One batch at a time, the outbox first, with a pause
   * between batches: the purge shares the two bookkeeping connections with claims and
   * acknowledgements and must never hold both. A purge still running when the timer fires again is
   * not doubled. Several instances purging at once only delete fewer rows each.
   */
  private void purge() {
    if (purging) {
      return;
    }
    purging = true;
    purge(OutboxSql.PURGE, retentionSeconds, "outbox")
        .compose(v -> purge(OutboxSql.PURGE_INBOX, inboxRetentionSeconds, "inbox"))
        .onComplete(v -> purging = false);
  }

  /**
   * Deletes batches until one is not full; never fails (a failed purge is tried again at the next
   * timer).
   */
  private Future<Void> purge(String sql, long olderThanSeconds, String table) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return bookkeeping(sql, Tuple.of(olderThanSeconds, PURGE_BATCH))
        .compose(
            rows ->
                rows.rowCount() < PURGE_BATCH
                    ? Future.<Void>succeededFuture()
                    : pause().compose(v -> purge(sql, olderThanSeconds, table)))
        .recover(
            e -> {
              LOG.warn("{} purge failed: {}", table, e.getMessage());
              return Future.succeededFuture();
            });
  }

  private Future<Void> pause() {
    Promise<Void> later = Promise.promise();
    vertx.setTimer(PURGE_PAUSE_MS, t -> later.complete());
    return later.future();
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
    answers.put(destination, answer);
  }

  /**
   * Claims due rows now (after a transaction that added some), or right after the claim in
   * progress.
   */
  public void kick() {
    if (stopped) {
      return;
    }
    // Claims keep a batch of room above maxInFlight, so messages sent at commit can never starve
    // the retries and
    // orphans only a claim finds.
    int room = Math.min(batchSize, maxInFlight + batchSize - inFlight);
    if (claiming || room <= 0) {
      again = true; // a claim in progress, or the end of a delivery, kicks again
      return;
    }
    claiming = true;
    again = false;
    claim(room)
        .onComplete(
            result -> {
              claiming = false;
              if (result.failed()) {
                LOG.warn("outbox claim failed: {}", result.cause().getMessage());
              } else if (result.result() == room || again) {
                kick(); // more may be due
              }
            });
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
              OutboxTransaction relayed = new OutboxTransaction(connection, leaseSeconds());
              tx.add(relayed);
              return work.apply(relayed);
            })
        .onSuccess(result -> tx.forEach(relayed -> relayed.written().forEach(this::dispatch)));
  }

  /**
   * Sends a message written at commit, or queues it while {@code maxInFlight} are unacknowledged.
   * The queue is bounded too: beyond it a message is left to its row, which a claim delivers once
   * the lease runs out.
   */
  private void dispatch(OutboxTransaction.Written message) {
    if (stopped) {
      return; // leased: a relay delivers it once the lease runs out
    }
    if (inFlight < maxInFlight) {
      send(message.id(), message.destination(), message.payload(), 1);
    } else if (waiting.size() < maxInFlight) {
      waiting.add(message);
    }
  }

  /**
   * Leases up to {@code limit} due rows and starts delivering them. Yields the number of rows
   * claimed.
   */
  private Future<Integer> claim(int limit) {
    return bookkeeping(OutboxSql.CLAIM, Tuple.of(limit, leaseSeconds()))
        .map(
            rows -> {
              for (Row row : rows) {
                send(
                    row.getUUID("id"),
                    row.getString("destination"),
                    row.getValue("payload"),
                    row.getInteger("attempts"));
              }
              return rows.rowCount();
            });
  }

  private void send(UUID id, String destination, Object payload, int attempts) {
    inFlight++;
    Future<Void> delivery;
    try {
      delivery = deliver(id, destination, (JsonObject) payload, attempts);
    } catch (
        RuntimeException e) { // a payload that is not a JSON object: retried, then a dead letter
      delivery = failed(id, destination, attempts, e);
    }
    delivery.onComplete(this::delivered);
  }

  /** A delivery settled: room for a message that waited, and for the claim that could not run. */
  private void delivered(AsyncResult<Void> outcome) {
    inFlight--;
    if (inFlight < maxInFlight && !waiting.isEmpty()) {
      OutboxTransaction.Written next = waiting.poll();
      send(next.id(), next.destination(), next.payload(), 1);
    }
    if (again) {
      kick();
    }
  }

  /**
   * Long enough for a send and its retries; a row leased longer than this is presumed lost and
   * claimed again.
   */
  private long leaseSeconds() {
    return Math.max(1, (sendTimeoutMs * 3) / 1000);
  }

  private Future<Void> deliver(UUID id, String destination, JsonObject payload, int attempts) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(sendTimeoutMs);
    Future<?> applied =
        vertx
            .eventBus()
            .request(destination, payload, options)
            .compose(reply -> applyAnswer(destination, reply.body()));
    if (deliverTwice) {
      // The second delivery's answer is applied too: the sender's side of a duplicate is exercised
      // as well.
      applied =
          applied
              .compose(first -> vertx.eventBus().request(destination, payload, options))
              .compose(reply -> applyAnswer(destination, reply.body()));
    }
    return applied
        .<Void>map(
            done -> {
              acknowledged(id);
              return null;
            })
        .recover(failure -> failed(id, destination, attempts, failure));
  }

  /**
   * Any reply acknowledges a plain destination. An answered destination must reply with its answer:
   * a reply without one is a failed delivery, retried like any other (the receiver may have acted,
   * and only its answer tells the sender what to do next). Given up after {@link #STUCK_MS} like
   * the bookkeeping: the delivery then failed and is retried, and the answer, applied or not, is
   * ignored or applied next time.
   */
  private Future<?> applyAnswer(String destination, Object reply) {
    Answer answer = answers.get(destination);
    if (answer == null) {
      return Future.succeededFuture();
    }
    if (!(reply instanceof JsonObject body) || body.isEmpty()) {
      return Future.failedFuture(
          new IllegalStateException("the reply from " + destination + " carries no answer"));
    }
    return transaction(tx -> answer.apply(tx, body)).timeout(STUCK_MS, MILLISECONDS);
  }

  /**
   * Group-commits acknowledgements: one UPDATE now, or for everything that arrives while one is
   * running.
   */
  private void acknowledged(UUID id) {
    acknowledged.add(id);
    if (!recording) {
      recordAcknowledged();
    }
  }

  private void recordAcknowledged() {
    List<UUID> ids = acknowledged;
    acknowledged = new ArrayList<>();
    recording = true;
    bookkeeping(OutboxSql.DELIVERED, Tuple.of(ids.toArray(UUID[]::new)))
        .onComplete(
            done -> {
              recording = false;
              if (done.failed()) {
                // The rows stay leased and are delivered again when the lease ends; receivers
                // deduplicate.
                LOG.warn(
                    "recording {} outbox deliveries failed: {}",
                    ids.size(),
                    done.cause().getMessage());
              }
              if (!acknowledged.isEmpty()) {
                recordAcknowledged();
              }
            });
  }

  /**
   * A statement of the relay's bookkeeping: on its own pool, and given up after {@link #STUCK_MS}.
   */
  private Future<RowSet<Row>> bookkeeping(String sql, Tuple args) {
    return bookkeeping.preparedQuery(sql).execute(args).timeout(STUCK_MS, MILLISECONDS);
  }

  private Future<Void> failed(UUID id, String destination, int attempts, Throwable failure) {
    String error = describe(failure);
    boolean unknown = outcomeUnknown(destination, failure);
    if (attempts == maxAttempts && unknown) {
      LOG.warn(
          "outbox message {} to {} failed {} attempts and is still retried: the receiver may have acted on it"
              + " and its answer is needed ({})",
          id,
          destination,
          attempts,
          error);
    }
    if (attempts >= maxAttempts && !unknown) {
      LOG.error(
          "outbox message {} to {} is a dead letter after {} attempts: {}",
          id,
          destination,
          attempts,
          error);
      return bookkeeping(OutboxSql.DEAD, Tuple.of(id, error, attempts)).mapEmpty();
    }
    double delaySeconds = backoffMs(attempts) / 1000.0;
    return bookkeeping(OutboxSql.RETRY, Tuple.of(id, delaySeconds, error, attempts)).mapEmpty();
  }

  /**
   * A command to an answered destination that timed out, found no receiver, or failed inside the
   * receiver may have taken effect there (a charge committed, its reply lost): the sender must hear
   * its answer to compensate it, so such a message never becomes a dead letter; it is retried every
   * {@code maxBackoffMs} until it is answered. Only a refusal (4xx: the receiver's transaction
   * rolled back, and it would refuse again) or an answer that cannot be applied (4xx) ends in a
   * dead letter.
   */
  private boolean outcomeUnknown(String destination, Throwable failure) {
    if (!answers.containsKey(destination)) {
      return false;
    }
    int code =
        failure instanceof ReplyException reply
                && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
            ? reply.failureCode()
            : failure instanceof ServiceFailure refused ? refused.code() : 0;
    return code < 400 || code >= 500;
  }

  /**
   * Exponential backoff with jitter: uniformly random in [c/2, c] where c = min(max, base *
   * 2^(attempts-1)), so retries of many rows that failed together spread out instead of arriving in
   * waves.
   */
  long backoffMs(int attempts) {
    long ceiling = Math.min(maxBackoffMs, baseBackoffMs << Math.min(20, Math.max(0, attempts - 1)));
    return ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
  }

  private static String describe(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return reply.failureType() + " " + reply.failureCode() + ": " + reply.getMessage();
    }
    return String.valueOf(failure);
  }
}
