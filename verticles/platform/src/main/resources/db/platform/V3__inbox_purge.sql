-- Processed message ids are purged after outbox.inboxRetentionSeconds, in batches. The inbox is append-only in
-- processed_at order, so a BRIN index finds the old rows at almost no cost per insert (a B-tree would add an
-- index entry to every consumed message).
CREATE INDEX inbox_processed ON inbox USING brin (processed_at);
