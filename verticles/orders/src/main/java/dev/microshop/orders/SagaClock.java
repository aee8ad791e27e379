package dev.microshop.orders;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saga's timeouts. Every {@code scanMs}: a pending order past its business deadline is
 * cancelled with compensation; a pending order whose step has had no answer for {@code
 * stepRetrySeconds} gets the step's command again. Orders are claimed with FOR UPDATE SKIP LOCKED,
 * so several orders instances scan without overlap.
 */
final class SagaClock {
  private static final Logger LOG = LoggerFactory.getLogger(SagaClock.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final Pool pool;
  private final long scanMs;
  private final double stepRetrySeconds;
  private final Runnable kick;
  private long timer = -1;
  private boolean scanning;

  SagaClock(Vertx vertx, Pool pool, JsonObject saga, Runnable kick) {
    this.vertx = vertx;
    this.pool = pool;
    this.scanMs = saga.getLong("scanMs");
    this.stepRetrySeconds = saga.getLong("stepRetrySeconds");
    this.kick = kick;
  }

  void start() {
    OrderMetrics.register();
    timer = vertx.setPeriodic(scanMs, t -> scan());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    expire()
        .compose(expired -> retry().map(retried -> expired + retried))
        .onSuccess(
            changed -> {
              if (changed > 0) {
                kick.run();
              }
            })
        .onFailure(e -> LOG.warn("saga scan failed: {}", e.getMessage()))
        .onComplete(done -> scanning = false);
  }

  private Future<Integer> expire() {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(OrdersSql.OVERDUE)
                .execute(Tuple.of(BATCH))
                .compose(rows -> each(rows, order -> Saga.cancel(tx, order, "DEADLINE_EXCEEDED"))));
  }

  private Future<Integer> retry() {
    return pool.withTransaction(
        tx ->
            tx.preparedQuery(OrdersSql.STALLED)
                .execute(Tuple.of(stepRetrySeconds, BATCH))
                .compose(rows -> each(rows, order -> Saga.retryStep(tx, order))));
  }

  /**
   * Applies {@code transition} to each row one after another (one connection: no parallel
   * statements).
   */
  private static Future<Integer> each(
      Iterable<Row> rows, java.util.function.Function<OrderRow, Future<Void>> transition) {
    List<OrderRow> orders = new ArrayList<>();
    rows.forEach(row -> orders.add(OrderRow.from(row)));
    Future<Void> chain = Future.succeededFuture();
    for (OrderRow order : orders) {
      chain = chain.compose(v -> transition.apply(order));
    }
    return chain.map(orders.size());
  }
}
