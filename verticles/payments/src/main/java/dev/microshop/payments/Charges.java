package dev.microshop.payments;

import dev.microshop.contracts.SagaResult.PaymentCharged;
import dev.microshop.contracts.SagaResult.PaymentDeclined;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order saga's side of the wallets: charge an order once, refund it once. Each method runs
 * inside the transaction that records the command's message id, holds the wallet's row lock (so one
 * wallet's charges apply one at a time and a repeated command sees what its twin committed); a
 * charge yields its outcome, which the reply carries to orders.
 */
final class Charges {
  private static final Logger LOG = LoggerFactory.getLogger(Charges.class);

  private final Wallets wallets;

  Charges(Wallets wallets) {
    this.wallets = wallets;
  }

  /**
   * Decides an order's charge once: debits the wallet, or declines and records why. A repeated
   * CHARGE for the order answers that outcome and changes nothing.
   */
  Future<JsonObject> charge(SqlConnection tx, ChargeCommand command) {
    // Issued together, one round trip: PostgreSQL runs them in this order, so the outcome is read
    // under the lock.
    Future<Void> opened = wallets.open(tx, command.userId());
    Future<Wallet> locked = lock(tx, command.userId());
    Future<RowSet<Row>> outcome =
        tx.preparedQuery(PaymentsSql.FIND_CHARGE_OUTCOME).execute(Tuple.of(command.orderId()));
    return Future.all(opened, locked, outcome)
        .compose(
            all ->
                outcome.result().size() > 0
                    ? replay(command.orderId(), outcome.result().iterator().next())
                    : decide(tx, command, locked.result()));
  }

  /**
   * Whether the order's charge was decided (charged or declined) already: read outside any
   * transaction, before the provider is called, so a redelivery does not call it again.
   */
  Future<Boolean> decided(Pool pool, UUID orderId) {
    return pool.preparedQuery(PaymentsSql.FIND_CHARGE_OUTCOME)
        .execute(Tuple.of(orderId))
        .map(rows -> rows.size() > 0);
  }

  /**
   * Credits an order's charge back, unless there is none or it was refunded already. Sends no
   * result.
   */
  Future<Void> refund(SqlConnection tx, RefundCommand command) {
    return tx.preparedQuery(PaymentsSql.FIND_CHARGE)
        .execute(Tuple.of(command.orderId()))
        .compose(
            charges ->
                charges.size() == 0
                    ? nothingToRefund(command)
                    : refund(tx, command, charges.iterator().next()));
  }

  private Future<JsonObject> decide(SqlConnection tx, ChargeCommand command, Wallet wallet) {
    String declined = command.declineReason(wallet);
    if (declined != null) {
      return decline(tx, command, declined);
    }
    return tx.preparedQuery(PaymentsSql.CHARGE)
        .execute(
            Tuple.of(
                command.userId(),
                command.amountMinor(),
                command.ledgerReason(),
                command.messageId(),
                command.orderId()))
        .compose(
            debited ->
                debited.size() == 1
                    ? Future.succeededFuture(
                        charged(command.orderId(), command.amountMinor(), command.currency()))
                    // Cannot happen under the wallet's lock; failing rolls back, and the relay
                    // delivers the command again.
                    : Future.<JsonObject>failedFuture(
                        new IllegalStateException(
                            "order " + command.orderId() + " was not charged")))
        .onSuccess(
            v ->
                LOG.info(
                    "order {}: charged {} {} to wallet {}",
                    command.orderId(),
                    command.amountMinor(),
                    command.currency(),
                    command.userId()));
  }

  private Future<JsonObject> decline(SqlConnection tx, ChargeCommand command, String reason) {
    LOG.info(
        "order {}: charge of {} {} to wallet {} declined ({})",
        command.orderId(),
        command.amountMinor(),
        command.currency(),
        command.userId(),
        reason);
    return tx.preparedQuery(PaymentsSql.DECLINE)
        .execute(
            Tuple.of(
                command.orderId(),
                command.userId(),
                command.amountMinor(),
                command.currency(),
                reason))
        .map(recorded -> declined(command.orderId(), reason));
  }

  private static Future<Void> refund(SqlConnection tx, RefundCommand command, Row charge) {
    UUID user = charge.getUUID("user_id");
    long amount = charge.getLong("amount_minor");
    if (amount == 0) {
      return nothingToRefund(command);
    }
    return lock(tx, user)
        .compose(
            wallet ->
                tx.preparedQuery(PaymentsSql.REFUND)
                    .execute(
                        Tuple.of(
                            user,
                            amount,
                            command.ledgerReason(),
                            command.messageId(),
                            command.orderId())))
        .onSuccess(
            rows -> {
              if (rows.size() == 1) {
                LOG.info("order {}: refunded {} to wallet {}", command.orderId(), amount, user);
              } else {
                LOG.info("order {}: already refunded", command.orderId());
              }
            })
        .mapEmpty();
  }

  private static Future<Void> nothingToRefund(RefundCommand command) {
    LOG.info("order {}: no charge to refund", command.orderId());
    return Future.succeededFuture();
  }

  private static Future<JsonObject> replay(UUID orderId, Row outcome) {
    LOG.debug(
        "order {}: charge was decided before ({}); answering the same outcome",
        orderId,
        outcome.getString("outcome"));
    return Future.succeededFuture(
        "CHARGED".equals(outcome.getString("outcome"))
            ? charged(orderId, outcome.getLong("amount_minor"), outcome.getString("currency"))
            : declined(orderId, outcome.getString("reason")));
  }

  private static Future<Wallet> lock(SqlConnection tx, UUID userId) {
    return tx.preparedQuery(PaymentsSql.LOCK_WALLET)
        .execute(Tuple.of(userId))
        .map(rows -> Wallet.from(rows.iterator().next()));
  }

  private static JsonObject charged(UUID orderId, long amountMinor, String currency) {
    return new PaymentCharged(orderId, amountMinor, currency).toJson();
  }

  /** The reason is one of the {@link PaymentDeclined.Reason} names, as recorded. */
  private static JsonObject declined(UUID orderId, String reason) {
    return new PaymentDeclined(orderId, PaymentDeclined.Reason.valueOf(reason)).toJson();
  }
}
