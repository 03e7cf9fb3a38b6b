-- The dashboard (issue 12): sessions a person opened by signing in with an API key. The cookie carries a random
-- token; only its SHA-256 is stored, so a leaked table opens no session. Revoked at logout, on key revocation
-- (api_key_id) or by expiry; `csrf` is the per-session token every form posts back.
CREATE TABLE dashboard_sessions (
    token_hash   TEXT PRIMARY KEY,
    api_key_id   TEXT NOT NULL,               -- the key's id, or 'bootstrap' for the API_KEY secret
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at   TEXT,
    user_agent   TEXT
) WITHOUT ROWID;
CREATE INDEX idx_dashboard_sessions_key ON dashboard_sessions (api_key_id) WHERE revoked_at IS NULL;
CREATE INDEX idx_dashboard_sessions_expiry ON dashboard_sessions (expires_at);
