package dev.microshop.contracts;

/**
 * Addresses of the inventory service. A product is {@code {id, sku, name, description, priceMinor,
 * currency, available, version, createdAt, updatedAt}}: money in integer minor units plus an ISO
 * 4217 code; {@code version} increases on every change (the gateway's ETag).
 */
public final class InventoryApi {
  /**
   * A page of the catalog. Body {@code {q?, cursor?, limit}} (limit 1..100; q matches name, SKU or
   * description, case-insensitive). Reply {@code {items: [product], nextCursor?}}. Fails 400 for a
   * bad cursor.
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

  /**
   * Published (to every inventory instance) after a transaction that may have changed products
   * committed or rolled back, so each instance drops what it cached. Body {@code {instanceId,
   * ids?}}: the writer, and the products it changed (absent: any product). No reply.
   */
  public static final String CATALOG_CHANGED = "inventory.catalog.changed";
}
