package dev.microshop.users;

import static dev.microshop.users.UsersIT.PASSWORD;
import static dev.microshop.users.UsersIT.login;
import static dev.microshop.users.UsersIT.registration;
import static dev.microshop.users.UsersIT.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of logins beyond the hashing queue is refused fast with 503 instead of piling up argon2
 * memory.
 */
class PasswordQueueIT {
  @TempDir Path dir;

  @Test
  void loginsBeyondTheQueueGet503AndTheQueueRecoversAfterwards() throws Exception {
    try (ServiceHarness users =
        ServiceHarness.start(
            Services.USERS,
            UsersVerticle::new,
            Map.of(
                "MICROSHOP_DEV",
                "true",
                "MICROSHOP_DATA_DIR",
                dir.toString(),
                "MICROSHOP_USERS_PASSWORDS_POOL_SIZE",
                "1",
                "MICROSHOP_USERS_PASSWORDS_QUEUE_SIZE",
                "2"))) {
      String email = uniqueEmail();
      users.request(UsersApi.REGISTER, registration(email, "Flooded", PASSWORD), null);

      List<Future<Object>> attempts = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        attempts.add(
            users
                .vertx()
                .eventBus()
                .request(
                    UsersApi.ISSUE_TOKEN,
                    login(email, "wrong password " + i),
                    new DeliveryOptions().setSendTimeout(10_000))
                .map(reply -> reply.body())
                .recover(e -> Future.succeededFuture(e)));
      }
      List<ReplyException> failures =
          ServiceHarness.await(Future.all(attempts)).list().stream()
              .map(ReplyException.class::cast)
              .toList();

      // Pool 1 + queue 2: the logins whose lookups finish together overflow the queue and are
      // turned away at once. (PasswordsTest pins the exact queue arithmetic; here the lookups'
      // timing varies with load.)
      assertThat(failures)
          .extracting(ReplyException::failureCode)
          .containsOnly(401, 503)
          .contains(401, 503);
      assertThat(failures)
          .filteredOn(f -> f.failureCode() == 503)
          .allSatisfy(
              f ->
                  assertThat(f.getMessage())
                      .isEqualTo("too many password checks in progress; retry shortly"));
      JsonObject afterwards = users.request(UsersApi.ISSUE_TOKEN, login(email, PASSWORD), null);
      assertThat(afterwards.getString("accessToken")).isNotBlank();
    }
  }
}
