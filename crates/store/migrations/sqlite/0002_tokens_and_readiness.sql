-- Tokens: a role (admin may manage tokens; member may not), an optional
-- expiry and a revocation instant. Tokens made before this carried every
-- right, so they become admins.
ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at INTEGER;
CREATE INDEX tokens_by_workspace ON tokens (workspace, created_at);

-- /readyz writes here: ready means the store takes writes, not only reads.
CREATE TABLE readiness (
    id         INTEGER NOT NULL PRIMARY KEY,
    checked_at INTEGER NOT NULL
);
