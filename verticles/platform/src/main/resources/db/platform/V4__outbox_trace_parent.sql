-- The W3C traceparent of the span that wrote the message (null: written outside any trace). The relay
-- delivers the message as a child of it, so an order's saga is one trace across the outbox hops, even when
-- the message waits for a retry or another instance's relay.
ALTER TABLE outbox ADD COLUMN trace_parent text;
