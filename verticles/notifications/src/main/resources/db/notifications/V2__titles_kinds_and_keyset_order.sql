-- What the user reads as the headline, stored as it was written at the time.
ALTER TABLE notifications ADD COLUMN title text NOT NULL DEFAULT '';
ALTER TABLE notifications ALTER COLUMN title DROP DEFAULT;

ALTER TABLE notifications
  ADD CONSTRAINT notifications_kind CHECK (kind IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED', 'WELCOME'));

-- Pages are read newest first by (created_at, id), so rows stored in the same instant still have a total order;
-- the keyset condition (created_at, id) < ($2, $3) runs as a backward scan of this index.
DROP INDEX notifications_user_created;
CREATE INDEX notifications_user_created ON notifications (user_id, created_at, id);
