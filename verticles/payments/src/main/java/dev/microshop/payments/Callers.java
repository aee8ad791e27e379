package dev.microshop.payments;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.MultiMap;
import java.util.UUID;

/** Who sent a message, from the identity headers the gateway sets; fails 401 or 403. */
final class Callers {

  private Callers() {}

  /** The caller's user id. Fails 401 without identity, or with one that is not a user id. */
  static UUID user(MultiMap headers) {
    return UUID.fromString(identity(headers).userId());
  }

  /** The caller, who must be an admin. Fails 401 without identity, 403 without the admin role. */
  static Identity admin(MultiMap headers) {
    Identity caller = identity(headers);
    if (!caller.admin()) {
      throw new ServiceFailure(ErrorCodes.FORBIDDEN, "admin role required");
    }
    return caller;
  }

  private static Identity identity(MultiMap headers) {
    Identity caller = Identity.from(headers);
    if (caller == null) {
      throw new ServiceFailure(ErrorCodes.UNAUTHENTICATED, "authentication required");
    }
    if (!Fields.isUuid(caller.userId())) {
      throw new ServiceFailure(ErrorCodes.UNAUTHENTICATED, "the caller's user id is not a UUID");
    }
    return caller;
  }
}
