-- The ledger: every change of a wallet's balance is one row, written in the same transaction as the change,
-- so the balance is always the sum of its wallet's amounts and balance_after_minor replays the history.
-- amount_minor is signed: what the entry did to the balance (charges are negative).
CREATE TABLE wallet_transactions (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id             uuid NOT NULL REFERENCES wallets (user_id),
  kind                text NOT NULL CHECK (kind IN ('OPENING', 'CREDIT', 'CHARGE', 'REFUND')),
  amount_minor        bigint NOT NULL,
  balance_after_minor bigint NOT NULL CHECK (balance_after_minor >= 0),
  reason              text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 200),
  -- Idempotency: a command carries a messageId, and a redelivered one finds its row already here.
  message_id          uuid NOT NULL UNIQUE,
  order_id            uuid,
  -- Who caused the entry: an admin's user id, or 'system' for the opening balance and the order saga.
  actor               text NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 100),
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT wallet_transactions_sign CHECK (
    (kind = 'OPENING' AND amount_minor >= 0)
    OR (kind IN ('CREDIT', 'REFUND') AND amount_minor > 0)
    OR (kind = 'CHARGE' AND amount_minor < 0)),
  -- Charges and refunds belong to an order; openings and admin credits never do.
  CONSTRAINT wallet_transactions_order CHECK ((kind IN ('CHARGE', 'REFUND')) = (order_id IS NOT NULL))
);

-- A wallet opens once.
CREATE UNIQUE INDEX wallet_transactions_one_opening ON wallet_transactions (user_id) WHERE kind = 'OPENING';

-- A wallet's history, newest first.
CREATE INDEX wallet_transactions_by_user ON wallet_transactions (user_id, id DESC);

CREATE INDEX wallet_transactions_by_order ON wallet_transactions (order_id) WHERE order_id IS NOT NULL;

ALTER TABLE wallets ADD CONSTRAINT wallets_currency_iso CHECK (currency ~ '^[A-Z]{3}$');
