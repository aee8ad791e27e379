package dev.microshop.orders;

import dev.microshop.contracts.OrderStatus;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/** An order's saga state as locked for one transition. */
record OrderRow(
    UUID id,
    UUID userId,
    OrderStatus status,
    String reason,
    Long totalMinor,
    String currency,
    StockState stockState,
    PaymentState paymentState,
    int stepAttempts) {

  static OrderRow from(Row row) {
    return new OrderRow(
        row.getUUID("id"),
        row.getUUID("user_id"),
        OrderStatus.valueOf(row.getString("status")),
        row.getString("reason"),
        row.getLong("total_minor"),
        row.getString("currency"),
        StockState.valueOf(row.getString("stock_state")),
        PaymentState.valueOf(row.getString("payment_state")),
        row.getInteger("step_attempts"));
  }

  boolean pending() {
    return status == OrderStatus.PENDING;
  }

  boolean cancelled() {
    return status == OrderStatus.CANCELLED;
  }

  /** The same order in another state (what a transition writes with {@code SET_STATE}). */
  OrderRow with(OrderStatus status, String reason, StockState stock, PaymentState payment) {
    return new OrderRow(
        id, userId, status, reason, totalMinor, currency, stock, payment, stepAttempts);
  }
}
