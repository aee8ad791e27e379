package dev.microshop.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.messaging.ServiceFailure;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CursorTest {

  @Test
  void aCursorSurvivesItsTokenToTheMicrosecond() {
    Cursor cursor =
        new Cursor(OffsetDateTime.parse("2025-03-04T05:06:07.123456Z"), UUID.randomUUID());

    String token = cursor.encode();

    assertThat(token).matches("[A-Za-z0-9_-]{34}");
    assertThat(Cursor.decode(token)).isEqualTo(cursor);
  }

  @Test
  void aTokenThisServiceDidNotMakeIsA400NamingTheCursor() {
    String wrongFormat = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[25]);
    for (String token : new String[] {"", "!!", "AAAA", wrongFormat, "A".repeat(37)}) {
      assertThatThrownBy(() -> Cursor.decode(token))
          .as(token)
          .isInstanceOfSatisfying(ServiceFailure.class, f -> assertThat(f.code()).isEqualTo(400))
          .hasMessageStartingWith("cursor ");
    }
  }
}
