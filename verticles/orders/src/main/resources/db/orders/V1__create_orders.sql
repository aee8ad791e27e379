CREATE TABLE orders (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  status      text NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'CANCELLED')),
  reason      text,
  total_minor bigint NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
  currency    char(3) NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_created ON orders (user_id, created_at DESC);
