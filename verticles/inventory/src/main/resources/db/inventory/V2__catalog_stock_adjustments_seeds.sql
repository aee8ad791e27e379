-- The catalog is paged by keyset on (name, id): this index serves both the order and the "after" condition.
CREATE INDEX products_name_id ON products (name, id);

-- SKUs differing only in case ("abc-1", "ABC-1") would confuse every human reading an order.
CREATE UNIQUE INDEX products_sku_lower ON products (lower(sku));

ALTER TABLE products
  ADD CONSTRAINT products_currency_iso CHECK (currency ~ '^[A-Z]{3}$'),
  ADD CONSTRAINT products_version_positive CHECK (version >= 1);

-- Every stock change, written in the same transaction as the change itself. message_id makes a command that is
-- resent after a bus timeout apply once.
CREATE TABLE stock_adjustments (
  id          uuid PRIMARY KEY,
  product_id  uuid NOT NULL REFERENCES products (id),
  delta       integer NOT NULL CHECK (delta <> 0),
  reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
  actor       text NOT NULL,
  message_id  uuid UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_adjustments_product ON stock_adjustments (product_id, created_at);

-- Data seeded once per database (the dev demo catalog): the marker row is inserted in the same transaction as
-- the data, so a restart or a second instance starting at the same time never seeds twice.
CREATE TABLE seeds (
  name       text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The text filter (ILIKE '%q%') can use trigram indexes. pg_trgm is a trusted extension that the database owner
-- may create; where the role may not (a managed database), the filter still works, by a scan.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);
  CREATE INDEX products_sku_trgm ON products USING gin (sku gin_trgm_ops);
  CREATE INDEX products_description_trgm ON products USING gin (description gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
  RAISE NOTICE 'pg_trgm unavailable (%): the catalog text filter scans', SQLERRM;
END
$$;
