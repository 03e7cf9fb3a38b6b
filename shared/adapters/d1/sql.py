"""Named SQL for the platform tables. The only place SQL text lives (besides migrations/)."""

from __future__ import annotations

# -- schema bookkeeping ------------------------------------------------------------------------------------------
SELECT_ONE = "SELECT 1 AS ok"
APPLIED_MIGRATIONS = "SELECT name FROM d1_migrations ORDER BY id"

# -- failed_tasks ------------------------------------------------------------------------------------------------
INSERT_FAILED_TASK = """
INSERT INTO failed_tasks (id, queue, type, version, attempts, last_error, payload, raw_body, trace_id, failed_at,
                          status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING
"""
GET_FAILED_TASK = """
SELECT id, queue, type, version, attempts, last_error, payload, raw_body, trace_id, failed_at, status
FROM failed_tasks WHERE id = ?
"""
COUNT_OPEN_FAILED_TASKS = "SELECT count(*) AS n FROM failed_tasks WHERE status = 'open'"
_FAILED_TASKS = """
SELECT id, queue, type, version, attempts, last_error, payload, raw_body, trace_id, failed_at, status
FROM failed_tasks WHERE status = ?1"""
# Keyset pages as row-value range seeks (a first page of its own: `?2 IS NULL OR ...` would scan the index).
LIST_FAILED_TASKS_FIRST = f"{_FAILED_TASKS} ORDER BY failed_at DESC, id DESC LIMIT ?2"
LIST_FAILED_TASKS_AFTER = f"{_FAILED_TASKS} AND (failed_at, id) < (?2, ?3) ORDER BY failed_at DESC, id DESC LIMIT ?4"
REOPEN_FAILED_TASK = "UPDATE failed_tasks SET status = 'open', resolved_at = NULL WHERE id = ? AND status = 'replayed'"
MARK_FAILED_TASK_DISCARDED = """
UPDATE failed_tasks SET status = 'discarded', resolved_at = ? WHERE id = ? AND status = 'open'
"""
MARK_FAILED_TASK_REPLAYED = """
UPDATE failed_tasks SET status = 'replayed', resolved_at = ? WHERE id = ? AND status = 'open'
"""

# -- inbound_messages --------------------------------------------------------------------------------------------
INSERT_INBOUND = """
INSERT INTO inbound_messages (id, received_at, mail_from, rcpt_to, raw_size, raw_sha256, raw_chunks, trace_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (raw_sha256, rcpt_to) DO NOTHING
"""
INSERT_INBOUND_CHUNK = """
INSERT INTO inbound_message_chunks (inbound_id, seq, data)
SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM inbound_messages WHERE id = ?)
ON CONFLICT (inbound_id, seq) DO NOTHING
"""
FIND_INBOUND_BY_SHA = "SELECT id FROM inbound_messages WHERE raw_sha256 = ? AND rcpt_to = ?"
GET_INBOUND_META = "SELECT id, raw_size, raw_sha256, raw_chunks FROM inbound_messages WHERE id = ?"
GET_INBOUND_CHUNKS = "SELECT seq, data FROM inbound_message_chunks WHERE inbound_id = ? ORDER BY seq"
MARK_INBOUND_PARSED = """
UPDATE inbound_messages SET status = 'parsed', message_id = ?, subject = ?
WHERE id = ? AND status = 'received'
"""

# -- settings (JSON values by key) -------------------------------------------------------------------------------
GET_SETTING = "SELECT value, updated_at FROM settings WHERE key = ?"
PUT_SETTING = """
INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
"""

# -- inboxes -----------------------------------------------------------------------------------------------------
LIST_INBOXES = "SELECT id, email, timezone, status FROM inboxes ORDER BY email LIMIT ?"
GET_INBOX = "SELECT id, email, timezone, status FROM inboxes WHERE id = ?"

# Consumer idempotency keys older than the longest redelivery window (the nightly integrity job).
FORGET_PROCESSED = "DELETE FROM processed_messages WHERE processed_at < ?"
