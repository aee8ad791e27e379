CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL,
  event_id    uuid NOT NULL,
  kind        text NOT NULL,
  body        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Exactly one notification per event per user.
  UNIQUE (event_id, user_id)
);
CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC);
