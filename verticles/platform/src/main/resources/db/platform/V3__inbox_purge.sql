-- Processed message ids are purged after outbox.inboxRetentionSeconds, oldest first, in batches: the purge
-- walks this index instead of the whole table. (Not BRIN: once purged pages are reused, new rows land beside
-- old ones and every block range would span the whole retention.)
CREATE INDEX inbox_processed ON inbox (processed_at);
