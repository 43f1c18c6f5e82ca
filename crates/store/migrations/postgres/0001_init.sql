-- Every table carries the workspace (tenant) it belongs to.
CREATE TABLE agreements (
    workspace  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace, version)
);

CREATE TABLE tokens (
    id          TEXT    NOT NULL PRIMARY KEY,
    workspace   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

-- Events are append-only; (workspace, id) is unique so a redelivery is a no-op.
-- Instants are nanoseconds since the Unix epoch. Typed columns, not JSON blobs,
-- so reading back is cheap; `extra` holds attributes Handshake does not know.
CREATE TABLE events (
    workspace    TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    kind         SMALLINT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    fingerprint  BIGINT NOT NULL,
    inferred     BOOLEAN NOT NULL,
    stage        TEXT,
    owner        TEXT,
    channel      TEXT,
    actor        TEXT,
    automated    BOOLEAN,
    reason       TEXT,
    activity     TEXT,
    amount_minor BIGINT,
    currency     TEXT,
    source       TEXT,
    segment      TEXT,
    persona      TEXT,
    score        BIGINT,
    email        TEXT,
    company      TEXT,
    extra        TEXT,
    req_from     TEXT,
    req_to       TEXT,
    req_kind     TEXT,
    PRIMARY KEY (workspace, id)
);

CREATE INDEX events_by_subject ON events (workspace, subject, occurred_at, id);
