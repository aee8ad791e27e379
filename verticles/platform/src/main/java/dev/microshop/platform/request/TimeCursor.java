package dev.microshop.platform.request;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A position in a list ordered by (created at, id), newest first: the last row of a page, as the
 * time in epoch microseconds (PostgreSQL's precision, so the position is exact) and the id.
 */
public record TimeCursor(OffsetDateTime at, UUID id) {
  private static final int BYTES = 8 + 16;
  public static final int MAX_TOKEN_LENGTH = Cursors.maxTokenLength(BYTES);

  /** Before every row: later than any stored time, and the greatest id. */
  public static final TimeCursor NEWEST =
      new TimeCursor(OffsetDateTime.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L));

  public String encode() {
    Instant instant = at.toInstant();
    long micros =
        Math.addExact(
            Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    ByteBuffer bytes =
        ByteBuffer.allocate(BYTES)
            .putLong(micros)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits());
    return Cursors.encode(bytes.array());
  }

  /** The position a client sent back ({@link #NEWEST} for none), or a 400 naming {@code cursor}. */
  public static TimeCursor decode(String token) {
    if (token == null) {
      return NEWEST;
    }
    ByteBuffer bytes = Cursors.decode(token, BYTES, BYTES);
    long micros = bytes.getLong();
    Instant at =
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
    return new TimeCursor(
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC), new UUID(bytes.getLong(), bytes.getLong()));
  }
}
