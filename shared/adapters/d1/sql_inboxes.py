"""Named SQL for inboxes. Keyset pages on (created_at, id) are range seeks on idx_inboxes_created; the first page is
its own statement (an `?2 IS NULL OR ...` would turn the seek into a scan)."""

from __future__ import annotations

INBOX_COLUMNS = (
    "id", "email", "domain", "display_name", "reply_to", "signature", "postal_address", "timezone", "transport",
    "transport_config", "secret_names", "warmup", "warmup_enabled", "warmup_start", "daily_cap", "hourly_cap",
    "send_window", "dkim_selector", "status", "status_reason", "version", "created_at", "updated_at", "configured_at",
)  # fmt: skip
SELECT_INBOX = f"SELECT {', '.join(INBOX_COLUMNS)} FROM inboxes"

INSERT_INBOX = f"INSERT INTO inboxes ({', '.join(INBOX_COLUMNS)}) VALUES ({', '.join('?' for _ in INBOX_COLUMNS)})"
_UPDATABLE = [c for c in INBOX_COLUMNS if c not in ("id", "version", "created_at", "configured_at")]
UPDATABLE_COLUMNS = tuple(_UPDATABLE)
_RETURNING = f"RETURNING {', '.join(INBOX_COLUMNS)}"  # the stored row, in the same round trip
UPDATE_INBOX_IF_VERSION = (
    f"UPDATE inboxes SET {', '.join(f'{c} = ?' for c in _UPDATABLE)}, version = version + 1 "
    f"WHERE id = ? AND version = ? {_RETURNING}"
)
SET_STATUS_IF_VERSION = (
    "UPDATE inboxes SET status = ?1, status_reason = ?2, updated_at = ?3, version = version + 1 "
    f"WHERE id = ?4 AND version = ?5 {_RETURNING}"
)
MARK_CONFIGURED = "UPDATE inboxes SET configured_at = ?2 WHERE id = ?1"
MARK_CONFIGURED_IF_VERSION = "UPDATE inboxes SET configured_at = ?2 WHERE id = ?1 AND version = ?3"

GET_INBOX = SELECT_INBOX + " WHERE id = ?"
GET_VERSION = "SELECT version FROM inboxes WHERE id = ?"
ID_FOR_EMAIL = "SELECT id FROM inboxes WHERE email = ?"
# The ids as one JSON array parameter: any number of inboxes in one statement, in the order given.
GET_MANY = (
    f"SELECT {', '.join('i.' + c for c in INBOX_COLUMNS)} FROM json_each(CAST(?1 AS TEXT)) AS j "
    "JOIN inboxes AS i ON i.id = j.value ORDER BY j.key"
)
LIST_ALL_IDS = "SELECT id FROM inboxes ORDER BY created_at, id"

_STATUS = "(?1 IS NULL OR status = ?1)"  # a residual filter on the index's rows, not part of the seek
LIST_FIRST = f"{SELECT_INBOX} WHERE {_STATUS} ORDER BY created_at, id LIMIT ?2"
LIST_AFTER = f"{SELECT_INBOX} WHERE {_STATUS} AND (created_at, id) > (?2, ?3) ORDER BY created_at, id LIMIT ?4"
