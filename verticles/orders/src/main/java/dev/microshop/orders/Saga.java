package dev.microshop.orders;

import dev.microshop.contracts.Events;
import dev.microshop.contracts.Events.OrderCancelled;
import dev.microshop.contracts.Events.OrderConfirmed;
import dev.microshop.contracts.InventoryApi;
import dev.microshop.contracts.InventoryApi.CommitStock;
import dev.microshop.contracts.InventoryApi.ReleaseStock;
import dev.microshop.contracts.InventoryApi.ReserveStock;
import dev.microshop.contracts.OrderStatus;
import dev.microshop.contracts.PaymentsApi;
import dev.microshop.contracts.PaymentsApi.Charge;
import dev.microshop.contracts.PaymentsApi.Refund;
import dev.microshop.contracts.SagaResult;
import dev.microshop.contracts.SagaResult.PaymentCharged;
import dev.microshop.contracts.SagaResult.PaymentDeclined;
import dev.microshop.contracts.SagaResult.PricedLine;
import dev.microshop.contracts.SagaResult.StockRejected;
import dev.microshop.contracts.SagaResult.StockReserved;
import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.Outbox;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.Future;
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
 * (release, refund). A transition that makes an order final is counted ({@link OrderMetrics}).
 */
final class Saga {
  private Saga() {}

  /**
   * A participant's answer to a command, as the relay hands it over: read into its {@link
   * SagaResult}, then applied like any other result.
   */
  static Future<Void> answered(SqlConnection tx, JsonObject answer) {
    SagaResult result;
    try {
      result = SagaResult.fromJson(answer);
    } catch (IllegalArgumentException e) {
      // Fails the delivery: retried, then a dead letter an admin can see, rather than an answer
      // silently dropped.
      return Future.failedFuture(ServiceFailure.invalid(FieldError.WHOLE_BODY, e.getMessage()));
    }
    return on(tx, result);
  }

  /** The one way into the saga: every result of every participant enters here. */
  static Future<Void> on(SqlConnection tx, SagaResult result) {
    return lock(tx, result.orderId())
        .compose(
            order -> {
              if (order == null) {
                return Future.succeededFuture(); // not an order of ours: nothing to move
              }
              return switch (result.kind()) {
                case STOCK_RESERVED -> stockReserved(tx, order, (StockReserved) result);
                case STOCK_REJECTED -> stockRejected(tx, order, (StockRejected) result);
                case PAYMENT_CHARGED -> paymentCharged(tx, order, (PaymentCharged) result);
                case PAYMENT_DECLINED -> paymentDeclined(tx, order, (PaymentDeclined) result);
              };
            });
  }

  private static Future<Void> stockReserved(
      SqlConnection tx, OrderRow order, StockReserved result) {
    if (order.stockState() != StockState.REQUESTED) {
      return Future.succeededFuture(); // a duplicate, or a reservation already compensated
    }
    if (order.cancelled()) {
      return set(
              tx,
              order.with(order.status(), order.reason(), StockState.RELEASED, order.paymentState()))
          .compose(v -> release(tx, order, "late reservation after the order was cancelled"));
    }
    long total = result.totalMinor();
    String currency = result.currency();
    OrderMetrics.answered(tx, order, OrderMetrics.Step.RESERVE);
    return pipelined(
        priceLines(tx, order.id(), result.lines()),
        tx.preparedQuery(OrdersSql.SET_STATE_PRICED)
            .execute(
                Tuple.of(
                    order.id(),
                    OrderStatus.PENDING.name(),
                    null,
                    StockState.RESERVED.name(),
                    PaymentState.REQUESTED.name(),
                    total,
                    currency)),
        Outbox.command(tx, PaymentsApi.CHARGE, charge(order, total, currency)),
        steps(tx, order.id(), "STOCK_RESERVED", total + " " + currency, "CHARGE_REQUESTED", null));
  }

  private static Future<Void> stockRejected(
      SqlConnection tx, OrderRow order, StockRejected result) {
    if (order.stockState() != StockState.REQUESTED) {
      return Future.succeededFuture();
    }
    String reason = result.reason().name();
    if (!order.pending()) {
      return set(
          tx,
          order.with(order.status(), order.reason(), StockState.REJECTED, order.paymentState()));
    }
    OrderMetrics.answered(tx, order, OrderMetrics.Step.RESERVE);
    OrderMetrics.finished(tx, order, OrderStatus.CANCELLED, reason);
    return set(
            tx,
            order.with(OrderStatus.CANCELLED, reason, StockState.REJECTED, order.paymentState()))
        .compose(v -> step(tx, order.id(), "STOCK_REJECTED", reason))
        .compose(v -> cancelled(tx, order, reason));
  }

  private static Future<Void> paymentCharged(
      SqlConnection tx, OrderRow order, PaymentCharged result) {
    if (order.paymentState() != PaymentState.REQUESTED) {
      return Future.succeededFuture();
    }
    if (!order.pending()) {
      return set(
              tx,
              order.with(order.status(), order.reason(), order.stockState(), PaymentState.REFUNDED))
          .compose(v -> Outbox.command(tx, PaymentsApi.REFUND, new Refund(order.id()).toJson()))
          .compose(
              v ->
                  step(
                      tx,
                      order.id(),
                      "REFUND_REQUESTED",
                      "late charge after the order was cancelled"));
    }
    OrderMetrics.answered(tx, order, OrderMetrics.Step.CHARGE);
    OrderMetrics.finished(tx, order, OrderStatus.CONFIRMED, null);
    return pipelined(
        set(
            tx,
            order.with(OrderStatus.CONFIRMED, null, StockState.COMMITTED, PaymentState.CHARGED)),
        Outbox.command(tx, InventoryApi.COMMIT_STOCK, new CommitStock(order.id()).toJson()),
        steps(
            tx,
            order.id(),
            "PAYMENT_CHARGED",
            result.amountMinor() + " " + result.currency(),
            "CONFIRMED",
            null),
        Outbox.event(
            tx,
            Events.ORDER_CONFIRMED,
            new OrderConfirmed(order.id(), order.userId(), order.totalMinor(), order.currency())
                .toJson()));
  }

  private static Future<Void> paymentDeclined(
      SqlConnection tx, OrderRow order, PaymentDeclined result) {
    if (order.paymentState() != PaymentState.REQUESTED) {
      return Future.succeededFuture();
    }
    String reason = result.reason().name();
    if (!order.pending()) {
      return set(
          tx,
          order.with(order.status(), order.reason(), order.stockState(), PaymentState.DECLINED));
    }
    OrderMetrics.answered(tx, order, OrderMetrics.Step.CHARGE);
    OrderMetrics.finished(tx, order, OrderStatus.CANCELLED, "PAYMENT_DECLINED");
    return set(
            tx,
            order.with(
                OrderStatus.CANCELLED,
                "PAYMENT_DECLINED",
                StockState.RELEASED,
                PaymentState.DECLINED))
        .compose(v -> step(tx, order.id(), "PAYMENT_DECLINED", reason))
        .compose(v -> release(tx, order, null))
        .compose(v -> cancelled(tx, order, "PAYMENT_DECLINED"));
  }

  /**
   * Cancels a pending order (by its customer, or past its deadline) and undoes what is done: a
   * reservation is released now; a reservation or charge still in flight is compensated when it
   * arrives (see above).
   */
  static Future<Void> cancel(SqlConnection tx, OrderRow order, String reason) {
    boolean reserved = order.stockState() == StockState.RESERVED;
    OrderMetrics.finished(tx, order, OrderStatus.CANCELLED, reason);
    return set(
            tx,
            order.with(
                OrderStatus.CANCELLED,
                reason,
                reserved ? StockState.RELEASED : order.stockState(),
                order.paymentState()))
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
    if (order.stockState() == StockState.REQUESTED) {
      resent =
          Orders.reserveLines(tx, order.id())
              .compose(
                  lines ->
                      Outbox.command(
                          tx,
                          InventoryApi.RESERVE_STOCK,
                          new ReserveStock(order.id(), lines).toJson()));
    } else if (order.paymentState() == PaymentState.REQUESTED) {
      resent =
          Outbox.command(
              tx, PaymentsApi.CHARGE, charge(order, order.totalMinor(), order.currency()));
    } else {
      resent = Future.succeededFuture();
    }
    return resent
        .compose(v -> tx.preparedQuery(OrdersSql.STEP_RETRIED).execute(Tuple.of(order.id())))
        .compose(
            v -> step(tx, order.id(), "STEP_RETRIED", "attempt " + (order.stepAttempts() + 2)));
  }

  private static Future<Void> cancelled(SqlConnection tx, OrderRow order, String reason) {
    return Outbox.event(
        tx,
        Events.ORDER_CANCELLED,
        new OrderCancelled(order.id(), order.userId(), reason).toJson());
  }

  private static Future<Void> release(SqlConnection tx, OrderRow order, String why) {
    return Outbox.command(tx, InventoryApi.RELEASE_STOCK, new ReleaseStock(order.id()).toJson())
        .compose(v -> step(tx, order.id(), "STOCK_RELEASE_REQUESTED", why));
  }

  private static JsonObject charge(OrderRow order, long total, String currency) {
    return new Charge(order.id(), order.userId(), total, currency).toJson();
  }

  private static Future<OrderRow> lock(SqlConnection tx, UUID orderId) {
    return tx.preparedQuery(OrdersSql.LOCK)
        .execute(Tuple.of(orderId))
        .map(rows -> rows.size() == 0 ? null : OrderRow.from(rows.iterator().next()));
  }

  /** Writes the order's new state (the {@code order} given is that state). */
  private static Future<Void> set(SqlConnection tx, OrderRow order) {
    return tx.preparedQuery(OrdersSql.SET_STATE)
        .execute(
            Tuple.of(
                order.id(),
                order.status().name(),
                order.reason(),
                order.stockState().name(),
                order.paymentState().name()))
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

  private static Future<?> priceLines(SqlConnection tx, UUID orderId, List<PricedLine> lines) {
    List<Tuple> priced = new ArrayList<>();
    for (PricedLine line : lines) {
      priced.add(Tuple.of(orderId, line.productId(), line.priceMinor(), line.name()));
    }
    return priced.isEmpty()
        ? Future.succeededFuture()
        : tx.preparedQuery(OrdersSql.PRICE_LINE).executeBatch(priced);
  }
}
