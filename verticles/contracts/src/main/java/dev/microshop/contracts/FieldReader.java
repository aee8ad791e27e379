package dev.microshop.contracts;

import io.vertx.core.json.JsonArray;
import java.util.UUID;

/**
 * How a message record reads its body: each method returns the value, or null after noting a
 * problem that names the field, so one reading reports every bad field. The platform's request kit
 * implements it; a record's {@code read} is the one place its JSON shape is read, as its {@code
 * toJson} is the one place it is written.
 */
public interface FieldReader {
  UUID uuid(String field, boolean required);

  Long integer(String field, boolean required, long min, long max);

  /** Trimmed text of {@code min..max} characters without control characters. */
  String line(String field, boolean required, int min, int max);

  /** Three upper-case letters. */
  String currency(String field, boolean required);

  JsonArray array(String field, boolean required, int min, int max);

  /** The reader of element {@code index} (an object) of array {@code field}, or null. */
  FieldReader element(String field, JsonArray array, int index, String shape);
}
