package dev.microshop.contracts;

/** Addresses every service with a database answers, for operating its outbox. */
public final class OutboxApi {
  /**
   * Admin only. Reply {@code {items: [{id, destination, payload, attempts, lastError,
   * createdAt}]}}.
   */
  public static String deadLetters(String service) {
    return service + ".outbox.dead.list";
  }

  /**
   * Admin only. Body {@code {id}}. Puts the dead letter back in the queue. Fails 404 if it is not
   * one.
   */
  public static String redrive(String service) {
    return service + ".outbox.dead.redrive";
  }

  /**
   * Reply {@code {pending, dead, lagSeconds}}: lag is the age of the oldest undelivered message.
   */
  public static String stats(String service) {
    return service + ".outbox.stats";
  }

  private OutboxApi() {}
}
