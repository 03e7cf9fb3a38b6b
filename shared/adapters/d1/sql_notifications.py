"""Named SQL for notifications: one row per (notification, endpoint) so each endpoint's delivery, attempts and error
are its own. `payload` holds {endpoint, subject_id, dedup_key, data, next_attempt_at?} until the table has columns for
them (asked of the lead). Writes after a claim are guarded on (status pending, attempts as claimed): a flush that
lost its lease can no longer overwrite the newer attempt's result."""

from __future__ import annotations

COLUMNS = ("id", "kind", "channel", "payload", "status", "attempts", "error", "created_at", "sent_at")
_COLS = ", ".join(COLUMNS)
_NEXT = "coalesce(payload ->> '$.next_attempt_at', '')"

# ?1 id, ?2 kind, ?3 channel, ?4 payload, ?5 status, ?6 error, ?7 created_at, ?8 dedup since, ?9 dedup key,
# ?10 endpoint name ('' for none). Nothing is inserted when the key was recorded for that endpoint since ?8.
INSERT_DEDUPED = f"""
INSERT INTO notifications (id, kind, channel, payload, status, attempts, error, created_at)
SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?7
WHERE NOT EXISTS (
    SELECT 1 FROM notifications
    WHERE kind = ?2 AND created_at > ?8 AND payload ->> '$.dedup_key' = ?9
      AND coalesce(payload ->> '$.endpoint', '') = ?10
)
RETURNING {_COLS}
"""

# ?1 now, ?2 limit: pending rows whose next attempt is due, oldest first (idx_notifications_pending)
PENDING_DUE = f"""
SELECT {_COLS} FROM notifications
WHERE status = 'pending' AND {_NEXT} <= ?1
ORDER BY created_at, id LIMIT ?2
"""

# ?1 id, ?2 attempts as read, ?3 lease until, ?4 now
CLAIM = f"""
UPDATE notifications SET attempts = attempts + 1, payload = json_set(payload, '$.next_attempt_at', ?3)
WHERE id = ?1 AND status = 'pending' AND attempts = ?2 AND {_NEXT} <= ?4
"""
# ?1 id, ?2 attempts as claimed, ?3 sent_at
MARK_SENT = """
UPDATE notifications
SET status = 'sent', sent_at = ?3, error = NULL, payload = json_remove(payload, '$.next_attempt_at')
WHERE id = ?1 AND status = 'pending' AND attempts = ?2
"""
# ?1 id, ?2 attempts as claimed, ?3 error, ?4 next attempt at
MARK_RETRY = """
UPDATE notifications SET error = ?3, payload = json_set(payload, '$.next_attempt_at', ?4)
WHERE id = ?1 AND status = 'pending' AND attempts = ?2
"""
# ?1 id, ?2 attempts as read or claimed, ?3 error
MARK_FAILED = """
UPDATE notifications SET status = 'failed', error = ?3, payload = json_remove(payload, '$.next_attempt_at')
WHERE id = ?1 AND status = 'pending' AND attempts = ?2
"""

# ?1 since: deliveries per (endpoint, kind) in the rate window
SENT_COUNTS = """
SELECT coalesce(payload ->> '$.endpoint', '') AS endpoint, kind, count(*) AS sent
FROM notifications WHERE status = 'sent' AND sent_at >= ?1
GROUP BY 1, 2
"""

GET = f"SELECT {_COLS} FROM notifications WHERE id = ?"

# ?1 kind or NULL, ?2 status or NULL, ?3/?4 the previous page's last (created_at, id) or NULL, ?5 limit; newest first
LIST = f"""
SELECT {_COLS} FROM notifications
WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2)
  AND (?3 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?4))
ORDER BY created_at DESC, id DESC LIMIT ?5
"""

# The nightly job: delivered and failed notifications older than the cut-off (index idx_notifications_finished).
FORGET_FINISHED = "DELETE FROM notifications WHERE status IN ('sent', 'failed') AND created_at < ?"
