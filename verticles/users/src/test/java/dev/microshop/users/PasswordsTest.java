package dev.microshop.users;

import static org.assertj.core.api.Assertions.assertThat;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import org.junit.jupiter.api.Test;

class PasswordsTest {

  @Test
  void theShippedPropertiesGiveArgon2idAtOwaspParametersOrStronger() {
    Argon2Function argon2 = Passwords.configuredArgon2();

    assertThat(argon2.getVariant()).isEqualTo(Argon2.ID);
    assertThat(argon2.getMemory()).isGreaterThanOrEqualTo(19_456);
    assertThat(argon2.getIterations()).isGreaterThanOrEqualTo(2);
    assertThat(argon2.getParallelism()).isEqualTo(1);
    assertThat(argon2.getVersion()).isEqualTo(19);
  }
}
