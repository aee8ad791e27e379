package dev.microshop.inventory;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * A position in the catalog's (name, id) order: the last product of a page. Clients see an opaque
 * base64url token of a format byte, the id's 16 bytes and the name in UTF-8: compact (about 40
 * characters for a short name) and exact for any name, so paging never repeats or skips a product.
 */
record Cursor(String name, UUID id) {
  /** Precedes every product: '' sorts first in any collation, and no product has the nil id. */
  static final Cursor START = new Cursor("", new UUID(0, 0));

  /**
   * The longest token: a name of 200 characters of 4 UTF-8 bytes each, plus 17 bytes, in base64.
   */
  static final int MAX_TOKEN_LENGTH = (1 + 16 + 4 * ProductValidator.MAX_NAME + 2) / 3 * 4;

  private static final byte FORMAT = 1;

  static Cursor after(Product product) {
    return new Cursor(product.name(), product.id());
  }

  String encode() {
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes =
        ByteBuffer.allocate(1 + 16 + text.length)
            .put(FORMAT)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits())
            .put(text);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  /**
   * The position a client sent back, or a 400 naming {@code cursor} when it is not one this service
   * made.
   */
  static Cursor decode(String token) {
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
      throw malformed();
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(Base64.getUrlDecoder().decode(token));
      if (bytes.remaining() < 17 || bytes.get() != FORMAT) {
        throw malformed();
      }
      UUID id = new UUID(bytes.getLong(), bytes.getLong());
      CharBuffer name =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      if (name.codePoints().count() > ProductValidator.MAX_NAME) {
        throw malformed();
      }
      return new Cursor(name.toString(), id);
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw malformed();
    }
  }

  private static ServiceFailure malformed() {
    return new ServiceFailure(
        ErrorCodes.INVALID_REQUEST, "cursor is malformed: pass back a nextCursor unchanged");
  }
}
