package dev.microshop.platform.request;

import dev.microshop.platform.messaging.ServiceFailure;
import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * The one cursor codec: a position in a list travels to clients as an opaque base64url token of a
 * format byte and the position's bytes, so a service can change what a position holds by changing
 * the format byte, and a token it did not make is refused as a 400 naming {@code cursor}.
 */
public final class Cursors {
  private static final byte FORMAT = 1;

  private Cursors() {}

  /** The longest token for a position of at most {@code maxBytes}. */
  public static int maxTokenLength(int maxBytes) {
    return ((1 + maxBytes) * 4 + 2) / 3;
  }

  public static String encode(byte[] position) {
    ByteBuffer bytes = ByteBuffer.allocate(1 + position.length).put(FORMAT).put(position);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /**
   * The position's bytes (read-only) of a token this codec made, holding {@code minBytes..maxBytes}
   * bytes; a 400 otherwise.
   */
  public static ByteBuffer decode(String token, int minBytes, int maxBytes) {
    if (token.isEmpty() || token.length() > maxTokenLength(maxBytes)) {
      throw malformed();
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    if (raw.length < 1 + minBytes || raw.length > 1 + maxBytes || raw[0] != FORMAT) {
      throw malformed();
    }
    return ByteBuffer.wrap(raw, 1, raw.length - 1).slice().asReadOnlyBuffer();
  }

  /** The 400 for a token that decodes but does not hold a position this service made. */
  public static ServiceFailure malformed() {
    return ServiceFailure.invalid(
        "cursor", "cursor is malformed: pass back a nextCursor unchanged");
  }
}
