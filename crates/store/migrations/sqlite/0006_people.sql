-- The people directory (issue 13): who is who, keyed by the owner id the
-- CRM writes on leads, per workspace.
CREATE TABLE people (
    workspace TEXT NOT NULL,
    owner_id  TEXT NOT NULL,
    name      TEXT NOT NULL,
    email     TEXT,
    slack     TEXT,
    party     TEXT NOT NULL,
    manager   TEXT,
    calendar  TEXT,
    time_zone TEXT,
    status    TEXT NOT NULL,
    PRIMARY KEY (workspace, owner_id)
);
