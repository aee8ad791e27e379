package dev.microshop.notifications;

import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What one event tells one user, read from the event's payload (see {@code Events}). A payload
 * missing a field or carrying a wrong one is refused with a 400 naming it: the sender retries it
 * and it ends as a dead letter, where an operator can see it, instead of a half-empty notification.
 */
record NewNotification(UUID userId, UUID eventId, String kind, String title, JsonObject body) {
  static final String ORDER_CONFIRMED = "ORDER_CONFIRMED";
  static final String ORDER_CANCELLED = "ORDER_CANCELLED";
  static final String WELCOME = "WELCOME";

  static final int MAX_TEXT_CHARS = 200;
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

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

  /** {@code {eventId, orderId, userId, totalMinor, currency}}. */
  static NewNotification orderConfirmed(JsonObject event) {
    String orderId = uuid(event, "orderId").toString();
    long total = minorUnits(event, "totalMinor");
    String currency = currency(event, "currency");
    return new NewNotification(
        uuid(event, "userId"),
        uuid(event, "eventId"),
        ORDER_CONFIRMED,
        "Order confirmed",
        new JsonObject()
            .put("orderId", orderId)
            .put("totalMinor", total)
            .put("currency", currency)
            .put("text", "Your order of " + money(total, currency) + " is confirmed."));
  }

  /** {@code {eventId, orderId, userId, reason}}. */
  static NewNotification orderCancelled(JsonObject event) {
    String orderId = uuid(event, "orderId").toString();
    String reason = text(event, "reason");
    return new NewNotification(
        uuid(event, "userId"),
        uuid(event, "eventId"),
        ORDER_CANCELLED,
        "Order cancelled",
        new JsonObject()
            .put("orderId", orderId)
            .put("reason", reason)
            .put("text", CANCELLATIONS.getOrDefault(reason, "Your order was cancelled.")));
  }

  /** {@code {eventId, userId, displayName}}; the email is not needed to greet someone. */
  static NewNotification welcome(JsonObject event) {
    String displayName = text(event, "displayName");
    return new NewNotification(
        uuid(event, "userId"),
        uuid(event, "eventId"),
        WELCOME,
        "Welcome to microshop",
        new JsonObject()
            .put("displayName", displayName)
            .put("text", "Hello " + displayName + ", your account is ready."));
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

  private static UUID uuid(JsonObject event, String field) {
    if (event.getValue(field) instanceof String text) {
      try {
        return UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        // falls through to the same failure as a missing field
      }
    }
    throw invalid(field, "must be a UUID");
  }

  private static long minorUnits(JsonObject event, String field) {
    Object value = event.getValue(field);
    if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0) {
      return ((Number) value).longValue();
    }
    throw invalid(field, "must be a whole number of minor units, at least 0");
  }

  private static String currency(JsonObject event, String field) {
    if (event.getValue(field) instanceof String code && CURRENCY.matcher(code).matches()) {
      return code;
    }
    throw invalid(field, "must be an ISO 4217 code of three capital letters");
  }

  private static String text(JsonObject event, String field) {
    if (event.getValue(field) instanceof String text
        && !text.isBlank()
        && text.length() <= MAX_TEXT_CHARS) {
      return text.strip();
    }
    throw invalid(field, "must be a non-blank string of at most " + MAX_TEXT_CHARS + " characters");
  }

  private static ServiceFailure invalid(String field, String problem) {
    return ServiceFailure.invalid(field, field + " " + problem);
  }
}
