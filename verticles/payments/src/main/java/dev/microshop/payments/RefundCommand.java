package dev.microshop.payments;

import dev.microshop.contracts.PaymentsApi.Refund;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A validated {@code payments.order.refund}: give the order's charge back, once. */
record RefundCommand(UUID messageId, UUID orderId) {

  static RefundCommand fromJson(JsonObject body) {
    Fields fields = new Fields(body);
    UUID messageId = fields.uuid("messageId", true);
    Refund refund = Refund.read(fields);
    fields.check();
    return new RefundCommand(messageId, refund.orderId());
  }

  String ledgerReason() {
    return "refund of order " + orderId;
  }
}
