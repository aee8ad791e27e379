package dev.microshop.inventory;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.contracts.Identity;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.MultiMap;

/** Who may send a command. The gateway checks too; this holds for any other sender on the bus. */
final class Callers {
  private Callers() {}

  /** The caller, if an admin: 401 without identity, 403 without the admin role. */
  static Identity admin(MultiMap headers) {
    Identity caller = Identity.from(headers);
    if (caller == null) {
      throw new ServiceFailure(ErrorCodes.UNAUTHENTICATED, "authentication required");
    }
    if (!caller.admin()) {
      throw new ServiceFailure(ErrorCodes.FORBIDDEN, "the admin role is required");
    }
    return caller;
  }
}
