package dev.microshop.platform.messaging;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The idempotent-consumer half of reliable messaging: a consumer records each message id in the
 * same transaction as its effect, so a redelivered message is acknowledged and changes nothing.
 */
public final class Inbox {
  /**
   * The failure that rolls back the effect of a redelivered message (see {@code
   * ServiceVerticle.reliably}); the message is acknowledged, and an answering consumer answers with
   * what {@code effect} yielded (it ran on what the first delivery committed). Without a stack
   * trace: it is a signal, not an error.
   */
  public static final class Duplicate extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Future<?> effect;

    public Duplicate(Future<?> effect) {
      super("message already processed", null, false, false);
      this.effect = effect;
    }

    /** What the effect yielded when it ran again on what the first delivery committed. */
    public Future<?> effect() {
      return effect;
    }
  }

  private Inbox() {}

  /**
   * True the first time {@code consumer} sees {@code messageId} (and records it, inside {@code
   * tx}).
   */
  public static Future<Boolean> firstDelivery(SqlClient tx, String consumer, String messageId) {
    UUID id;
    try {
      id = messageId(messageId);
    } catch (ServiceFailure e) {
      return Future.failedFuture(e);
    }
    return tx.preparedQuery(OutboxSql.FIRST_DELIVERY)
        .execute(Tuple.of(id, consumer))
        .map(rows -> rows.rowCount() == 1);
  }

  /** A message's id, or 400. */
  public static UUID messageId(String messageId) {
    try {
      return UUID.fromString(messageId);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ServiceFailure.invalid("messageId", "messageId must be a UUID");
    }
  }
}
