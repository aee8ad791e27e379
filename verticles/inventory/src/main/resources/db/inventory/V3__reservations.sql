-- Stock held for orders by the order saga. For every product:
--   initial_available + Σ stock_adjustments.delta = available + Σ RESERVED + Σ COMMITTED (sold)
-- (the stock_balance view below checks it).

-- The stock a product was created with, so the balance above can be checked at any time. Products that exist
-- before this migration have no reservations yet, so their initial stock is what adjustments do not explain.
ALTER TABLE products ADD COLUMN initial_available integer;
UPDATE products p
   SET initial_available = p.available - coalesce(
     (SELECT sum(a.delta) FROM stock_adjustments a WHERE a.product_id = p.id), 0);
ALTER TABLE products
  ALTER COLUMN initial_available SET NOT NULL,
  ADD CONSTRAINT products_initial_available CHECK (initial_available >= 0);

-- One row per order that asked for stock, written in the first transaction that handled its RESERVE command. A
-- repeated or retried RESERVE for the same order waits for this row's primary key, then replays the outcome
-- instead of deciding again (a second decision could reserve what the first rejected, after orders cancelled).
CREATE TABLE stock_requests (
  order_id   uuid PRIMARY KEY,
  -- NULL: every line was reserved (see reservations); otherwise why nothing was.
  rejection  text CHECK (rejection IN ('OUT_OF_STOCK', 'UNKNOWN_PRODUCT', 'MIXED_CURRENCY')),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The lines of a successful reservation, priced when it was made (prices come from inventory, not the client).
CREATE TABLE reservations (
  order_id    uuid NOT NULL REFERENCES stock_requests (order_id),
  product_id  uuid NOT NULL REFERENCES products (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  status      text NOT NULL DEFAULT 'RESERVED' CHECK (status IN ('RESERVED', 'RELEASED', 'COMMITTED')),
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, product_id)
);
-- Reserved and sold quantities per product, for the balance.
CREATE INDEX reservations_product ON reservations (product_id, status);

-- The stock balance of every product: `balanced` must always be true.
CREATE VIEW stock_balance AS
SELECT p.id AS product_id,
       p.initial_available,
       coalesce(a.adjusted, 0) AS adjusted,
       p.available,
       coalesce(r.reserved, 0) AS reserved,
       coalesce(r.sold, 0) AS sold,
       p.initial_available + coalesce(a.adjusted, 0)
         = p.available + coalesce(r.reserved, 0) + coalesce(r.sold, 0) AS balanced
  FROM products p
  LEFT JOIN (SELECT product_id, sum(delta)::bigint AS adjusted
               FROM stock_adjustments GROUP BY product_id) a ON a.product_id = p.id
  LEFT JOIN (SELECT product_id,
                    (sum(quantity) FILTER (WHERE status = 'RESERVED'))::bigint AS reserved,
                    (sum(quantity) FILTER (WHERE status = 'COMMITTED'))::bigint AS sold
               FROM reservations GROUP BY product_id) r ON r.product_id = p.id;
