package dev.microshop.inventory;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the fields of one request body, collecting every problem so a client fixes all of them at
 * once. Each problem starts with the field's name. Fields not asked for are ignored (messageId,
 * occurredAt, newer ones).
 */
final class Fields {
  /** Canonical 8-4-4-4-12 form: {@code UUID.fromString} alone accepts "1-1-1-1-1". */
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final JsonObject body;
  private final List<String> problems = new ArrayList<>();

  Fields(JsonObject body) {
    this.body = body == null ? new JsonObject() : body;
  }

  boolean has(String field) {
    return body.containsKey(field);
  }

  /**
   * A string of {@code min..max} characters, trimmed; null when absent and optional, or when
   * invalid.
   */
  String text(String field, boolean required, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, "a string of " + min + " to " + max + " characters");
    }
    if (!(value instanceof String raw)) {
      return problem(field + " must be a string");
    }
    String text = raw.strip();
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      return problem(
          field
              + " must be "
              + (min > 0 ? min + " to " + max : "at most " + max)
              + " characters"
              + (min > 0 && length == 0 ? ", not blank" : "")
              + " (got "
              + length
              + ")");
    }
    return text;
  }

  /** A string that must match {@code pattern} exactly (not trimmed). */
  String matching(String field, boolean required, Pattern pattern, String rule) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, rule);
    }
    if (!(value instanceof String text) || !pattern.matcher(text).matches()) {
      return problem(field + " must be " + rule);
    }
    return text;
  }

  /** A whole number in {@code min..max}; 12.0, "12" and 1e3 are not accepted. */
  Long integer(String field, boolean required, long min, long max) {
    Object value = body.getValue(field);
    String rule = "an integer from " + min + " to " + max;
    if (value == null) {
      return missing(field, required, rule);
    }
    if (!(value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger)) {
      return problem(field + " must be " + rule);
    }
    BigInteger number =
        value instanceof BigInteger big ? big : BigInteger.valueOf(((Number) value).longValue());
    if (number.compareTo(BigInteger.valueOf(min)) < 0
        || number.compareTo(BigInteger.valueOf(max)) > 0) {
      return problem(field + " must be " + rule + " (got " + number + ")");
    }
    return number.longValue();
  }

  /** A UUID in canonical form. */
  UUID uuid(String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, "a UUID");
    }
    if (!(value instanceof String text) || !UUID_TEXT.matcher(text).matches()) {
      return problem(field + " must be a UUID");
    }
    return UUID.fromString(text);
  }

  /** Records a problem the caller found itself. */
  void reject(String problem) {
    problems.add(problem);
  }

  /** Throws a 400 listing every problem, if there is any. */
  void check() {
    if (!problems.isEmpty()) {
      throw new ServiceFailure(ErrorCodes.INVALID_REQUEST, String.join("; ", problems));
    }
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  private <T> T missing(String field, boolean required, String rule) {
    if (required) {
      problems.add(field + " is required: " + rule);
    } else if (body.containsKey(field)) {
      problems.add(field + " must not be null: leave it out instead");
    }
    return null;
  }

  private <T> T problem(String problem) {
    problems.add(problem);
    return null;
  }
}
