package dev.microshop.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.microshop.platform.messaging.ServiceFailure;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

  @Test
  void roundTripsAnyNameThroughAnUrlSafeToken() {
    UUID id = UUID.randomUUID();
    for (String name :
        new String[] {"Chef's Knife", "50% \"off\" \\ _ ,]", "Café ☕ 東京", "", "a".repeat(200)}) {
      String token = new Cursor(name, id).encode();

      assertThat(token).matches("[A-Za-z0-9_-]+");
      assertThat(Cursor.decode(token)).isEqualTo(new Cursor(name, id));
    }
  }

  @Test
  void aShortNameMakesAShortToken() {
    assertThat(new Cursor("Moka Pot", UUID.randomUUID()).encode()).hasSizeLessThan(40);
  }

  @Test
  void theLongestNameStillMakesAValidToken() {
    String longest = "\uD83D\uDE00".repeat(ProductValidator.MAX_NAME); // 4 UTF-8 bytes each
    Cursor cursor = new Cursor(longest, UUID.randomUUID());

    assertThat(cursor.encode()).hasSizeLessThanOrEqualTo(Cursor.MAX_TOKEN_LENGTH);
    assertThat(Cursor.decode(cursor.encode())).isEqualTo(cursor);
  }

  @Test
  void theStartPrecedesEveryProduct() {
    assertThat(Cursor.START.name()).isEmpty();
    assertThat(Cursor.START.id()).isEqualTo(new UUID(0, 0));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "!!!", "not base64 at all", "AAAA", "AQ", "a+b/", "AQAAAAAAAAAAAAAAAAAAAA=="})
  void rejectsTokensItDidNotMake(String token) {
    assertMalformed(token);
  }

  @Test
  void rejectsAnUnknownFormatTruncatedIdsAndBrokenText() {
    assertMalformed(token((byte) 2, new byte[16], "Moka".getBytes(StandardCharsets.UTF_8)));
    assertMalformed(token((byte) 1, new byte[15], new byte[0]));
    assertMalformed(token((byte) 1, new byte[16], new byte[] {(byte) 0xC3, (byte) 0x28}));
    assertMalformed(
        token((byte) 1, new byte[16], "a".repeat(201).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rejectsAnOverlongToken() {
    assertMalformed("A".repeat(Cursor.MAX_TOKEN_LENGTH + 1));
  }

  private static String token(byte format, byte[] id, byte[] name) {
    ByteBuffer bytes =
        ByteBuffer.allocate(1 + id.length + name.length).put(format).put(id).put(name);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  private static void assertMalformed(String token) {
    assertThatThrownBy(() -> Cursor.decode(token))
        .isInstanceOfSatisfying(ServiceFailure.class, f -> assertThat(f.code()).isEqualTo(400))
        .hasMessageStartingWith("cursor");
  }
}
