package dev.microshop.users;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A login attempt. Only the shape is checked here: whether it matches an account is the 401
 * question.
 */
record Credentials(String email, String password) {

  static Credentials from(JsonObject body) {
    JsonObject in = body == null ? new JsonObject() : body;
    List<String> problems = new ArrayList<>();
    String email = string(in, "email", problems);
    String password = string(in, "password", problems);
    if (!problems.isEmpty()) {
      throw new ServiceFailure(ErrorCodes.INVALID_REQUEST, String.join("; ", problems));
    }
    return new Credentials(email.strip(), password);
  }

  /**
   * No account can have this password (registration refuses it), so it is rejected without hashing
   * it.
   */
  boolean impossible() {
    return email.isEmpty()
        || password.isEmpty()
        || password.getBytes(StandardCharsets.UTF_8).length > NewAccount.MAX_PASSWORD_BYTES;
  }

  private static String string(JsonObject body, String field, List<String> problems) {
    Object value = body.getValue(field);
    if (!(value instanceof String text)) {
      problems.add(field + (value == null ? ": is required" : ": must be a string"));
      return null;
    }
    return text;
  }
}
