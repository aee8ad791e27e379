package dev.microshop.inventory;

/**
 * Every statement of the inventory service. Values travel as {@code $n} parameters, never in the
 * text.
 */
final class InventorySql {
  /** A new product's stock is also its initial stock, the base of the stock balance (see V3). */
  static final String INSERT_PRODUCT =
      """
      INSERT INTO products (id, sku, name, description, price_minor, currency, available, initial_available)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  static final String SELECT_PRODUCT =
      """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products WHERE id = $1
      """;

  static final String SELECT_VERSION =
      """
      SELECT version, available FROM products WHERE id = $1
      """;

  /**
   * One page in (name, id) order, after the keyset ($1, $2). The first page starts after ('', nil
   * UUID), which precedes every row: '' sorts first in every collation and no product has the nil
   * id.
   */
  static final String PAGE =
      """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products
       WHERE (name, id) > ($1, $2)
       ORDER BY name, id
       LIMIT $3
      """;

  /**
   * {@link #PAGE} filtered by an ILIKE pattern ($3), whose wildcards in user text are escaped with
   * backslash.
   */
  static final String SEARCH_PAGE =
      """
      SELECT id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
        FROM products
       WHERE (name, id) > ($1, $2)
         AND (name ILIKE $3 ESCAPE '\\' OR sku ILIKE $3 ESCAPE '\\' OR description ILIKE $3 ESCAPE '\\')
       ORDER BY name, id
       LIMIT $4
      """;

  /**
   * Compare-and-set: a null parameter keeps the current value, a null version ($2) matches any; 0
   * rows means missing or a stale version.
   */
  static final String UPDATE_PRODUCT =
      """
      UPDATE products
         SET name = COALESCE($3, name),
             description = COALESCE($4, description),
             price_minor = COALESCE($5, price_minor),
             currency = COALESCE($6, currency),
             version = version + 1,
             updated_at = now()
       WHERE id = $1 AND ($2::bigint IS NULL OR version = $2)
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  /**
   * Records an adjustment first: a repeated message id inserts nothing (a concurrent duplicate
   * waits for the first transaction, then inserts nothing), and an unknown product fails the
   * foreign key.
   */
  static final String INSERT_ADJUSTMENT =
      """
      INSERT INTO stock_adjustments (id, product_id, delta, reason, actor, message_id)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (message_id) DO NOTHING
      RETURNING id
      """;

  static final String SELECT_ADJUSTMENT =
      """
      SELECT product_id, delta, reason FROM stock_adjustments WHERE message_id = $1
      """;

  /**
   * Applies a stock delta only if the result stays within 0..$3; 0 rows means missing or out of
   * range.
   */
  static final String ADJUST_STOCK =
      """
      UPDATE products
         SET available = available + $2,
             version = version + 1,
             updated_at = now()
       WHERE id = $1 AND available + $2 BETWEEN 0 AND $3
      RETURNING id, sku, name, description, price_minor, currency, available, version, created_at, updated_at
      """;

  /** Claims a one-time seed; returns a row only to the one transaction that claimed it. */
  static final String CLAIM_SEED =
      """
      INSERT INTO seeds (name) VALUES ($1)
      ON CONFLICT (name) DO NOTHING
      RETURNING name
      """;

  /** Seed products never overwrite a product an admin created with the same SKU. */
  static final String INSERT_SEED_PRODUCT =
      """
      INSERT INTO products (id, sku, name, description, price_minor, currency, available, initial_available)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
      ON CONFLICT DO NOTHING
      """;

  /**
   * Claims an order's RESERVE: a row only for the first transaction. A concurrent twin (a
   * redelivery under a new message id, or orders retrying the step) waits for this row's key until
   * the first commits, then gets none.
   */
  static final String CLAIM_STOCK_REQUEST =
      """
      INSERT INTO stock_requests (order_id) VALUES ($1)
      ON CONFLICT (order_id) DO NOTHING
      RETURNING order_id
      """;

  static final String SELECT_STOCK_REQUEST =
      """
      SELECT rejection FROM stock_requests WHERE order_id = $1
      """;

  static final String REJECT_STOCK_REQUEST =
      """
      UPDATE stock_requests SET rejection = $2 WHERE order_id = $1
      """;

  /**
   * Locks the ordered products ($1 uuid[]) in id order, so that two reservations sharing products
   * never wait for each other in a cycle; the rows stay locked until the decision is committed.
   */
  static final String LOCK_STOCK =
      """
      SELECT id, currency, available, price_minor, name FROM products WHERE id = ANY($1::uuid[]) ORDER BY id
         FOR UPDATE
      """;

  /**
   * Takes every line ($2 product ids, $3 quantities, as arrays) from the locked products and
   * records it with the product's current price. A line whose stock is short updates nothing, so
   * fewer rows than lines come back; the caller checked under the lock that this cannot happen, and
   * CHECK (available >= 0) would refuse it anyway.
   */
  static final String RESERVE =
      """
      WITH taken AS (
        UPDATE products p
           SET available = p.available - l.quantity,
               version = p.version + 1,
               updated_at = now()
          FROM unnest($2::uuid[], $3::integer[]) AS l (product_id, quantity)
         WHERE p.id = l.product_id AND p.available >= l.quantity
        RETURNING p.id, l.quantity, p.price_minor, p.currency, p.name
      )
      INSERT INTO reservations (order_id, product_id, quantity, price_minor, currency, name)
      SELECT $1, id, quantity, price_minor, currency, name FROM taken
      RETURNING product_id, quantity, price_minor, currency, name
      """;

  /** An order's reserved lines, whatever became of them since, to answer a repeated RESERVE. */
  static final String SELECT_RESERVATIONS =
      """
      SELECT product_id, quantity, price_minor, currency, name FROM reservations WHERE order_id = $1
      """;

  /** Locks, in id order as {@link #LOCK_STOCK} does, the products an order still holds. */
  static final String LOCK_RESERVED_STOCK =
      """
      SELECT id FROM products
       WHERE id IN (SELECT product_id FROM reservations WHERE order_id = $1 AND status = 'RESERVED')
       ORDER BY id
         FOR UPDATE
      """;

  /**
   * Gives an order's RESERVED lines back to the stock; nothing for a released, sold or unknown
   * order.
   */
  static final String RELEASE =
      """
      WITH released AS (
        UPDATE reservations SET status = 'RELEASED', updated_at = now()
         WHERE order_id = $1 AND status = 'RESERVED'
        RETURNING product_id, quantity
      )
      UPDATE products p
         SET available = p.available + r.quantity,
             version = p.version + 1,
             updated_at = now()
        FROM released r
       WHERE p.id = r.product_id
      RETURNING p.id
      """;

  /**
   * Turns an order's RESERVED lines into sales (the stock left {@code available} when it was
   * reserved). After the platform's inbox CTE {@code first} ($1, $2; see reliablyInOneStatement):
   * $3 order id.
   */
  static final String COMMIT_ONCE =
      """
      UPDATE reservations SET status = 'COMMITTED', updated_at = now()
       WHERE order_id = $3 AND status = 'RESERVED' AND EXISTS (SELECT FROM first)
      """;

  private InventorySql() {}
}
