package dev.microshop.platform.messaging;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** A domain failure a consumer answers with: crosses the bus as {@code msg.fail(code, message)}. */
public class ServiceFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;

  public ServiceFailure(int code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public int code() {
    return code;
  }

  /**
   * True for a failure that proves the message was never handled, so resending cannot double an
   * effect.
   */
  public static boolean notDelivered(Throwable failure) {
    return failure instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }
}
