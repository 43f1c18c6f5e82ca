-- The cursor: every event gets a per-workspace sequence number in the order
-- the store accepted it, so any process can ask for "the events after N".
-- Numbers come from `event_counters`, whose row a writer holds until it
-- commits: a batch that commits later always has higher numbers.
ALTER TABLE events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE events SET seq = numbered.n FROM (
    SELECT workspace AS w, id AS i,
           ROW_NUMBER() OVER (PARTITION BY workspace ORDER BY received_at, id) AS n
    FROM events
) AS numbered
WHERE events.workspace = numbered.w AND events.id = numbered.i;
CREATE INDEX events_by_seq ON events (workspace, seq);

CREATE TABLE event_counters (
    workspace TEXT   NOT NULL PRIMARY KEY,
    last_seq  BIGINT NOT NULL
);
INSERT INTO event_counters (workspace, last_seq)
    SELECT workspace, MAX(seq) FROM events GROUP BY workspace;

-- Dashboard sessions, shared by every server on the database. The cookie
-- value is kept only as its SHA-256 (hex), like a token's secret.
CREATE TABLE sessions (
    id_hash    TEXT   NOT NULL PRIMARY KEY,
    workspace  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    token_id   TEXT   NOT NULL,
    csrf       TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
