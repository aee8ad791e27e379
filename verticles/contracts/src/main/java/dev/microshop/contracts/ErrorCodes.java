package dev.microshop.contracts;

/**
 * Failure codes sent with {@code Message.fail(code, text)}. Vert.x reserves negative codes for
 * transport failures (TIMEOUT, NO_HANDLERS, RECIPIENT_FAILURE); these are the domain ones. The
 * gateway maps them to HTTP statuses in one place.
 */
public final class ErrorCodes {
  public static final int INVALID_REQUEST = 400;
  public static final int UNAUTHENTICATED = 401;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int PRECONDITION_FAILED = 412;
  public static final int UNPROCESSABLE = 422;
  public static final int UNAVAILABLE = 503;
  public static final int INTERNAL = 500;

  private ErrorCodes() {}
}
