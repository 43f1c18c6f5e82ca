-- The cursor on PostgreSQL without making writers take turns: each event
-- carries the id of the transaction that stored it (`tx`) and a number from
-- a sequence (`seq`). A reader takes only events of transactions older than
-- every transaction still running (pg_snapshot_xmin), in (tx, seq) order:
-- those are final, and every later one sorts after them, so a batch that
-- commits late is read after, never skipped. Two writers to one workspace
-- no longer wait for each other's commit at the counter row.
CREATE SEQUENCE events_seq;
SELECT setval('events_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM events), false);
ALTER TABLE events ALTER COLUMN seq SET DEFAULT nextval('events_seq');
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
DROP INDEX events_by_seq;
CREATE INDEX events_by_tx ON events (workspace, tx, seq);
