package dev.microshop.platform.messaging;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * The relay's own statements (claims, acknowledgements, retries, purges), on their own pool, which
 * may use asynchronous commit (see {@code Database.bookkeepingPool}): losing one only means a
 * message is delivered again.
 */
final class OutboxBookkeeping {
  /**
   * A claim, acknowledgement, retry, purge or answer that has not completed after this long is
   * given up (its rows are delivered again once their lease ends), so one lost request cannot stop
   * the relay: Vert.x 5.0.8 never completes a request whose wait for a pool connection timed out.
   * Above the pool's 30 s connection timeout.
   */
  static final long STUCK_MS = 60_000;

  private final Pool pool;

  OutboxBookkeeping(Pool pool) {
    this.pool = pool;
  }

  Future<RowSet<Row>> run(String sql, Tuple args) {
    return pool.preparedQuery(sql).execute(args).timeout(STUCK_MS, MILLISECONDS);
  }
}
