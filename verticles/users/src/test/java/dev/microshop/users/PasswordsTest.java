package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import dev.microshop.platform.messaging.ServiceFailure;
import dev.microshop.testkit.ServiceHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordsTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    ServiceHarness.await(vertx.close());
  }

  @Test
  void theShippedPropertiesGiveArgon2idAtOwaspParametersOrStronger() {
    Argon2Function argon2 = Passwords.configuredArgon2();

    assertThat(argon2.getVariant()).isEqualTo(Argon2.ID);
    assertThat(argon2.getMemory()).isGreaterThanOrEqualTo(19_456);
    assertThat(argon2.getIterations()).isGreaterThanOrEqualTo(2);
    assertThat(argon2.getParallelism()).isEqualTo(1);
    assertThat(argon2.getVersion()).isEqualTo(19);
  }

  @Test
  void workBeyondTheQueueIsRefusedAt503AndTheQueueFreesUpWhenWorkFinishes() throws Exception {
    Passwords passwords = new Passwords(vertx, 1, 2);
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> running = passwords.submit(() -> release.await(10, TimeUnit.SECONDS));
    Future<String> waiting = passwords.submit(() -> "waited");

    Future<String> refused = passwords.submit(() -> "never runs");

    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause())
        .isInstanceOf(ServiceFailure.class)
        .hasMessage("too many password checks in progress; retry shortly");
    assertThat(((ServiceFailure) refused.cause()).code()).isEqualTo(503);
    release.countDown();
    assertThat(ServiceHarness.await(running)).isTrue();
    assertThat(ServiceHarness.await(waiting)).isEqualTo("waited");
    assertThat(ServiceHarness.await(passwords.submit(() -> "room again"))).isEqualTo("room again");
  }

  @Test
  void aHashVerifiesOnlyTheRightPasswordAndAnUnknownAccountNeverVerifies() {
    Passwords passwords = new Passwords(vertx, 1, 4);
    ServiceHarness.await(passwords.start());
    String hash = ServiceHarness.await(passwords.hash("right password"));

    assertThat(ServiceHarness.await(passwords.verify("right password", hash))).isTrue();
    assertThat(ServiceHarness.await(passwords.verify("wrong password", hash))).isFalse();
    assertThat(ServiceHarness.await(passwords.verify("right password", null))).isFalse();
    assertThat(ServiceHarness.await(passwords.verify("right password", "not a hash"))).isFalse();
    assertThat(passwords.outdated(hash)).isFalse();
    String weaker =
        "$argon2id$v=19$m=15360,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
            + "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    assertThat(passwords.outdated(weaker)).isTrue();
  }
}
