-- What a CRM told of objects that are not leads (deals, opportunities,
-- calls, e-mails, meetings), one fact per row, each notification once
-- (issue 14, live CRM): a lead's events are derived from all of an
-- object's notes once one ties it to a lead.
CREATE TABLE crm_notes (
    workspace   TEXT   NOT NULL,
    object      TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    occurred_at BIGINT NOT NULL,
    fact        TEXT   NOT NULL,
    PRIMARY KEY (workspace, object, note)
);
