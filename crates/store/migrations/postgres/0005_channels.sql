-- Alert channels (issue 13): where notifications go. The secret that signs
-- a webhook's deliveries is not here: `secret_source` names the file or
-- environment variable the delivering server reads it from.
CREATE TABLE channels (
    workspace     TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    kind          TEXT   NOT NULL,
    url           TEXT   NOT NULL,
    secret_source TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace, name)
);
