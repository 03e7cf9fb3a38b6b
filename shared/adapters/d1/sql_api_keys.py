"""Named SQL for `api_keys` (see migrations/0002_crm.sql). Keys are looked up by their SHA-256 hash only."""

from __future__ import annotations

_COLUMNS = "id, name, prefix, scopes, created_at, last_used_at, revoked_at"

INSERT_API_KEY = """
INSERT INTO api_keys (id, name, key_hash, prefix, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)
"""
GET_API_KEY_BY_HASH = f"SELECT {_COLUMNS} FROM api_keys WHERE key_hash = ?"
GET_API_KEY = f"SELECT {_COLUMNS} FROM api_keys WHERE id = ?"
LIST_API_KEYS = f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
REVOKE_API_KEY = "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
# Conditional so that concurrent requests of one key write at most one row per interval.
TOUCH_API_KEY = """
UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?3)
"""
