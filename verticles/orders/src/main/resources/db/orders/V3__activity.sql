-- The operations console: an order keeps the id of the trace it was placed in (when that trace was
-- sampled), so a slow or failed order links to its spans; and recent orders are found by when they
-- were placed, not by scanning every customer's.
ALTER TABLE orders ADD COLUMN trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$');
CREATE INDEX orders_created ON orders (created_at);
