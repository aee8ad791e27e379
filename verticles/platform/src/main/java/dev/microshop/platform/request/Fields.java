package dev.microshop.platform.request;

import dev.microshop.contracts.FieldReader;
import dev.microshop.platform.messaging.FieldError;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the fields of one request body strictly, collecting every problem as a {@link FieldError}
 * so one 400 names all of them. Each message starts with the field's path. Fields not asked for are
 * ignored (messageId, occurredAt, newer ones), so a producer can add a field without breaking this
 * reader. Nested objects ({@link #element}) report into the same list under their path.
 */
public final class Fields implements FieldReader {
  /** Canonical 8-4-4-4-12 form: {@code UUID.fromString} alone accepts "1-1-1-1-1". */
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private static final Pattern CURSOR = Pattern.compile("[A-Za-z0-9_-]+");

  private final JsonObject body;
  private final String prefix;
  private final List<FieldError> errors;

  public Fields(JsonObject body) {
    this(body, "", new ArrayList<>());
  }

  private Fields(JsonObject body, String prefix, List<FieldError> errors) {
    this.body = body == null ? new JsonObject() : body;
    this.prefix = prefix;
    this.errors = errors;
  }

  /**
   * Reads a message record ({@code ReserveStock::read}) from {@code body}; a 400 naming every bad
   * field if it is not one.
   */
  public static <T> T read(JsonObject body, Function<FieldReader, T> reader) {
    Fields fields = new Fields(body);
    T value = reader.apply(fields);
    fields.check();
    return value;
  }

  public static boolean isUuid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches();
  }

  public boolean has(String field) {
    return body.containsKey(field);
  }

  /** A string exactly as sent (a password: not trimmed, no length rule here). */
  public String string(String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, "a string");
    }
    return value instanceof String text ? text : reject(field, "must be a string");
  }

  /**
   * A string of {@code min..max} characters once trimmed; null when absent and optional, or when
   * invalid.
   */
  public String text(String field, boolean required, int min, int max) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, "a string of " + min + " to " + max + " characters");
    }
    if (!(value instanceof String raw)) {
      return reject(field, "must be a string");
    }
    String text = raw.strip();
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      return reject(
          field,
          "must be "
              + (min > 0 ? min + " to " + max : "at most " + max)
              + " characters"
              + (min > 0 && length == 0 ? ", not blank" : "")
              + " (got "
              + length
              + ")");
    }
    return text;
  }

  /**
   * Like {@link #text}, without control characters: the text is shown on one line or ends up in
   * logs.
   */
  @Override
  public String line(String field, boolean required, int min, int max) {
    String text = text(field, required, min, max);
    if (text != null && text.codePoints().anyMatch(Character::isISOControl)) {
      return reject(field, "must not contain control characters");
    }
    return text;
  }

  /** A string that must match {@code pattern} exactly (not trimmed). */
  public String matching(String field, boolean required, Pattern pattern, String rule) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, rule);
    }
    if (!(value instanceof String text) || !pattern.matcher(text).matches()) {
      return reject(field, "must be " + rule);
    }
    return text;
  }

  /** An ISO 4217 style code: three upper-case letters. */
  @Override
  public String currency(String field, boolean required) {
    return matching(field, required, CURRENCY, "an ISO 4217 code like EUR");
  }

  /** A whole number in {@code min..max}; 12.0, "12" and 1e3 are not accepted. */
  @Override
  public Long integer(String field, boolean required, long min, long max) {
    Object value = body.getValue(field);
    String rule = "an integer from " + min + " to " + max;
    if (value == null) {
      return missing(field, required, rule);
    }
    // JSON numbers beyond a long decode as BigInteger (named in the error), fractions as Double.
    if (!(value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger)) {
      return reject(field, "must be " + rule);
    }
    BigInteger number =
        value instanceof BigInteger big ? big : BigInteger.valueOf(((Number) value).longValue());
    if (number.compareTo(BigInteger.valueOf(min)) < 0
        || number.compareTo(BigInteger.valueOf(max)) > 0) {
      return reject(field, "must be " + rule + " (got " + number + ")");
    }
    return number.longValue();
  }

  /** Like {@link #integer(String, boolean, long, long)}, {@code fallback} when absent. */
  public long integer(String field, long min, long max, long fallback) {
    Long value = integer(field, false, min, max);
    return value == null ? fallback : value;
  }

  /** A UUID in canonical form. */
  @Override
  public UUID uuid(String field, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      return missing(field, required, "a UUID");
    }
    if (!(value instanceof String text) || !isUuid(text)) {
      return reject(field, "must be a UUID");
    }
    return UUID.fromString(text);
  }

  /** The page size every list takes: {@code limit}, see {@link Page}. */
  public int pageSize() {
    return (int) integer("limit", 1, Page.MAX_SIZE, Page.DEFAULT_SIZE);
  }

  /** The optional {@code cursor} a client passes back from a {@code nextCursor}; null for none. */
  public String cursor(int maxLength) {
    String token = matching("cursor", false, CURSOR, "a nextCursor token, passed back unchanged");
    if (token != null && token.length() > maxLength) {
      return reject("cursor", "is malformed: pass back a nextCursor unchanged");
    }
    return token;
  }

  /** An array of {@code min..max} elements; null when absent and optional, or when invalid. */
  @Override
  public JsonArray array(String field, boolean required, int min, int max) {
    Object value = body.getValue(field);
    String rule = "an array of " + min + " to " + max + " elements";
    if (value == null) {
      return missing(field, required, rule);
    }
    if (!(value instanceof JsonArray array) || array.size() < min || array.size() > max) {
      return reject(field, "must be " + rule);
    }
    return array;
  }

  /**
   * The fields of element {@code index} of array {@code field}, reporting into this request's
   * errors as {@code field.index.name}; null (and an error) when the element is not an object.
   */
  @Override
  public Fields element(String field, JsonArray array, int index, String shape) {
    String path = field + "." + index;
    if (!(array.getValue(index) instanceof JsonObject object)) {
      return reject(path, "must be an object " + shape);
    }
    return new Fields(object, prefix + path + ".", errors);
  }

  /**
   * Records a problem the caller found itself; returns null so a reader can {@code return
   * reject(...)}.
   */
  public <T> T reject(String field, String problem) {
    String path = prefix + field;
    errors.add(new FieldError(path, path + " " + problem));
    return null;
  }

  /** Records a problem about the request as a whole, not one field. */
  public void rejectBody(String problem) {
    errors.add(new FieldError(FieldError.WHOLE_BODY, problem));
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  public List<FieldError> errors() {
    return List.copyOf(errors);
  }

  /** Throws a 400 listing every problem, if there is any. */
  public void check() {
    if (!errors.isEmpty()) {
      throw ServiceFailure.invalid(errors);
    }
  }

  private <T> T missing(String field, boolean required, String rule) {
    if (required) {
      return reject(field, "is required: " + rule);
    }
    if (body.containsKey(field)) {
      return reject(field, "must not be null: leave it out instead");
    }
    return null;
  }
}
