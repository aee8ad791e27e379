package dev.microshop.users;

import dev.microshop.platform.request.Emails;
import dev.microshop.platform.request.Fields;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A valid registration: email in its canonical form ({@link Emails#canonical}: NFKC, lower case,
 * Unicode spaces stripped from the ends; spaces inside are refused), display name trimmed, password
 * as typed. Only these three fields are read, so a body carrying {@code roles} or {@code id} cannot
 * choose them.
 */
record NewAccount(String email, String displayName, String password) {
  static final int MIN_PASSWORD_CHARS = 10;
  static final int MAX_PASSWORD_BYTES = 128;
  static final int MAX_DISPLAY_NAME_CHARS = 100;
  static final int MAX_EMAIL_CHARS = 254;
  private static final Pattern EMAIL =
      Pattern.compile(
          "[^\\s@\\p{Cntrl}\"(),:;<>\\[\\]\\\\]{1,64}@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+"
              + "\\p{L}[\\p{L}\\p{N}-]*[\\p{L}\\p{N}]");

  /** Validates a REGISTER body; fails 400 naming every invalid field. */
  static NewAccount from(JsonObject body) {
    Fields fields = new Fields(body);
    String email = fields.string("email", true);
    String displayName = fields.line("displayName", true, 1, MAX_DISPLAY_NAME_CHARS);
    String password = fields.string("password", true);
    if (email != null) {
      email = Emails.canonical(email);
      emailProblem(email).ifPresent(problem -> fields.reject("email", problem));
    }
    if (password != null) {
      passwordProblem(password).ifPresent(problem -> fields.reject("password", problem));
    }
    fields.check();
    return new NewAccount(email, displayName, password);
  }

  /** Why {@code email} (already canonical) is not an acceptable address, if it is not. */
  static Optional<String> emailProblem(String email) {
    if (email.isEmpty()) {
      return Optional.of("is required");
    }
    if (Emails.hasInnerSpace(email)) {
      return Optional.of("must not contain spaces");
    }
    if (email.length() > MAX_EMAIL_CHARS) {
      return Optional.of("must be at most " + MAX_EMAIL_CHARS + " characters");
    }
    if (!EMAIL.matcher(email).matches()) {
      return Optional.of("is not a valid email address");
    }
    return Optional.empty();
  }

  /**
   * Why {@code password} breaks the policy, if it does. Shared with the admin password from config.
   */
  static Optional<String> passwordProblem(String password) {
    if (password.codePointCount(0, password.length()) < MIN_PASSWORD_CHARS) {
      return Optional.of("must be at least " + MIN_PASSWORD_CHARS + " characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      return Optional.of("must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
    }
    return Optional.empty();
  }
}
