package dev.microshop.inventory;

/** Every statement of the inventory service. Values travel as {@code $n} parameters, never in the text. */
final class InventorySql {
  static final String INSERT_PRODUCT = """
      INSERT INTO products (id, sku, name, description, price_minor, currency, available)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  static final String SELECT_PRODUCT = """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products WHERE id = $1
      """;

  static final String SELECT_VERSION = """
      SELECT version, available FROM products WHERE id = $1
      """;

  /**
   * One page in (name, id) order, after the keyset ($1, $2). The first page starts after ('', nil UUID), which
   * precedes every row: '' sorts first in every collation and no product has the nil id.
   */
  static final String PAGE = """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products
       WHERE (name, id) > ($1, $2)
       ORDER BY name, id
       LIMIT $3
      """;

  /** {@link #PAGE} filtered by an ILIKE pattern ($3), whose wildcards in user text are escaped with backslash. */
  static final String SEARCH_PAGE = """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products
       WHERE (name, id) > ($1, $2)
         AND (name ILIKE $3 ESCAPE '\\' OR sku ILIKE $3 ESCAPE '\\' OR description ILIKE $3 ESCAPE '\\')
       ORDER BY name, id
       LIMIT $4
      """;

  /** Compare-and-set: a null parameter keeps the current value; 0 rows means missing or a stale version. */
  static final String UPDATE_PRODUCT = """
      UPDATE products
         SET name = COALESCE($3, name),
             description = COALESCE($4, description),
             price_minor = COALESCE($5, price_minor),
             currency = COALESCE($6, currency),
             version = version + 1,
             updated_at = now()
       WHERE id = $1 AND version = $2
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  /**
   * Records an adjustment first: a repeated message id inserts nothing (a concurrent duplicate waits for the
   * first transaction, then inserts nothing), and an unknown product fails the foreign key.
   */
  static final String INSERT_ADJUSTMENT = """
      INSERT INTO stock_adjustments (id, product_id, delta, reason, actor, message_id)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (message_id) DO NOTHING
      RETURNING id
      """;

  static final String SELECT_ADJUSTMENT_PRODUCT = """
      SELECT product_id FROM stock_adjustments WHERE message_id = $1
      """;

  /** Applies a stock delta only if the result stays within 0..$3; 0 rows means missing or out of range. */
  static final String ADJUST_STOCK = """
      UPDATE products
         SET available = available + $2,
             version = version + 1,
             updated_at = now()
       WHERE id = $1 AND available + $2 BETWEEN 0 AND $3
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  /** Claims a one-time seed; returns a row only to the one transaction that claimed it. */
  static final String CLAIM_SEED = """
      INSERT INTO seeds (name) VALUES ($1)
      ON CONFLICT (name) DO NOTHING
      RETURNING name
      """;

  /** Seed products never overwrite a product an admin created with the same SKU. */
  static final String INSERT_SEED_PRODUCT = """
      INSERT INTO products (id, sku, name, description, price_minor, currency, available)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT DO NOTHING
      """;

  private InventorySql() {}
}
