package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * Runs work in one transaction whose outbox messages leave at its commit ({@link
 * OutboxRelay#transaction}). Passed as {@code this::transaction}, so the relay in use at the time
 * runs it, not the one there was at construction.
 */
@FunctionalInterface
public interface RelayedTransactions {
  <T> Future<T> run(Function<SqlConnection, Future<T>> work);
}
