package dev.microshop.contracts;

/**
 * Addresses of the users service. Bodies are JSON objects; readers ignore unknown fields. Failures
 * use {@link ErrorCodes}.
 */
public final class UsersApi {
  /**
   * Register a customer. Body {@code {email, displayName, password}}; the email is stored in its
   * canonical form ({@code platform.request.Emails}: NFKC, lower case, Unicode spaces stripped from
   * the ends; a space inside is a 400). Reply: the profile {@code {id, email, displayName, roles,
   * createdAt}}. Fails 400 (invalid field, message names it), 503 (too many password checks in
   * progress: busy, retry), 409 (an email of the same canonical form is registered).
   */
  public static final String REGISTER = "users.account.register";

  /**
   * Log in. Body {@code {email, password}}. Reply {@code {accessToken, tokenType: "Bearer",
   * expiresIn}} (seconds). The email is matched in its canonical form. Fails 401 for a wrong
   * password and an unknown email alike, in about the same time; 503 when too many password checks
   * are in progress (busy, retry).
   */
  public static final String ISSUE_TOKEN = "users.token.issue";

  /**
   * A profile: the caller's (identity headers), or with body {@code {userId}} that user's, for an
   * admin. Reply: the profile. Fails 401 without identity, 403 for another user's profile without
   * the admin role, 404.
   */
  public static final String PROFILE = "users.profile.get";

  /**
   * The public keys that verify access tokens, as a JWKS {@code {keys: [{kty, crv, x, y, kid, alg,
   * use}]}}: the current key and, during a rotation, the previous one.
   */
  public static final String KEYS = "users.keys.get";

  private UsersApi() {}
}
