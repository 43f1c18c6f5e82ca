-- How far each workspace's escalation ladders have been looked at (issue
-- 13): the steps that fell up to `up_to` (unix seconds) are in the outbox.
-- Moved on in the same transaction as the notifications it decided, so a
-- restart resumes from it and misses no step.
CREATE TABLE alert_marks (
    workspace TEXT PRIMARY KEY,
    up_to     BIGINT NOT NULL
);
