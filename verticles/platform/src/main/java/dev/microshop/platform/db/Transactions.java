package dev.microshop.platform.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.util.function.Function;

/**
 * Transactions that do not wait for BEGIN. {@code Pool.withTransaction} sends BEGIN and waits for
 * its answer before it runs the work; here the work's first statements are written right behind
 * BEGIN on the same connection (the client pipelines them, PostgreSQL runs them in order), which
 * saves one round trip per transaction: seven per order in the saga. COMMIT is sent once every
 * statement has answered, as before.
 *
 * <p>Two assumptions, both true of PostgreSQL and Vert.x 5.0.8: BEGIN on an idle session fails only
 * with the connection (were it to fail on a live session, the pipelined statements would each
 * commit on their own), and the work issues no statement after its future completed (one issued
 * from the callback of the last statement could go out after COMMIT or ROLLBACK, outside the
 * transaction).
 */
public final class Transactions {
  private Transactions() {}

  /**
   * Runs {@code work} in one transaction on a connection of {@code pool}: committed when the work
   * and every statement succeeded, rolled back otherwise (also when the work fails without a failed
   * statement), and the connection returned to the pool either way. The work's failure is the
   * result's failure.
   */
  public static <T> Future<T> run(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.getConnection()
        .compose(
            connection -> {
              Future<Transaction> begun = connection.begin();
              Future<T> done;
              try {
                done = work.apply(connection);
              } catch (RuntimeException e) {
                done = Future.failedFuture(e);
              }
              Future<T> result = done;
              // join, not all: the work may still be issuing statements when BEGIN fails, or BEGIN
              // still be pending when
              // the work fails; the transaction ends only once both are settled.
              return Future.join(begun, result)
                  .transform(settled -> end(begun, result))
                  .eventually(connection::close);
            });
  }

  private static <T> Future<T> end(Future<Transaction> begun, Future<T> work) {
    if (begun.failed()) {
      return Future.failedFuture(begun.cause());
    }
    Transaction tx = begun.result();
    if (work.failed()) {
      return tx.rollback().transform(ignored -> Future.failedFuture(work.cause()));
    }
    return tx.commit().map(work.result());
  }
}
