package dev.microshop.platform.messaging;

import io.vertx.core.json.JsonObject;

/**
 * One problem with a request: the field it is about, as a dotted path into the body ({@code
 * lines.1.productId}), or {@code body} when it is about no single field; and a sentence for a human
 * that starts with that path.
 */
public record FieldError(String field, String message) {
  public static final String WHOLE_BODY = "body";

  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("message", message);
  }

  public static FieldError fromJson(JsonObject json) {
    return new FieldError(json.getString("field", WHOLE_BODY), json.getString("message", ""));
  }
}
