-- E-mail channels (issue 13): the sender address an SMTP channel writes
-- from. Empty for the other kinds.
ALTER TABLE channels ADD COLUMN sender TEXT
