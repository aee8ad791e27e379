package dev.microshop.payments;

import dev.microshop.contracts.ErrorCodes;
import dev.microshop.platform.messaging.ServiceFailure;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A validated {@code payments.wallet.transactions}: the entries older than {@code beforeId}, newest
 * first. The cursor a client sees is an opaque base64url token of a format byte and the last id of
 * the previous page.
 */
record LedgerPage(long beforeId, int limit) {
  static final int MAX_LIMIT = 100;
  static final int DEFAULT_LIMIT = 20;
  private static final byte FORMAT = 1;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,40}");

  /** Fails with 400 naming every invalid field. */
  static LedgerPage fromJson(JsonObject body) {
    Fields fields = new Fields(body == null ? new JsonObject() : body);
    String cursor = fields.optional("cursor", TOKEN, "a nextCursor token");
    long limit = fields.integer("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    fields.check();
    return new LedgerPage(cursor == null ? Long.MAX_VALUE : decode(cursor), (int) limit);
  }

  static String cursorAfter(long id) {
    byte[] bytes = ByteBuffer.allocate(9).put(FORMAT).putLong(id).array();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static long decode(String token) {
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    if (bytes.length != 9 || bytes[0] != FORMAT) {
      throw malformed();
    }
    long id = ByteBuffer.wrap(bytes, 1, 8).getLong();
    if (id <= 0) {
      throw malformed();
    }
    return id;
  }

  private static ServiceFailure malformed() {
    return new ServiceFailure(
        ErrorCodes.INVALID_REQUEST, "cursor is malformed: pass back a nextCursor unchanged");
  }
}
