package dev.microshop.platform.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.messaging.ServiceFailure;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimeCursorTest {

  @Test
  void aCursorSurvivesItsTokenToTheMicrosecond() {
    TimeCursor cursor =
        new TimeCursor(OffsetDateTime.parse("2025-03-04T05:06:07.123456Z"), UUID.randomUUID());

    String token = cursor.encode();

    assertThat(token).matches("[A-Za-z0-9_-]{34}").hasSize(TimeCursor.MAX_TOKEN_LENGTH);
    assertThat(TimeCursor.decode(token)).isEqualTo(cursor);
  }

  @Test
  void noTokenIsTheNewestEnd() {
    assertThat(TimeCursor.decode(null)).isEqualTo(TimeCursor.NEWEST);
  }

  @Test
  void aTokenThisCodecDidNotMakeIsA400NamingTheCursor() {
    String wrongFormat = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[25]);
    String tooShort = Cursors.encode(new byte[23]);
    for (String token : new String[] {"", "!!", "AAAA", wrongFormat, tooShort, "A".repeat(37)}) {
      assertThatThrownBy(() -> TimeCursor.decode(token))
          .as(token)
          .isInstanceOfSatisfying(
              ServiceFailure.class,
              f -> {
                assertThat(f.code()).isEqualTo(400);
                assertThat(f.errors()).extracting(e -> e.field()).containsExactly("cursor");
              })
          .hasMessageStartingWith("cursor ");
    }
  }
}
