package dev.microshop.platform.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProvisioningSqlTest {
  @Test
  void onlyPlainNamesAreSpliced() {
    assertThat(ProvisioningSql.identifier("orders_2")).isEqualTo("orders_2");
    for (String bad : new String[] {"Orders", "shop-orders", "x;drop", "1st", "", "a".repeat(64)}) {
      assertThatThrownBy(() -> ProvisioningSql.identifier(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void passwordsAreEscapeStringsWhateverTheyHold() {
    assertThat(ProvisioningSql.literal("plain")).isEqualTo("E'plain'");
    assertThat(ProvisioningSql.literal("it's\\x")).isEqualTo("E'it''s\\\\x'");
  }

  @Test
  void catalogRolesAreQuotedAndPublicIsTheKeyword() {
    assertThat(ProvisioningSql.quoted("PUBLIC")).isEqualTo("PUBLIC");
    assertThat(ProvisioningSql.quoted("Report \"ro\"")).isEqualTo("\"Report \"\"ro\"\"\"");
  }
}
