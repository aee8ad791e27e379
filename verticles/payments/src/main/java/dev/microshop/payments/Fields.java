package dev.microshop.payments;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the fields of a request body strictly, collecting every problem so one 400 names all the
 * bad fields ({@code "amountMinor must be ...; reason is required"}). Unknown fields are ignored,
 * as the style asks.
 */
final class Fields {
  // UUID.fromString accepts "1-1-1-1-1"; ids here are the canonical 36-character form only.
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private final JsonObject body;
  private final List<String> problems = new ArrayList<>();

  Fields(JsonObject body) {
    this.body = body;
  }

  static boolean isUuid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches();
  }

  UUID uuid(String name) {
    Object value = body.getValue(name);
    if (value == null) {
      problems.add(name + " is required");
    } else if (!(value instanceof String text) || !isUuid(text)) {
      problems.add(name + " must be a UUID");
    } else {
      return UUID.fromString(text);
    }
    return null;
  }

  /** An integer JSON number in {@code min..max}: 5.0, "5" and 5.5 are all refused. */
  long integer(String name, long min, long max) {
    Object value = body.getValue(name);
    // JSON numbers beyond a long decode as BigInteger, fractions as Double: neither is accepted.
    boolean integral =
        value instanceof Integer
            || value instanceof Long
            || value instanceof Short
            || value instanceof Byte;
    if (value == null) {
      problems.add(name + " is required");
    } else if (integral
        && ((Number) value).longValue() >= min
        && ((Number) value).longValue() <= max) {
      return ((Number) value).longValue();
    } else {
      problems.add(name + " must be an integer from " + min + " to " + max);
    }
    return 0;
  }

  /** Like {@link #integer(String, long, long)}, but {@code fallback} when the field is absent. */
  long integer(String name, long min, long max, long fallback) {
    return body.getValue(name) == null ? fallback : integer(name, min, max);
  }

  /** A string matching {@code pattern}, or null when absent. */
  String optional(String name, Pattern pattern, String rule) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof String text && pattern.matcher(text).matches()) {
      return text;
    }
    problems.add(name + " must be " + rule);
    return null;
  }

  /** An ISO 4217 style code: three upper-case letters. */
  String currency(String name) {
    Object value = body.getValue(name);
    if (value == null) {
      problems.add(name + " is required");
    } else if (!(value instanceof String text) || !CURRENCY.matcher(text).matches()) {
      problems.add(name + " must be an ISO 4217 code like EUR");
    } else {
      return text;
    }
    return null;
  }

  /**
   * Text of 1..maxLength characters once trimmed, without control characters (it ends up in logs).
   */
  String text(String name, int maxLength) {
    Object value = body.getValue(name);
    if (value == null) {
      problems.add(name + " is required");
      return null;
    }
    if (!(value instanceof String raw)) {
      problems.add(name + " must be a string");
      return null;
    }
    String text = raw.strip();
    if (text.isEmpty()) {
      problems.add(name + " is required");
    } else if (text.codePointCount(0, text.length()) > maxLength) {
      problems.add(name + " must be at most " + maxLength + " characters");
    } else if (text.codePoints().anyMatch(Character::isISOControl)) {
      problems.add(name + " must not contain control characters");
    } else {
      return text;
    }
    return null;
  }

  /** Fails with 400 naming every bad field, if there is one. */
  void check() {
    if (!problems.isEmpty()) {
      throw new ServiceFailure(ErrorCodes.INVALID_REQUEST, String.join("; ", problems));
    }
  }
}
