-- The outbox is a queue: each row is inserted, marked delivered once and purged after outbox.retentionSeconds.
-- Vacuum it by a fixed number of changed rows, not by a fraction of its size, so dead row versions never pile
-- up in front of the relay's claim (which walks outbox_due in next_attempt_at order).
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                        autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
                        autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);

-- The purge takes the oldest delivered rows first.
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE status = 'DELIVERED';
