-- The notification outbox (issue 13): one row per notification, keyed per
-- workspace by what it is about (a clock or goal period and a ladder step),
-- so it exists once however many servers decide to send it. Its delivery id
-- stays the same across retries; a worker claims due rows for a lease, so a
-- server killed mid-delivery leaves them to be claimed again.
CREATE TABLE notifications (
    workspace       TEXT   NOT NULL,
    key             TEXT   NOT NULL,
    delivery_id     TEXT   NOT NULL,
    channel         TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    due_at          BIGINT NOT NULL,
    state           TEXT   NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT,
    last_status     BIGINT,
    last_answer     TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT,
    PRIMARY KEY (workspace, key)
);
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
