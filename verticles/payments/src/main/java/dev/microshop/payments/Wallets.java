package dev.microshop.payments;

import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wallets and their ledger: opening on first use, and idempotent admin credits. */
final class Wallets {
  private static final Logger LOG = LoggerFactory.getLogger(Wallets.class);

  private final Pool pool;
  private final WalletConfig config;

  Wallets(Pool pool, WalletConfig config) {
    this.pool = pool;
    this.config = config;
  }

  /** The user's wallet, opened now if this is its first use. */
  Future<Wallet> get(UUID userId) {
    // Reading first costs one query for the usual case; opening stays race-free through ON
    // CONFLICT.
    return find(pool, userId)
        .compose(
            found ->
                found != null
                    ? Future.succeededFuture(found)
                    : open(pool, userId).compose(v -> find(pool, userId)));
  }

  /** Applies a credit once per message id; a redelivery replies the current wallet. */
  Future<Wallet> credit(CreditRequest request, String actor) {
    return pool.withTransaction(
        tx ->
            open(tx, request.userId())
                .compose(v -> apply(tx, request, actor))
                .compose(
                    credited ->
                        credited != null ? Future.succeededFuture(credited) : replay(tx, request)));
  }

  /**
   * Opens the user's wallet with the configured balance unless it is open; inside the caller's
   * transaction.
   */
  Future<Void> open(SqlClient sql, UUID userId) {
    return sql.preparedQuery(PaymentsSql.OPEN_WALLET)
        .execute(Tuple.of(userId, config.openingBalanceMinor(), config.currency()))
        .onSuccess(
            rows -> {
              if (rows.rowCount() > 0) {
                LOG.info(
                    "opened wallet {} with {} {}",
                    userId,
                    config.openingBalanceMinor(),
                    config.currency());
              }
            })
        .mapEmpty();
  }

  private Future<Wallet> apply(SqlClient sql, CreditRequest request, String actor) {
    return sql.preparedQuery(PaymentsSql.CREDIT)
        .execute(
            Tuple.of(
                request.userId(),
                request.amountMinor(),
                request.reason(),
                request.messageId(),
                actor))
        .map(Wallets::firstWallet)
        .onSuccess(
            wallet -> {
              if (wallet != null) {
                LOG.info(
                    "credited {} {} to wallet {} by {} (message {})",
                    request.amountMinor(),
                    wallet.currency(),
                    request.userId(),
                    actor,
                    request.messageId());
              }
            });
  }

  /**
   * A message id seen before: the same credit again is a redelivery; anything else reuses the id.
   */
  private Future<Wallet> replay(SqlClient sql, CreditRequest request) {
    return sql.preparedQuery(PaymentsSql.FIND_ENTRY)
        .execute(Tuple.of(request.messageId()))
        .compose(
            rows -> {
              Row entry = rows.iterator().next();
              if (!sameCredit(entry, request)) {
                return Future.failedFuture(
                    ServiceFailure.unprocessable(
                        "this Idempotency-Key was already used for a different credit; use a new key"));
              }
              LOG.info(
                  "credit message {} was already applied; replying the current wallet",
                  request.messageId());
              return find(sql, request.userId());
            });
  }

  private static boolean sameCredit(Row entry, CreditRequest request) {
    return entry.getString("kind").equals("CREDIT")
        && entry.getUUID("user_id").equals(request.userId())
        && entry.getLong("amount_minor") == request.amountMinor()
        && entry.getString("reason").equals(request.reason());
  }

  private static Future<Wallet> find(SqlClient sql, UUID userId) {
    return sql.preparedQuery(PaymentsSql.FIND_WALLET)
        .execute(Tuple.of(userId))
        .map(Wallets::firstWallet);
  }

  private static Wallet firstWallet(RowSet<Row> rows) {
    return rows.size() == 0 ? null : Wallet.from(rows.iterator().next());
  }
}
