CREATE TABLE wallets (
  user_id       uuid PRIMARY KEY,
  balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
  currency      char(3) NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
