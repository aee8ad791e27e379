-- Processed message ids are purged after outbox.inboxRetentionSeconds (oldest first, in batches): the purge
-- walks this index instead of the whole table.
CREATE INDEX inbox_processed ON inbox (processed_at);
