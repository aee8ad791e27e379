package dev.microshop.platform.request;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.MultiMap;
import java.util.UUID;

/**
 * Who sent a message, from the identity headers the gateway sets. The gateway checks too; this
 * holds for any other sender on the bus.
 */
public final class Callers {
  private Callers() {}

  /** The caller: 401 without identity, or with a user id that is not a UUID. */
  public static Identity identity(MultiMap headers) {
    Identity caller = Identity.from(headers);
    if (caller == null) {
      throw ServiceFailure.unauthenticated("authentication required");
    }
    if (!Fields.isUuid(caller.userId())) {
      throw ServiceFailure.unauthenticated("the caller's user id is not a UUID");
    }
    return caller;
  }

  /** The caller's user id; 401 as {@link #identity}. */
  public static UUID user(MultiMap headers) {
    return UUID.fromString(identity(headers).userId());
  }

  /** The caller, who must be an admin: 401 as {@link #identity}, 403 without the admin role. */
  public static Identity admin(MultiMap headers) {
    Identity caller = identity(headers);
    if (!caller.admin()) {
      throw ServiceFailure.forbidden("the admin role is required");
    }
    return caller;
  }
}
