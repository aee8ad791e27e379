package dev.microshop.contracts;

/**
 * Addresses of the notifications service. A notification is {@code {id, userId, eventId, kind:
 * ORDER_CONFIRMED|ORDER_CANCELLED|WELCOME, title, body: {...}, createdAt}}.
 */
public final class NotificationsApi {
  /**
   * The caller's notifications, newest first (identity headers). Body {@code {cursor?, limit
   * 1..100}}.
   */
  public static final String LIST = "notifications.notification.list";

  /**
   * Published (not sent) right after a notification is stored: the gateway's Server-Sent Events
   * streams listen here for their user. Body: the notification.
   */
  public static String stream(String userId) {
    return "notifications.user." + userId + ".created";
  }

  /** Every {@link #stream} address, as a regular expression. */
  public static final String STREAM_PATTERN = "notifications\\.user\\.[^.]+\\.created";

  /** The one name metrics give all {@link #stream} addresses: a series per user would not scale. */
  public static final String STREAM_METRIC_NAME = "notifications.user.{userId}.created";

  private NotificationsApi() {}
}
