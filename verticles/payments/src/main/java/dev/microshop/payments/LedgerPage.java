package dev.microshop.payments;

import dev.microshop.platform.request.Cursors;
import dev.microshop.platform.request.Fields;
import dev.microshop.platform.request.Page;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;

/**
 * A validated {@code payments.wallet.transactions}: the entries older than {@code beforeId}, newest
 * first. The cursor holds the last id of the previous page.
 */
record LedgerPage(long beforeId, int limit) {
  static final int MAX_LIMIT = Page.MAX_SIZE;
  static final int DEFAULT_LIMIT = Page.DEFAULT_SIZE;

  /** Fails with 400 naming every invalid field. */
  static LedgerPage fromJson(JsonObject body) {
    Fields fields = new Fields(body);
    String cursor = fields.cursor(Cursors.maxTokenLength(Long.BYTES));
    int limit = fields.pageSize();
    fields.check();
    return new LedgerPage(cursor == null ? Long.MAX_VALUE : decode(cursor), limit);
  }

  static String cursorAfter(long id) {
    return Cursors.encode(ByteBuffer.allocate(Long.BYTES).putLong(id).array());
  }

  private static long decode(String token) {
    long id = Cursors.decode(token, Long.BYTES, Long.BYTES).getLong();
    if (id <= 0) {
      throw Cursors.malformed();
    }
    return id;
  }
}
