package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the rows no commit sent: written outside a relayed transaction, waiting for their retry, or
 * left by an instance that died. Rows are leased under FOR UPDATE SKIP LOCKED, so several instances
 * claim at once safely. One claim runs at a time, but the deliveries it starts do not hold up the
 * next.
 */
final class OutboxClaims {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxClaims.class);

  private final Vertx vertx;
  private final OutboxSettings settings;
  private final OutboxBookkeeping bookkeeping;
  private final OutboxDispatch dispatch;
  private long timer = -1;
  private boolean claiming;
  private boolean again;
  private boolean stopped;

  OutboxClaims(
      Vertx vertx,
      OutboxSettings settings,
      OutboxBookkeeping bookkeeping,
      OutboxDispatch dispatch) {
    this.vertx = vertx;
    this.settings = settings;
    this.bookkeeping = bookkeeping;
    this.dispatch = dispatch;
  }

  void start() {
    timer = vertx.setPeriodic(settings.pollMs(), t -> kick());
    kick();
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /** A delivery settled: a claim that found no room, or ran meanwhile, may run now. */
  void roomFreed() {
    if (again) {
      kick();
    }
  }

  /** Claims due rows now, or right after the claim in progress. */
  void kick() {
    if (stopped) {
      return;
    }
    // Claims keep a batch of room above maxInFlight, so messages sent at commit can never starve
    // the retries and orphans only a claim finds.
    int room =
        Math.min(
            settings.batchSize(),
            settings.maxInFlight() + settings.batchSize() - dispatch.inFlight());
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
   * Leases up to {@code limit} due rows and starts delivering them. Yields the number of rows
   * claimed.
   */
  private Future<Integer> claim(int limit) {
    return bookkeeping
        .run(OutboxSql.CLAIM, Tuple.of(limit, settings.leaseSeconds()))
        .map(
            rows -> {
              List<OutboxDispatch.Delivery> claimed = new ArrayList<>(rows.rowCount());
              for (Row row : rows) {
                claimed.add(
                    new OutboxDispatch.Delivery(
                        row.getUUID("id"),
                        row.getString("destination"),
                        row.getValue("payload"),
                        row.getString("trace_parent"),
                        row.getInteger("attempts")));
              }
              dispatch.send(claimed);
              return rows.rowCount();
            });
  }
}
