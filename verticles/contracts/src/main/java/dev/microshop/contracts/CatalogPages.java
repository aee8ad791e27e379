package dev.microshop.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * A page of the catalog list as inventory answers {@link InventoryApi#LIST}: the page's JSON, as
 * bytes inventory encoded once when it kept the page, with the page's ETag in the reply's {@link
 * #ETAG_HEADER}. The gateway passes both on to the client without reading the page. An answer that
 * is a JSON object instead (an inventory of an earlier version) is read the old way.
 */
public final class CatalogPages {
  /** The reply header carrying the page's ETag. */
  public static final String ETAG_HEADER = "page-etag";

  private CatalogPages() {}

  /**
   * A page's ETag: a digest of what it lists, each product at its version (every change to a
   * product bumps it), and where the next page starts. So it changes exactly when the page does,
   * and every instance gives the same page the same tag.
   */
  public static String etag(JsonObject page) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      JsonArray items = page.getJsonArray("items", new JsonArray());
      for (int i = 0; i < items.size(); i++) {
        JsonObject product = items.getJsonObject(i);
        digest.update(
            (product.getString("id") + ":" + product.getLong("version") + ";")
                .getBytes(StandardCharsets.UTF_8));
      }
      digest.update(String.valueOf(page.getString("nextCursor")).getBytes(StandardCharsets.UTF_8));
      byte[] tag = Arrays.copyOf(digest.digest(), 16);
      return "\"p" + Base64.getUrlEncoder().withoutPadding().encodeToString(tag) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
