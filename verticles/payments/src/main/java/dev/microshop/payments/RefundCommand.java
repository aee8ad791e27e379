package dev.microshop.payments;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A validated {@code payments.order.refund}: give the order's charge back, once. */
record RefundCommand(UUID messageId, UUID orderId) {

  static RefundCommand fromJson(JsonObject body) {
    Fields fields = new Fields(body);
    RefundCommand command = new RefundCommand(fields.uuid("messageId"), fields.uuid("orderId"));
    fields.check();
    return command;
  }

  String ledgerReason() {
    return "refund of order " + orderId;
  }
}
