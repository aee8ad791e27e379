package dev.microshop.platform.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.contracts.Identity;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.MultiMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallersTest {
  private static final String USER = UUID.randomUUID().toString();

  @Test
  void noIdentityIsUnauthenticated() {
    assertFails(() -> Callers.user(MultiMap.caseInsensitiveMultiMap()), 401);
    assertFails(() -> Callers.admin(MultiMap.caseInsensitiveMultiMap()), 401);
  }

  @Test
  void aUserIdThatIsNotAUuidIsUnauthenticated() {
    assertFails(() -> Callers.user(headers("u-1", "customer")), 401);
    assertFails(() -> Callers.admin(headers("u-1", "admin")), 401);
  }

  @Test
  void aCustomerIsAUserButNotAnAdmin() {
    assertThat(Callers.user(headers(USER, "customer"))).isEqualTo(UUID.fromString(USER));
    assertFails(() -> Callers.admin(headers(USER, "customer")), 403);
  }

  @Test
  void anAdminIsBoth() {
    assertThat(Callers.admin(headers(USER, "customer,admin")).userId()).isEqualTo(USER);
    assertThat(Callers.user(headers(USER, "admin"))).isEqualTo(UUID.fromString(USER));
  }

  private static MultiMap headers(String user, String roles) {
    return MultiMap.caseInsensitiveMultiMap()
        .add(Identity.USER_ID_HEADER, user)
        .add(Identity.ROLES_HEADER, roles);
  }

  private static void assertFails(Runnable call, int code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(ServiceFailure.class, f -> assertThat(f.code()).isEqualTo(code));
  }
}
