package dev.microshop.gateway;

import io.vertx.json.schema.JsonSchema;
import io.vertx.openapi.contract.Parameter;

/**
 * Ids in paths are UUIDs and nothing else: such a parameter is checked here, without the schema
 * engine.
 */
final class UuidText {
  private UuidText() {}

  /**
   * The schema says exactly {@code {type: string, format: uuid}} (ids in paths): nothing but the
   * format to check.
   */
  static boolean isUuidOnly(Parameter parameter) {
    var schema = parameter.getSchema();
    return schema != null
        && "uuid".equals(schema.get("format"))
        && "string".equals(schema.get("type"))
        && schema.fieldNames().stream()
            .filter(JsonSchema.EXCLUDE_ANNOTATIONS)
            .allMatch(
                name -> name.equals("type") || name.equals("format") || name.startsWith("__"));
  }

  /**
   * 8-4-4-4-12 hex digits, as the format requires; a UUID check without the schema engine's regex.
   */
  static boolean isCanonical(String text) {
    if (text.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      boolean ok =
          i == 8 || i == 13 || i == 18 || i == 23
              ? c == '-'
              : c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
