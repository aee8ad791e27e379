package dev.microshop.contracts;

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
}
