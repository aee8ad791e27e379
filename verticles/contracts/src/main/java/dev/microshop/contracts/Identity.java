package dev.microshop.contracts;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.Arrays;
import java.util.List;

/**
 * Who is calling, as the gateway established it from a verified token. It travels in event-bus
 * message headers set by the gateway only; services never take a user id from a request body.
 *
 * @param userId the subject of the access token
 * @param roles {@link #CUSTOMER} and/or {@link #ADMIN}
 */
public record Identity(String userId, List<String> roles) {
  public static final String USER_ID_HEADER = "x-user-id";
  public static final String ROLES_HEADER = "x-user-roles";
  public static final String CUSTOMER = "customer";
  public static final String ADMIN = "admin";

  public boolean admin() {
    return roles.contains(ADMIN);
  }

  public DeliveryOptions addTo(DeliveryOptions options) {
    return options
        .addHeader(USER_ID_HEADER, userId)
        .addHeader(ROLES_HEADER, String.join(",", roles));
  }

  /** The caller of a message, or null for an anonymous one. */
  public static Identity from(MultiMap headers) {
    String user = headers.get(USER_ID_HEADER);
    if (user == null || user.isBlank()) {
      return null;
    }
    String roles = headers.get(ROLES_HEADER);
    return new Identity(
        user,
        roles == null || roles.isBlank()
            ? List.of()
            : Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList());
  }
}
