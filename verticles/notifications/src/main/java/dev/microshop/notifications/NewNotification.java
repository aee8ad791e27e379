package dev.microshop.notifications;

import dev.microshop.contracts.Events.OrderCancelled;
import dev.microshop.contracts.Events.OrderConfirmed;
import dev.microshop.contracts.Events.UserRegistered;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.UUID;

/**
 * What one event tells one user, read from the event's payload (see {@code Events}). A payload
 * missing a field or carrying a wrong one is refused with a 400 naming it: the sender retries it
 * and it ends as a dead letter, where an operator can see it, instead of a half-empty notification.
 */
record NewNotification(UUID userId, UUID eventId, String kind, String title, JsonObject body) {
  static final String ORDER_CONFIRMED = "ORDER_CONFIRMED";
  static final String ORDER_CANCELLED = "ORDER_CANCELLED";
  static final String WELCOME = "WELCOME";

  /**
   * Why an order was cancelled, in the customer's words; a reason not listed here gets the bare
   * sentence.
   */
  private static final Map<String, String> CANCELLATIONS =
      Map.of(
          "OUT_OF_STOCK", "Your order was cancelled: an item is out of stock. Nothing was charged.",
          "UNKNOWN_PRODUCT",
              "Your order was cancelled: an item is no longer sold. Nothing was charged.",
          "MIXED_CURRENCY",
              "Your order was cancelled: its items are priced in different currencies. Nothing was charged.",
          "PAYMENT_DECLINED", "Your order was cancelled: the payment was declined.",
          "CANCELLED_BY_CUSTOMER", "You cancelled your order. Any payment is refunded.",
          "DEADLINE_EXCEEDED",
              "Your order was cancelled: it could not be completed in time. Any payment is refunded.");

  static NewNotification orderConfirmed(JsonObject event) {
    Fields fields = new Fields(event);
    UUID eventId = fields.uuid("eventId", true);
    OrderConfirmed confirmed = OrderConfirmed.read(fields);
    fields.check();
    return new NewNotification(
        confirmed.userId(),
        eventId,
        ORDER_CONFIRMED,
        "Order confirmed",
        new JsonObject()
            .put("orderId", confirmed.orderId().toString())
            .put("totalMinor", confirmed.totalMinor())
            .put("currency", confirmed.currency())
            .put(
                "text",
                "Your order of "
                    + money(confirmed.totalMinor(), confirmed.currency())
                    + " is confirmed."));
  }

  static NewNotification orderCancelled(JsonObject event) {
    Fields fields = new Fields(event);
    UUID eventId = fields.uuid("eventId", true);
    OrderCancelled cancelled = OrderCancelled.read(fields);
    fields.check();
    return new NewNotification(
        cancelled.userId(),
        eventId,
        ORDER_CANCELLED,
        "Order cancelled",
        new JsonObject()
            .put("orderId", cancelled.orderId().toString())
            .put("reason", cancelled.reason())
            .put(
                "text",
                CANCELLATIONS.getOrDefault(cancelled.reason(), "Your order was cancelled.")));
  }

  /** The email is not needed to greet someone. */
  static NewNotification welcome(JsonObject event) {
    Fields fields = new Fields(event);
    UUID eventId = fields.uuid("eventId", true);
    UserRegistered registered = UserRegistered.read(fields);
    fields.check();
    return new NewNotification(
        registered.userId(),
        eventId,
        WELCOME,
        "Welcome to microshop",
        new JsonObject()
            .put("displayName", registered.displayName())
            .put("text", "Hello " + registered.displayName() + ", your account is ready."));
  }

  /** The parameters of {@code NotificationsSql.INSERT}. */
  Tuple insertValues() {
    return Tuple.of(UUID.randomUUID(), userId, eventId, kind, title, body);
  }

  /** {@code 1250 EUR} is "12.50 EUR"; a code the JDK does not know is shown with two decimals. */
  static String money(long minor, String currency) {
    int digits;
    try {
      digits = Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    } catch (IllegalArgumentException e) {
      digits = 2;
    }
    return BigDecimal.valueOf(minor, digits).toPlainString() + " " + currency;
  }
}
