package dev.microshop.orders;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.OrdersApi;
import dev.microshop.contracts.SagaCommands;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The order saga: PENDING → reserve stock → charge the wallet → CONFIRMED, or CANCELLED with
 * compensation. Every method is one transition inside the caller's transaction, on an order row
 * locked FOR UPDATE, so concurrent results for one order apply one after the other. A success that
 * arrives after the order was cancelled (late reservation, late charge) is compensated at once
 * (release, refund).
 */
final class Saga {
  private Saga() {}

  /** A participant's answer to a command ({@link SagaCommands#RESULT} says which result it is). */
  static Future<Void> answered(SqlConnection tx, JsonObject answer) {
    String result = answer.getString(SagaCommands.RESULT, "");
    return switch (result) {
      case OrdersApi.STOCK_RESERVED -> stockReserved(tx, answer);
      case OrdersApi.STOCK_REJECTED -> stockRejected(tx, answer);
      case OrdersApi.PAYMENT_CHARGED -> paymentCharged(tx, answer);
      case OrdersApi.PAYMENT_DECLINED -> paymentDeclined(tx, answer);
      // Fails the delivery: retried, then a dead letter an admin can see, rather than an answer
      // silently dropped.
      default ->
          Future.failedFuture(new ServiceFailure(400, "unknown saga result \"" + result + "\""));
    };
  }

  static Future<Void> stockReserved(SqlConnection tx, JsonObject result) {
    return lock(tx, result)
        .compose(
            order -> {
              if (order == null || !"REQUESTED".equals(order.stockState())) {
                return Future
                    .succeededFuture(); // a duplicate, or a reservation already compensated
              }
              if (order.cancelled()) {
                return set(
                        tx, order, order.status(), order.reason(), "RELEASED", order.paymentState())
                    .compose(
                        v -> release(tx, order, "late reservation after the order was cancelled"));
              }
              long total = result.getLong("totalMinor");
              String currency = result.getString("currency");
              return pipelined(
                  priceLines(tx, order.id(), result.getJsonArray("lines")),
                  tx.preparedQuery(OrdersSql.SET_STATE_PRICED)
                      .execute(
                          Tuple.of(
                              order.id(),
                              "PENDING",
                              null,
                              "RESERVED",
                              "REQUESTED",
                              total,
                              currency)),
                  Messages.command(tx, SagaCommands.CHARGE, charge(order, total, currency)),
                  steps(
                      tx,
                      order.id(),
                      "STOCK_RESERVED",
                      total + " " + currency,
                      "CHARGE_REQUESTED",
                      null));
            });
  }

  static Future<Void> stockRejected(SqlConnection tx, JsonObject result) {
    return lock(tx, result)
        .compose(
            order -> {
              if (order == null || !"REQUESTED".equals(order.stockState())) {
                return Future.succeededFuture();
              }
              String reason = result.getString("reason", "OUT_OF_STOCK");
              if (!order.pending()) {
                return set(
                    tx, order, order.status(), order.reason(), "REJECTED", order.paymentState());
              }
              return set(tx, order, "CANCELLED", reason, "REJECTED", order.paymentState())
                  .compose(v -> step(tx, order.id(), "STOCK_REJECTED", reason))
                  .compose(v -> cancelled(tx, order, reason));
            });
  }

  static Future<Void> paymentCharged(SqlConnection tx, JsonObject result) {
    return lock(tx, result)
        .compose(
            order -> {
              if (order == null || !"REQUESTED".equals(order.paymentState())) {
                return Future.succeededFuture();
              }
              if (!order.pending()) {
                return set(
                        tx, order, order.status(), order.reason(), order.stockState(), "REFUNDED")
                    .compose(v -> Messages.command(tx, SagaCommands.REFUND, orderRef(order)))
                    .compose(
                        v ->
                            step(
                                tx,
                                order.id(),
                                "REFUND_REQUESTED",
                                "late charge after the order was cancelled"));
              }
              return pipelined(
                  set(tx, order, "CONFIRMED", null, "COMMITTED", "CHARGED"),
                  Messages.command(tx, SagaCommands.COMMIT_STOCK, orderRef(order)),
                  steps(
                      tx,
                      order.id(),
                      "PAYMENT_CHARGED",
                      result.getLong("amountMinor") + " " + result.getString("currency"),
                      "CONFIRMED",
                      null),
                  Messages.event(
                      tx,
                      Events.ORDER_CONFIRMED,
                      new JsonObject()
                          .put("orderId", order.id().toString())
                          .put("userId", order.userId().toString())
                          .put("totalMinor", order.totalMinor())
                          .put("currency", order.currency())));
            });
  }

  static Future<Void> paymentDeclined(SqlConnection tx, JsonObject result) {
    return lock(tx, result)
        .compose(
            order -> {
              if (order == null || !"REQUESTED".equals(order.paymentState())) {
                return Future.succeededFuture();
              }
              String reason = result.getString("reason", "INSUFFICIENT_FUNDS");
              if (!order.pending()) {
                return set(
                    tx, order, order.status(), order.reason(), order.stockState(), "DECLINED");
              }
              return set(tx, order, "CANCELLED", "PAYMENT_DECLINED", "RELEASED", "DECLINED")
                  .compose(v -> step(tx, order.id(), "PAYMENT_DECLINED", reason))
                  .compose(v -> release(tx, order, null))
                  .compose(v -> cancelled(tx, order, "PAYMENT_DECLINED"));
            });
  }

  /**
   * Cancels a pending order (by its customer, or past its deadline) and undoes what is done: a
   * reservation is released now; a reservation or charge still in flight is compensated when it
   * arrives (see above).
   */
  static Future<Void> cancel(SqlConnection tx, OrderRow order, String reason) {
    boolean reserved = "RESERVED".equals(order.stockState());
    return set(
            tx,
            order,
            "CANCELLED",
            reason,
            reserved ? "RELEASED" : order.stockState(),
            order.paymentState())
        .compose(v -> step(tx, order.id(), reason, null))
        .compose(v -> reserved ? release(tx, order, null) : Future.succeededFuture())
        .compose(v -> cancelled(tx, order, reason));
  }

  /**
   * Sends the current step's command again: participants are idempotent per order and answer the
   * same.
   */
  static Future<Void> retryStep(SqlConnection tx, OrderRow order) {
    Future<Void> resent;
    if ("REQUESTED".equals(order.stockState())) {
      resent =
          Orders.lines(tx, order.id())
              .compose(
                  lines ->
                      Messages.command(
                          tx, SagaCommands.RESERVE_STOCK, orderRef(order).put("lines", lines)));
    } else if ("REQUESTED".equals(order.paymentState())) {
      resent =
          Messages.command(
              tx, SagaCommands.CHARGE, charge(order, order.totalMinor(), order.currency()));
    } else {
      resent = Future.succeededFuture();
    }
    return resent
        .compose(v -> tx.preparedQuery(OrdersSql.STEP_RETRIED).execute(Tuple.of(order.id())))
        .compose(
            v -> step(tx, order.id(), "STEP_RETRIED", "attempt " + (order.stepAttempts() + 2)));
  }

  private static Future<Void> cancelled(SqlConnection tx, OrderRow order, String reason) {
    return Messages.event(
        tx,
        Events.ORDER_CANCELLED,
        new JsonObject()
            .put("orderId", order.id().toString())
            .put("userId", order.userId().toString())
            .put("reason", reason));
  }

  private static Future<Void> release(SqlConnection tx, OrderRow order, String why) {
    return Messages.command(tx, SagaCommands.RELEASE_STOCK, orderRef(order))
        .compose(v -> step(tx, order.id(), "STOCK_RELEASE_REQUESTED", why));
  }

  private static JsonObject orderRef(OrderRow order) {
    return new JsonObject().put("orderId", order.id().toString());
  }

  private static JsonObject charge(OrderRow order, long total, String currency) {
    return orderRef(order)
        .put("userId", order.userId().toString())
        .put("amountMinor", total)
        .put("currency", currency);
  }

  private static Future<OrderRow> lock(SqlConnection tx, JsonObject result) {
    UUID id;
    try {
      id = UUID.fromString(result.getString("orderId"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new ServiceFailure(400, "orderId must be a UUID"));
    }
    return tx.preparedQuery(OrdersSql.LOCK)
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : OrderRow.from(rows.iterator().next()));
  }

  private static Future<Void> set(
      SqlConnection tx,
      OrderRow order,
      String status,
      String reason,
      String stock,
      String payment) {
    return tx.preparedQuery(OrdersSql.SET_STATE)
        .execute(Tuple.of(order.id(), status, reason, stock, payment))
        .mapEmpty();
  }

  /**
   * Statements of one transition that need no answer from each other, issued at once: the
   * connection sends them back to back and PostgreSQL runs them in this order, so the transition
   * costs one round trip instead of one per statement. If one fails, the transaction is aborted and
   * the rest fail with it; the whole transition rolls back.
   */
  static Future<Void> pipelined(Future<?>... statements) {
    return Future.all(List.of(statements)).mapEmpty();
  }

  static Future<Void> step(SqlConnection tx, UUID orderId, String step, String detail) {
    return tx.preparedQuery(OrdersSql.TIMELINE).execute(Tuple.of(orderId, step, detail)).mapEmpty();
  }

  /** Two steps of one transition, in this order, in one statement. */
  static Future<Void> steps(
      SqlConnection tx,
      UUID orderId,
      String first,
      String firstDetail,
      String second,
      String secondDetail) {
    return tx.preparedQuery(OrdersSql.TIMELINE_STEPS)
        .execute(
            Tuple.of(
                orderId, new String[] {first, second}, new String[] {firstDetail, secondDetail}))
        .mapEmpty();
  }

  private static Future<?> priceLines(SqlConnection tx, UUID orderId, JsonArray lines) {
    List<Tuple> priced = new ArrayList<>();
    for (Object o : lines == null ? new JsonArray() : lines) {
      JsonObject line = (JsonObject) o;
      priced.add(
          Tuple.of(
              orderId,
              UUID.fromString(line.getString("productId")),
              line.getLong("priceMinor"),
              line.getString("name")));
    }
    return priced.isEmpty()
        ? Future.succeededFuture()
        : tx.preparedQuery(OrdersSql.PRICE_LINE).executeBatch(priced);
  }
}
