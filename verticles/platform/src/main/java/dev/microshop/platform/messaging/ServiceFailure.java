package dev.microshop.platform.messaging;

import dev.microshop.contracts.ErrorCodes;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;

/**
 * A domain failure a consumer answers with: crosses the bus as {@code msg.fail(code, message)}, or
 * as an {@link InvalidRequest} when it names bad fields. Built only through the named factories, so
 * no service spells an error code as a number.
 */
public final class ServiceFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int code;
  private final transient List<FieldError> errors;

  private ServiceFailure(int code, String message, List<FieldError> errors) {
    super(message, null, false, false);
    this.code = code;
    this.errors = List.copyOf(errors);
  }

  /** A 400 naming every bad field; its message joins their sentences. */
  public static ServiceFailure invalid(List<FieldError> errors) {
    return new ServiceFailure(
        ErrorCodes.INVALID_REQUEST,
        String.join("; ", errors.stream().map(FieldError::message).toList()),
        errors);
  }

  /** A 400 about one field ({@link FieldError#WHOLE_BODY} for the request as a whole). */
  public static ServiceFailure invalid(String field, String message) {
    return invalid(List.of(new FieldError(field, message)));
  }

  public static ServiceFailure unauthenticated(String message) {
    return new ServiceFailure(ErrorCodes.UNAUTHENTICATED, message, List.of());
  }

  public static ServiceFailure forbidden(String message) {
    return new ServiceFailure(ErrorCodes.FORBIDDEN, message, List.of());
  }

  public static ServiceFailure notFound(String message) {
    return new ServiceFailure(ErrorCodes.NOT_FOUND, message, List.of());
  }

  public static ServiceFailure conflict(String message) {
    return new ServiceFailure(ErrorCodes.CONFLICT, message, List.of());
  }

  public static ServiceFailure preconditionFailed(String message) {
    return new ServiceFailure(ErrorCodes.PRECONDITION_FAILED, message, List.of());
  }

  public static ServiceFailure unprocessable(String message) {
    return new ServiceFailure(ErrorCodes.UNPROCESSABLE, message, List.of());
  }

  public static ServiceFailure unavailable(String message) {
    return new ServiceFailure(ErrorCodes.UNAVAILABLE, message, List.of());
  }

  public int code() {
    return code;
  }

  /** The bad fields of a 400; empty for other failures. */
  public List<FieldError> errors() {
    return errors;
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
