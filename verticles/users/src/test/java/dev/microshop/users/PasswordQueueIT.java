package dev.microshop.users;

import static dev.microshop.users.UsersIT.PASSWORD;
import static dev.microshop.users.UsersIT.login;
import static dev.microshop.users.UsersIT.registration;
import static dev.microshop.users.UsersIT.uniqueEmail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.microshop.contracts.Services;
import dev.microshop.contracts.UsersApi;
import dev.microshop.platform.testing.ServiceHarness;
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

/** A flood of logins beyond the hashing queue is refused fast with 503 instead of piling up argon2 memory. */
class PasswordQueueIT {
  @TempDir
  Path dir;

  @Test
  void loginsBeyondTheQueueGet503AndTheQueueRecoversAfterwards() throws Exception {
    try (ServiceHarness users = ServiceHarness.start(Services.USERS, UsersVerticle::new, Map.of(
        "MICROSHOP_DEV", "true", "MICROSHOP_DATA_DIR", dir.toString(),
        "MICROSHOP_USERS_PASSWORDS_POOL_SIZE", "1", "MICROSHOP_USERS_PASSWORDS_QUEUE_SIZE", "2"))) {
      String email = uniqueEmail();
      users.request(UsersApi.REGISTER, registration(email, "Flooded", PASSWORD), null);

      List<Future<Object>> attempts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        attempts.add(users.vertx().eventBus()
            .request(UsersApi.ISSUE_TOKEN, login(email, "wrong password " + i), new DeliveryOptions().setSendTimeout(10_000))
            .map(reply -> (Object) reply.body())
            .recover(e -> Future.succeededFuture(e)));
      }
      List<ReplyException> failures = ServiceHarness.await(Future.all(attempts)).list().stream()
          .map(ReplyException.class::cast).toList();

      // Pool 1 + queue 2: at most the first couple get checked while the rest are turned away at once.
      assertThat(failures).extracting(ReplyException::failureCode).containsOnly(401, 503);
      assertThat(failures).filteredOn(f -> f.failureCode() == 401).hasSizeBetween(1, 3);
      assertThat(failures).filteredOn(f -> f.failureCode() == 503).hasSizeGreaterThanOrEqualTo(5)
          .allSatisfy(f -> assertThat(f.getMessage()).isEqualTo("too many password checks in progress; retry shortly"));
      assertThat(users.request(UsersApi.ISSUE_TOKEN, login(email, PASSWORD), null).getString("accessToken")).isNotBlank();
    }
  }
}
