package dev.microshop.contracts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Addresses of the inventory service. A product is {@code {id, sku, name, description, priceMinor,
 * currency, available, version, createdAt, updatedAt}}: money in integer minor units plus an ISO
 * 4217 code; {@code version} increases on every change (the gateway's ETag).
 */
public final class InventoryApi {
  /**
   * A page of the catalog. Body {@code {q?, cursor?, limit}} (limit 1..100; q matches name, SKU or
   * description, case-insensitive). Reply {@code {items: [product], nextCursor?}}, sent as the
   * bytes of that JSON with the page's ETag in a header ({@link CatalogPages}). Fails 400 for a bad
   * cursor.
   */
  public static final String LIST = "inventory.product.list";

  /** One product. Body {@code {id}}. Reply: the product. Fails 404. */
  public static final String GET = "inventory.product.get";

  /**
   * Admin only. Body {@code {sku, name, description?, priceMinor, currency, available}}. Reply: the
   * product. Fails 403, 400, 409 (SKU taken).
   */
  public static final String CREATE = "inventory.product.create";

  /**
   * Admin only. Compare-and-set: body {@code {id, expectedVersion, name?, description?,
   * priceMinor?, currency?}}, or {@code anyVersion: true} instead of {@code expectedVersion} to
   * overwrite whatever version is current (HTTP's {@code If-Match: *}). Reply: the product with its
   * new version. Fails 403, 404, 412 (version is not {@code expectedVersion}).
   */
  public static final String UPDATE = "inventory.product.update";

  /**
   * Admin only. Body {@code {id, delta, reason, messageId?}} (delta non-zero). Reply: the product.
   * Fails 403, 404, 409 (stock would go below zero), 422 (the messageId was already used for a
   * different adjustment).
   */
  public static final String ADJUST_STOCK = "inventory.stock.adjust";

  /*
   * Saga commands, sent by orders through its outbox. Each body carries a messageId and occurredAt;
   * the consumer is idempotent per message id and per order and replies once the effect is
   * committed: with a SagaResult where the command has a result, else an empty acknowledgement.
   */

  /**
   * Reserve every line or none: {@code {messageId, orderId, lines: [{productId, quantity}]}}.
   * Answer: {@link SagaResult.StockReserved} or {@link SagaResult.StockRejected}. A repeated
   * reserve for the same order changes nothing and answers the same.
   */
  public static final String RESERVE_STOCK = "inventory.stock.reserve";

  /**
   * Give back the order's reservation, if it holds one: {@code {messageId, orderId}}. No result.
   */
  public static final String RELEASE_STOCK = "inventory.stock.release";

  /** Turn the order's reservation into a sale: {@code {messageId, orderId}}. No result. */
  public static final String COMMIT_STOCK = "inventory.stock.commit";

  private InventoryApi() {}

  /** The body of {@link #RESERVE_STOCK}. */
  public record ReserveStock(UUID orderId, List<Line> lines) {
    public static final int MAX_LINES = 100;
    public static final int MAX_QUANTITY = 1_000_000;

    public record Line(UUID productId, int quantity) {}

    public JsonObject toJson() {
      JsonArray array = new JsonArray();
      lines.forEach(
          line ->
              array.add(
                  new JsonObject()
                      .put("productId", line.productId().toString())
                      .put("quantity", line.quantity())));
      return new JsonObject().put("orderId", orderId.toString()).put("lines", array);
    }

    /** The command, or null when a field is bad (the reader names it). */
    public static ReserveStock read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      JsonArray array = in.array("lines", true, 1, MAX_LINES);
      List<Line> lines = new ArrayList<>();
      for (int i = 0; array != null && i < array.size(); i++) {
        FieldReader line = in.element("lines", array, i, "{productId, quantity}");
        UUID productId = line == null ? null : line.uuid("productId", true);
        Long quantity = line == null ? null : line.integer("quantity", true, 1, MAX_QUANTITY);
        lines.add(
            productId == null || quantity == null
                ? null
                : new Line(productId, quantity.intValue()));
      }
      return orderId == null || array == null || lines.contains(null)
          ? null
          : new ReserveStock(orderId, List.copyOf(lines));
    }
  }

  /** The body of {@link #RELEASE_STOCK}. */
  public record ReleaseStock(UUID orderId) {
    public JsonObject toJson() {
      return new JsonObject().put("orderId", orderId.toString());
    }

    public static ReleaseStock read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      return orderId == null ? null : new ReleaseStock(orderId);
    }
  }

  /** The body of {@link #COMMIT_STOCK}. */
  public record CommitStock(UUID orderId) {
    public JsonObject toJson() {
      return new JsonObject().put("orderId", orderId.toString());
    }

    public static CommitStock read(FieldReader in) {
      UUID orderId = in.uuid("orderId", true);
      return orderId == null ? null : new CommitStock(orderId);
    }
  }

  /**
   * Published (to every inventory instance) after a transaction that may have changed products
   * committed or rolled back, so each instance drops what it cached. Body {@code {instanceId,
   * ids?}}: the writer, and the products it changed (absent: any product). No reply.
   */
  public static final String CATALOG_CHANGED = "inventory.catalog.changed";

  /**
   * One inventory instance's address for an admin write another instance made: same body as {@link
   * #CATALOG_CHANGED}; the reply (empty) says this instance dropped what the write changed. The
   * writer asks every other instance before it answers, so no instance serves the old product or
   * page after the write's 200.
   */
  public static String invalidate(String instanceId) {
    return "inventory.catalog." + instanceId + ".invalidate";
  }

  public static final String INVALIDATE_PATTERN = "inventory\\.catalog\\.[^.]+\\.invalidate";
  public static final String INVALIDATE_METRIC_NAME = "inventory.catalog.{instanceId}.invalidate";
}
