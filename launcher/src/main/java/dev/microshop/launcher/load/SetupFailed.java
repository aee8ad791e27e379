package dev.microshop.launcher.load;

/** The run cannot start (no gateway, an empty catalog, a refused login): one line for the user. */
final class SetupFailed extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SetupFailed(String message) {
    super(message);
  }

  /** A failure's kind and message, short enough for a table cell or one line. */
  static String describe(Throwable e) {
    String text = e.getMessage() == null ? "" : e.getMessage();
    String kind = e.getClass().getSimpleName();
    String out = kind.isEmpty() || kind.equals("NoStackTraceThrowable") ? text : kind + ": " + text;
    return out.length() > 100 ? out.substring(0, 100) : out;
  }
}
