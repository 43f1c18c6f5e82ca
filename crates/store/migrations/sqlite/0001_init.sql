-- Every table carries the workspace (tenant) it belongs to.
CREATE TABLE agreements (
    workspace  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (workspace, version)
);

CREATE TABLE tokens (
    id          TEXT    NOT NULL PRIMARY KEY,
    workspace   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Events are append-only; (workspace, id) is unique so a redelivery is a no-op.
-- Instants are nanoseconds since the Unix epoch. Typed columns, not JSON blobs,
-- so reading back is cheap; `extra` holds attributes Handshake does not know.
CREATE TABLE events (
    workspace    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    kind         INTEGER NOT NULL,
    occurred_at  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    fingerprint  INTEGER NOT NULL,
    inferred     INTEGER NOT NULL,
    stage        TEXT,
    owner        TEXT,
    channel      TEXT,
    actor        TEXT,
    automated    INTEGER,
    reason       TEXT,
    activity     TEXT,
    amount_minor INTEGER,
    currency     TEXT,
    source       TEXT,
    segment      TEXT,
    persona      TEXT,
    score        INTEGER,
    email        TEXT,
    company      TEXT,
    extra        TEXT,
    req_from     TEXT,
    req_to       TEXT,
    req_kind     TEXT,
    PRIMARY KEY (workspace, id)
) WITHOUT ROWID;

CREATE INDEX events_by_subject ON events (workspace, subject, occurred_at, id);
