package dev.microshop.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.Map;

/**
 * PostgreSQL cannot store U+0000 in text, so no field of this API can hold it: refused here, naming
 * the field, instead of failing in a service's database (a 500, which would also count against that
 * service's breaker).
 */
final class NulCharacter extends ValidatorException {
  static final char NUL = '\u0000';
  private static final long serialVersionUID = 1L;
  final String field;

  NulCharacter(String field) {
    super(
        field + ": must not contain the character U+0000 (NUL)", ValidatorErrorType.ILLEGAL_VALUE);
    this.field = field;
  }

  /**
   * The dotted path of the first key or string value holding U+0000, "" for the root, null if none.
   */
  static String find(Object json, String path) {
    if (json instanceof String text) {
      return text.indexOf(NUL) >= 0 ? path : null;
    }
    if (json instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        String at = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
        String found = entry.getKey().indexOf(NUL) >= 0 ? at : find(entry.getValue(), at);
        if (found != null) {
          return found;
        }
      }
    } else if (json instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        String found = find(array.getValue(i), path.isEmpty() ? String.valueOf(i) : path + "." + i);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
