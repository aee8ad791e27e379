-- Reliable messaging on an at-most-once bus, in every service's own database.

-- Messages a service must deliver, written in the same transaction as the state change that causes them.
CREATE TABLE outbox (
  id              uuid PRIMARY KEY,                -- the message id; consumers deduplicate on it
  destination     text NOT NULL,                   -- event-bus address
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX outbox_dead ON outbox (created_at) WHERE status = 'DEAD';

-- Messages a service has processed: a redelivered message id is acknowledged and changes nothing.
CREATE TABLE inbox (
  message_id   uuid NOT NULL,
  consumer     text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, consumer)
);
