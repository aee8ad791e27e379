package dev.microshop.orders;

import io.vertx.sqlclient.Row;
import java.util.UUID;

/** An order's saga state as locked for one transition. */
record OrderRow(
    UUID id,
    UUID userId,
    String status,
    String reason,
    Long totalMinor,
    String currency,
    String stockState,
    String paymentState,
    int stepAttempts) {

  static OrderRow from(Row row) {
    return new OrderRow(
        row.getUUID("id"),
        row.getUUID("user_id"),
        row.getString("status"),
        row.getString("reason"),
        row.getLong("total_minor"),
        row.getString("currency"),
        row.getString("stock_state"),
        row.getString("payment_state"),
        row.getInteger("step_attempts"));
  }

  boolean pending() {
    return "PENDING".equals(status);
  }

  boolean cancelled() {
    return "CANCELLED".equals(status);
  }
}
