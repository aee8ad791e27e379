-- The saga's state lives with the order: each transition is one local transaction.
ALTER TABLE orders ALTER COLUMN currency DROP NOT NULL;
ALTER TABLE orders
  ADD COLUMN deadline_at   timestamptz NOT NULL DEFAULT now() + interval '30 seconds',
  ADD COLUMN stock_state   text NOT NULL DEFAULT 'NONE'
    CHECK (stock_state IN ('NONE', 'REQUESTED', 'RESERVED', 'REJECTED', 'RELEASED', 'COMMITTED')),
  ADD COLUMN payment_state text NOT NULL DEFAULT 'NONE'
    CHECK (payment_state IN ('NONE', 'REQUESTED', 'CHARGED', 'DECLINED', 'REFUNDED')),
  ADD COLUMN step_at       timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN step_attempts integer NOT NULL DEFAULT 0,
  -- A confirmed order is reserved, charged and committed; nothing else is.
  ADD CONSTRAINT orders_confirmed_consistent CHECK (
    status <> 'CONFIRMED' OR (stock_state = 'COMMITTED' AND payment_state = 'CHARGED'));

CREATE INDEX orders_pending_deadline ON orders (deadline_at) WHERE status = 'PENDING';
CREATE INDEX orders_pending_step ON orders (step_at) WHERE status = 'PENDING';

CREATE TABLE order_lines (
  order_id    uuid NOT NULL REFERENCES orders (id),
  product_id  uuid NOT NULL,
  quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 10),
  price_minor bigint CHECK (price_minor >= 0),
  name        text,
  PRIMARY KEY (order_id, product_id)
);

CREATE TABLE order_timeline (
  id       bigserial PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  step     text NOT NULL,
  detail   text,
  at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX order_timeline_order ON order_timeline (order_id, id);

-- Idempotency-Key: the same key and lines return the same order; other lines are refused.
CREATE TABLE idempotency_keys (
  user_id      uuid NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  order_id     uuid NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
