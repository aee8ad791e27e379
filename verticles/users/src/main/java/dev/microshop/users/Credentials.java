package dev.microshop.users;

import dev.microshop.platform.request.Emails;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * A login attempt, its email in the canonical form accounts are stored in ({@link
 * Emails#canonical}, the form the gateway's login limits are keyed on too). Only the shape is
 * checked here: whether it matches an account is the 401 question.
 */
record Credentials(String email, String password) {

  static Credentials from(JsonObject body) {
    Fields fields = new Fields(body);
    String email = fields.string("email", true);
    String password = fields.string("password", true);
    fields.check();
    return new Credentials(Emails.canonical(email), password);
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
}
