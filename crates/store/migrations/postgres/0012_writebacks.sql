-- What each lead's CRM record was last told (issue 14, write-back): the
-- record's text as sent, so a server pushes only what changed, and a
-- restart or another server sharing the database does not push it all again.
CREATE TABLE writebacks (
    workspace TEXT   NOT NULL,
    crm       TEXT   NOT NULL,
    lead      TEXT   NOT NULL,
    body      TEXT   NOT NULL,
    pushed_at BIGINT NOT NULL,
    PRIMARY KEY (workspace, crm, lead)
);
