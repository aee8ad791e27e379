package dev.microshop.notifications;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * A position in a user's notifications, newest first: the (createdAt, id) of the last one of a
 * page. Clients see an opaque base64url token of a format byte, the time in epoch microseconds
 * (PostgreSQL's precision, so the position is exact) and the id.
 */
record Cursor(OffsetDateTime createdAt, UUID id) {
  private static final byte FORMAT = 1;
  private static final int BYTES = 1 + 8 + 16;

  /**
   * Base64 of {@link #BYTES}, padded or not, is at most this long: anything longer is not worth
   * decoding.
   */
  private static final int MAX_TOKEN_LENGTH = 36;

  String encode() {
    Instant at = createdAt.toInstant();
    long micros =
        Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    ByteBuffer bytes =
        ByteBuffer.allocate(BYTES)
            .put(FORMAT)
            .putLong(micros)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /**
   * The position a client sent back, or a 400 naming {@code cursor} when it is not one this service
   * made.
   */
  static Cursor decode(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw malformed();
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    if (raw.length != BYTES || raw[0] != FORMAT) {
      throw malformed();
    }
    ByteBuffer bytes = ByteBuffer.wrap(raw, 1, BYTES - 1);
    long micros = bytes.getLong();
    Instant at =
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
    return new Cursor(
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC), new UUID(bytes.getLong(), bytes.getLong()));
  }

  private static ServiceFailure malformed() {
    return new ServiceFailure(
        ErrorCodes.INVALID_REQUEST, "cursor is malformed: pass back a nextCursor unchanged");
  }
}
