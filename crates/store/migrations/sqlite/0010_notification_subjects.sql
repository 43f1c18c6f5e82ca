-- What each notification is about (issue 13): the lead or request, so its
-- timeline shows what was sent to whom, and that in one line.
ALTER TABLE notifications ADD COLUMN subject TEXT;
ALTER TABLE notifications ADD COLUMN summary TEXT;
CREATE INDEX notifications_by_subject ON notifications (workspace, subject)
