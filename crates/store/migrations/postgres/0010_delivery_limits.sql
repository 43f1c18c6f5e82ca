-- Delivery limits (issue 13). A person's quiet hours (HH:MM-HH:MM in their
-- zone): messages to them wait for the hours to end.
ALTER TABLE people ADD COLUMN quiet_hours TEXT;
-- A channel's rate limit (at most `per_minute` sends per minute, counted
-- in the current one-minute window by every server), and its health: the
-- failed attempts since the last accepted one, since when, and when the
-- channel was suspended for failing (its notifications wait, not tried,
-- until someone resumes it).
ALTER TABLE channels ADD COLUMN per_minute BIGINT;
ALTER TABLE channels ADD COLUMN window_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN window_used BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN failing_since BIGINT;
ALTER TABLE channels ADD COLUMN suspended_at BIGINT
