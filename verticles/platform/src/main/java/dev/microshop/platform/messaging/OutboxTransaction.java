package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.PreparedStatement;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.spi.DatabaseMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The connection of a transaction run by {@link OutboxRelay#transaction}: it behaves as the
 * connection it wraps and also remembers the messages {@link Outbox#add} wrote through it, so the
 * relay can send them the moment the transaction commits instead of finding them with a query. Such
 * rows are written already leased to this instance; if it dies before they are acknowledged, the
 * lease runs out and any relay's poll delivers them.
 */
final class OutboxTransaction implements SqlConnection {
  private final SqlConnection connection;
  private final long leaseSeconds;
  private final List<OutboxDispatch.Delivery> written = new ArrayList<>();

  OutboxTransaction(SqlConnection connection, long leaseSeconds) {
    this.connection = connection;
    this.leaseSeconds = leaseSeconds;
  }

  long leaseSeconds() {
    return leaseSeconds;
  }

  void wrote(UUID id, String destination, JsonObject payload, String traceParent) {
    // Its first attempt, after the commit, in the writer's trace.
    written.add(new OutboxDispatch.Delivery(id, destination, payload, traceParent, 1));
  }

  List<OutboxDispatch.Delivery> written() {
    return written;
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return connection.query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return connection.preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return connection.preparedQuery(sql, options);
  }

  @Override
  public Future<PreparedStatement> prepare(String sql) {
    return connection.prepare(sql);
  }

  @Override
  public Future<PreparedStatement> prepare(String sql, PrepareOptions options) {
    return connection.prepare(sql, options);
  }

  @Override
  public SqlConnection exceptionHandler(Handler<Throwable> handler) {
    connection.exceptionHandler(handler);
    return this;
  }

  @Override
  public SqlConnection closeHandler(Handler<Void> handler) {
    connection.closeHandler(handler);
    return this;
  }

  @Override
  public Future<Transaction> begin() {
    return connection.begin();
  }

  @Override
  public Transaction transaction() {
    return connection.transaction();
  }

  @Override
  public boolean isSSL() {
    return connection.isSSL();
  }

  @Override
  public DatabaseMetadata databaseMetadata() {
    return connection.databaseMetadata();
  }

  @Override
  public Future<Void> close() {
    return connection.close();
  }
}
