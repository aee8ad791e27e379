package dev.microshop.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.config.ConfigException;
import org.junit.jupiter.api.Test;

class AdminUrlTest {
  @Test
  void aLibpqUrlGivesHostPortUserAndDatabase() {
    assertThat(AdminUrl.parse("postgresql://admin@db.internal:6432/maintenance"))
        .isEqualTo(new AdminUrl("db.internal", 6432, "admin", "maintenance"));
  }

  @Test
  void portAndDatabaseDefaultAsLibpqDoes() {
    assertThat(AdminUrl.parse("postgres://postgres@10.0.0.4"))
        .isEqualTo(new AdminUrl("10.0.0.4", 5432, "postgres", "postgres"));
    assertThat(
            AdminUrl.parse("postgresql://postgres@[::1]:5433/").jdbc("orders", "sslmode=disable"))
        .isEqualTo("jdbc:postgresql://[::1]:5433/orders?sslmode=disable");
  }

  @Test
  void aMissingOrUnusableUrlNamesTheSetting() {
    assertRefused("", "bad setting dbInit.adminUrl: not set: give MICROSHOP_DB_INIT_ADMIN_URL");
    assertRefused("db.internal:5432", "must start with postgresql://");
    assertRefused("postgresql://db.internal/postgres", "names no user");
    assertRefused("postgresql://a@db/postgres?sslmode=require", "TLS is set by db.sslMode");
  }

  @Test
  void aPasswordInTheUrlIsRefusedAndNotRepeated() {
    assertThatThrownBy(() -> AdminUrl.parse("postgresql://postgres:s3cret@db/postgres"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("MICROSHOP_DB_INIT_ADMIN_PASSWORD_FILE")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
  }

  private static void assertRefused(String url, String message) {
    assertThatThrownBy(() -> AdminUrl.parse(url))
        .as(url)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("bad setting dbInit.adminUrl")
        .hasMessageContaining(message.replace("bad setting dbInit.adminUrl: ", ""));
  }
}
