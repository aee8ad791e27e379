package dev.microshop.contracts;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Events other services react to. The producer writes one outbox row per subscriber (so each
 * subscriber gets every event, even if it was down when it happened) to {@link #deliveryAddress},
 * with {@code messageId = }{@link #deliveryId}{@code (eventId, subscriber)} and the event's own
 * {@code eventId} in the body.
 */
public final class Events {
  /** {@code {eventId, occurredAt, orderId, userId, totalMinor, currency}}. */
  public static final String ORDER_CONFIRMED = "orders.order.confirmed";

  /** {@code {eventId, occurredAt, orderId, userId, reason}}. */
  public static final String ORDER_CANCELLED = "orders.order.cancelled";

  /** {@code {eventId, occurredAt, userId, email, displayName}}. */
  public static final String USER_REGISTERED = "users.user.registered";

  /** Who subscribes to what. */
  public static final Map<String, List<String>> SUBSCRIBERS =
      Map.of(
          ORDER_CONFIRMED, List.of(Services.NOTIFICATIONS),
          ORDER_CANCELLED, List.of(Services.NOTIFICATIONS),
          USER_REGISTERED, List.of(Services.NOTIFICATIONS));

  /**
   * Where {@code subscriber} receives {@code event}: {@code
   * notifications.on.orders.order.confirmed}.
   */
  public static String deliveryAddress(String subscriber, String event) {
    return subscriber + ".on." + event;
  }

  /**
   * The message id of one delivery: stable, so a re-published event deduplicates per subscriber.
   */
  public static String deliveryId(String eventId, String subscriber) {
    return UUID.nameUUIDFromBytes((eventId + "/" + subscriber).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private Events() {}

  /** The body of {@link #ORDER_CONFIRMED} (the fan-out adds eventId, messageId, occurredAt). */
  public record OrderConfirmed(UUID orderId, UUID userId, long totalMinor, String currency) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("orderId", orderId.toString())
          .put("userId", userId.toString())
          .put("totalMinor", totalMinor)
          .put("currency", currency);
    }

    public static OrderConfirmed read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      UUID userId = in.uuid("userId", true);
      Long totalMinor = in.integer("totalMinor", true, 0, Long.MAX_VALUE);
      String currency = in.currency("currency", true);
      return orderId == null || userId == null || totalMinor == null || currency == null
          ? null
          : new OrderConfirmed(orderId, userId, totalMinor, currency);
    }
  }

  /** The body of {@link #ORDER_CANCELLED}: {@code reason} is an upper-case code. */
  public record OrderCancelled(UUID orderId, UUID userId, String reason) {
    public static final int MAX_REASON = 200;

    public JsonObject toJson() {
      return new JsonObject()
          .put("orderId", orderId.toString())
          .put("userId", userId.toString())
          .put("reason", reason);
    }

    public static OrderCancelled read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      UUID userId = in.uuid("userId", true);
      String reason = in.line("reason", true, 1, MAX_REASON);
      return orderId == null || userId == null || reason == null
          ? null
          : new OrderCancelled(orderId, userId, reason);
    }
  }

  /** The body of {@link #USER_REGISTERED}. */
  public record UserRegistered(UUID userId, String email, String displayName) {
    public static final int MAX_TEXT = 254;
    public static final int MAX_DISPLAY_NAME = 200;

    public JsonObject toJson() {
      return new JsonObject()
          .put("userId", userId.toString())
          .put("email", email)
          .put("displayName", displayName);
    }

    /** The email is optional to a reader: greeting someone needs only the name. */
    public static UserRegistered read(FieldReader in) {
      UUID userId = in.uuid("userId", true);
      String email = in.line("email", false, 1, MAX_TEXT);
      String displayName = in.line("displayName", true, 1, MAX_DISPLAY_NAME);
      return userId == null || displayName == null
          ? null
          : new UserRegistered(userId, email, displayName);
    }
  }
}
