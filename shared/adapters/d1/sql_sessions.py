"""Named SQL for `dashboard_sessions` (see migrations/0009_dashboard.sql). Looked up by the token's hash.

`GET_SESSION` joins the API key the session was opened with, so one query tells whether that key still exists,
is not revoked, and who it is (its name and scopes); a bootstrap session (`api_key_id = 'bootstrap'`) has no row.
"""

from __future__ import annotations

INSERT_SESSION = """
INSERT INTO dashboard_sessions (token_hash, api_key_id, csrf, created_at, expires_at, last_seen_at, user_agent)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
GET_SESSION = """
SELECT s.token_hash, s.api_key_id, s.csrf, s.created_at, s.expires_at, s.last_seen_at, s.revoked_at, s.user_agent,
       k.id AS key_id, k.name AS key_name, k.scopes AS key_scopes, k.revoked_at AS key_revoked_at
FROM dashboard_sessions s LEFT JOIN api_keys k ON k.id = s.api_key_id
WHERE s.token_hash = ?
"""
# Conditional so that concurrent requests of one session write at most one row per interval.
TOUCH_SESSION = """
UPDATE dashboard_sessions SET last_seen_at = ?1
WHERE token_hash = ?2 AND revoked_at IS NULL AND last_seen_at < ?3
"""
REVOKE_SESSION = "UPDATE dashboard_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"
REVOKE_KEY_SESSIONS = "UPDATE dashboard_sessions SET revoked_at = ? WHERE api_key_id = ? AND revoked_at IS NULL"
DELETE_EXPIRED = "DELETE FROM dashboard_sessions WHERE expires_at < ?"
