package dev.microshop.inventory;

import dev.microshop.platform.request.Cursors;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A position in the catalog's (name, id) order: the last product of a page, as the id's 16 bytes
 * and the name in UTF-8 ({@link Cursors} makes the token): exact for any name, so paging never
 * repeats or skips a product.
 */
record Cursor(String name, UUID id) {
  /** Precedes every product: '' sorts first in any collation, and no product has the nil id. */
  static final Cursor START = new Cursor("", new UUID(0, 0));

  private static final int MAX_BYTES = 16 + 4 * ProductValidator.MAX_NAME;
  static final int MAX_TOKEN_LENGTH = Cursors.maxTokenLength(MAX_BYTES);

  static Cursor after(Product product) {
    return new Cursor(product.name(), product.id());
  }

  String encode() {
    byte[] text = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes =
        ByteBuffer.allocate(16 + text.length)
            .putLong(id.getMostSignificantBits())
            .putLong(id.getLeastSignificantBits())
            .put(text);
    return Cursors.encode(bytes.array());
  }

  /** The position a client sent back, or a 400 naming {@code cursor}. */
  static Cursor decode(String token) {
    ByteBuffer bytes = Cursors.decode(token, 16, MAX_BYTES);
    UUID id = new UUID(bytes.getLong(), bytes.getLong());
    try {
      CharBuffer name =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(bytes);
      if (name.codePoints().count() > ProductValidator.MAX_NAME) {
        throw Cursors.malformed();
      }
      return new Cursor(name.toString(), id);
    } catch (CharacterCodingException e) {
      throw Cursors.malformed();
    }
  }
}
