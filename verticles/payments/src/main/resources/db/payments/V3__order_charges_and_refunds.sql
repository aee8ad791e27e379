-- The order saga's charges and refunds, recorded in the ledger like every other balance change.

-- At most one charge and one refund per order, whatever the event bus or orders' retries deliver.
CREATE UNIQUE INDEX wallet_transactions_one_charge ON wallet_transactions (order_id) WHERE kind = 'CHARGE';
CREATE UNIQUE INDEX wallet_transactions_one_refund ON wallet_transactions (order_id) WHERE kind = 'REFUND';

-- An order of free products charges 0: the ledger still says the order was charged (and nothing is refunded).
ALTER TABLE wallet_transactions DROP CONSTRAINT wallet_transactions_sign;
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_sign CHECK (
  (kind = 'OPENING' AND amount_minor >= 0)
  OR (kind IN ('CREDIT', 'REFUND') AND amount_minor > 0)
  OR (kind = 'CHARGE' AND amount_minor <= 0));

-- Charges that were declined, so that a repeated CHARGE for the order gives the same answer: charging it later
-- (after a credit) would take money for an order that orders has already cancelled.
CREATE TABLE declined_charges (
  order_id     uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES wallets (user_id),
  amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
  currency     char(3) NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('INSUFFICIENT_FUNDS', 'CURRENCY_MISMATCH')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
