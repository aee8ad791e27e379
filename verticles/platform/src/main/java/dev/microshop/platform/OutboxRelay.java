package dev.microshop.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a service's outbox over the event bus, request-reply: the receiver's acknowledgement marks a row
 * delivered; a failure schedules a retry with exponential backoff and full jitter; after {@code maxAttempts} the
 * row becomes a dead letter (listed and redriven through the admin API). Several instances of a service run
 * their relays at once safely: rows are claimed with a lease under FOR UPDATE SKIP LOCKED. New rows are picked up
 * at once when this instance wrote them ({@link #kick}) and within {@code pollMs} otherwise.
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  private final Vertx vertx;
  private final Pool pool;
  private final int batchSize;
  private final long pollMs;
  private final int maxAttempts;
  private final long baseBackoffMs;
  private final long maxBackoffMs;
  private final long sendTimeoutMs;
  private final boolean deliverTwice;
  private long timer = -1;
  private boolean running;
  private boolean again;
  private boolean stopped;

  public OutboxRelay(Vertx vertx, Pool pool, JsonObject config) {
    JsonObject outbox = config.getJsonObject("outbox");
    this.vertx = vertx;
    this.pool = pool;
    this.batchSize = outbox.getInteger("batchSize");
    this.pollMs = outbox.getLong("pollMs");
    this.maxAttempts = outbox.getInteger("maxAttempts");
    this.baseBackoffMs = outbox.getLong("baseBackoffMs");
    this.maxBackoffMs = outbox.getLong("maxBackoffMs");
    this.sendTimeoutMs = config.getJsonObject("bus").getLong("requestTimeoutMs");
    this.deliverTwice = outbox.getBoolean("deliverTwice", false);
    if (deliverTwice) {
      LOG.warn("outbox.deliverTwice is on: every message is delivered twice (a test switch for idempotency)");
    }
  }

  public void start() {
    timer = vertx.setPeriodic(pollMs, t -> kick());
    kick();
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /** Runs a delivery round now (after a transaction that added rows), or right after the current one. */
  public void kick() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    round()
        .onComplete(result -> {
          running = false;
          if (result.failed()) {
            LOG.warn("outbox round failed: {}", result.cause().getMessage());
          } else if (result.result() == batchSize || again) {
            kick(); // more may be due
          }
        });
  }

  /** Claims a batch, delivers it concurrently, records the outcomes. Yields the number of rows claimed. */
  private Future<Integer> round() {
    long leaseSeconds = Math.max(1, (sendTimeoutMs * 3) / 1000);
    return pool.preparedQuery(OutboxSql.CLAIM).execute(Tuple.of(batchSize, leaseSeconds))
        .compose(rows -> Future.join(deliverAll(rows)).map(rows.rowCount()));
  }

  private List<Future<Void>> deliverAll(RowSet<Row> rows) {
    List<Future<Void>> deliveries = new ArrayList<>();
    for (Row row : rows) {
      deliveries.add(deliver(row));
    }
    return deliveries;
  }

  private Future<Void> deliver(Row row) {
    String destination = row.getString("destination");
    JsonObject payload = row.getJsonObject("payload");
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(sendTimeoutMs);
    Future<?> sent = vertx.eventBus().request(destination, payload, options);
    if (deliverTwice) {
      sent = sent.compose(first -> vertx.eventBus().request(destination, payload, options));
    }
    return sent.<Void>mapEmpty()
        .compose(ack -> pool.preparedQuery(OutboxSql.DELIVERED).execute(Tuple.of(row.getUUID("id"))).<Void>mapEmpty())
        .recover(failure -> failed(row, failure));
  }

  private Future<Void> failed(Row row, Throwable failure) {
    int attempts = row.getInteger("attempts");
    String error = describe(failure);
    if (attempts >= maxAttempts) {
      LOG.error("outbox message {} to {} is a dead letter after {} attempts: {}", row.getUUID("id"),
          row.getString("destination"), attempts, error);
      return pool.preparedQuery(OutboxSql.DEAD).execute(Tuple.of(row.getUUID("id"), error)).mapEmpty();
    }
    double delaySeconds = backoffMs(attempts) / 1000.0;
    return pool.preparedQuery(OutboxSql.RETRY).execute(Tuple.of(row.getUUID("id"), delaySeconds, error)).mapEmpty();
  }

  /**
   * Exponential backoff with jitter: uniformly random in [c/2, c] where c = min(max, base * 2^(attempts-1)), so
   * retries of many rows that failed together spread out instead of arriving in waves.
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
