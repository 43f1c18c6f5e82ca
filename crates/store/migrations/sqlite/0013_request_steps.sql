-- The steps of a request between the teams (issue 19): an extension
-- request carries the new due instant asked for, in nanoseconds since the
-- epoch like occurred_at. Every other event leaves it empty.
ALTER TABLE events ADD COLUMN until_at BIGINT;
