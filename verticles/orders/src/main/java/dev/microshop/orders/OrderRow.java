package dev.microshop.orders;

import dev.microshop.contracts.OrderStatus;
import io.vertx.sqlclient.Row;
import java.util.UUID;

/**
 * An order's saga state as locked for one transition, with its ages as the database saw them when
 * the row was read ({@code readAt}, this JVM's {@link System#nanoTime()}): seconds since it was
 * placed and since its last transition.
 */
record OrderRow(
    UUID id,
    UUID userId,
    OrderStatus status,
    String reason,
    Long totalMinor,
    String currency,
    StockState stockState,
    PaymentState paymentState,
    int stepAttempts,
    double placedAge,
    double stepAge,
    long readAt) {

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
        row.getInteger("step_attempts"),
        row.getDouble("placed_age"),
        row.getDouble("step_age"),
        System.nanoTime());
  }

  /** Seconds since the order was placed, now. */
  double secondsSincePlaced() {
    return placedAge + (System.nanoTime() - readAt) / 1e9;
  }

  /** Seconds since the order's last transition (when its current step started), now. */
  double secondsInStep() {
    return stepAge + (System.nanoTime() - readAt) / 1e9;
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
        id,
        userId,
        status,
        reason,
        totalMinor,
        currency,
        stock,
        payment,
        stepAttempts,
        placedAge,
        stepAge,
        readAt);
  }
}
