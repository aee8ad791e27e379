package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivered rows are kept {@code outbox.retentionSeconds} (for inspection), then deleted in
 * batches, so the table stays the size of its recent traffic; processed message ids likewise after
 * {@code outbox.inboxRetentionSeconds}, far longer than a message is normally retried. (A dead
 * letter redriven after that is deduplicated by the consumers' own keys: one reservation, one
 * charge, one notification per order.) One batch at a time, the outbox first, with a pause between
 * batches: the purge shares the two bookkeeping connections with claims and acknowledgements and
 * must never hold both. A purge still running when the timer fires again is not doubled. Several
 * instances purging at once only delete fewer rows each.
 */
final class OutboxPurge {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxPurge.class);
  private static final int BATCH = 5_000;
  private static final long PAUSE_MS = 50;

  private final Vertx vertx;
  private final OutboxSettings settings;
  private final OutboxBookkeeping bookkeeping;
  private long timer = -1;
  private boolean purging;
  private boolean stopped;

  OutboxPurge(Vertx vertx, OutboxSettings settings, OutboxBookkeeping bookkeeping) {
    this.vertx = vertx;
    this.settings = settings;
    this.bookkeeping = bookkeeping;
  }

  void start() {
    timer = vertx.setPeriodic(settings.purgeMs(), t -> purge());
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void purge() {
    if (purging) {
      return;
    }
    purging = true;
    purge(OutboxSql.PURGE, settings.retentionSeconds(), "outbox")
        .compose(v -> purge(OutboxSql.PURGE_INBOX, settings.inboxRetentionSeconds(), "inbox"))
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
    return bookkeeping
        .run(sql, Tuple.of(olderThanSeconds, BATCH))
        .compose(
            rows ->
                rows.rowCount() < BATCH
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
    vertx.setTimer(PAUSE_MS, t -> later.complete());
    return later.future();
  }
}
