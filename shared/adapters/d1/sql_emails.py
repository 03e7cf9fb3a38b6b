"""SQL of composed emails: the guarded store-and-advance batch, thread lookups, per-step and per-variant stats."""

from __future__ import annotations

EMAIL_COLUMNS = """
id, prospect_id, enrollment_id, campaign_id, step_id, step_position, variant, inbox_id, send_key, message_id,
thread_id, in_reply_to, references_, from_address, to_address, subject, body_text, body_html, composer,
compose_notes, reservation_token, reservation_until, status, provider_id, error, attempts, created_at, queued_at,
sent_at, opened_at, clicked_at, replied_at, bounced_at, body_purged_at
"""

GET_BY_SEND_KEY = f"SELECT {EMAIL_COLUMNS} FROM emails WHERE send_key = ?"
GET_EMAIL = f"SELECT {EMAIL_COLUMNS} FROM emails WHERE id = ?"

# The thread so far: every email of this enrollment, in step order (index idx_emails_enrollment).
THREAD = """
SELECT step_position, message_id, references_, subject, thread_id FROM emails
WHERE enrollment_id = ? ORDER BY step_position
"""

# Store the draft only while the scheduler's claim still stands (?3 enrollment, ?6 step, ?23 claim token); the same
# batch's next statement advances the enrollment under the same guard, so both happen or neither does.
INSERT_COMPOSED = """
INSERT INTO emails (id, prospect_id, enrollment_id, campaign_id, step_id, step_position, variant, inbox_id, send_key,
                    message_id, thread_id, in_reply_to, references_, from_address, to_address, subject, body_text,
                    composer, compose_notes, reservation_token, reservation_until, status, created_at, queued_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, CAST(?17 AS TEXT), ?18, ?19, ?20,
       ?21, 'queued', ?22, ?22
WHERE EXISTS (SELECT 1 FROM enrollments WHERE id = ?3 AND claim_token = ?23 AND status = 'active' AND next_step = ?6)
ON CONFLICT (send_key) DO NOTHING
"""

# ?1 id, ?2 claim token, ?3 step composed, ?4 next due (NULL: that was the last step), ?5 inbox, ?6 now
ADVANCE_ENROLLMENT = """
UPDATE enrollments SET next_step = ?3 + 1, next_due_at = ?4, inbox_id = coalesce(inbox_id, ?5), last_step_at = ?6,
       claim_token = NULL, claimed_at = NULL, version = version + 1, updated_at = ?6
WHERE id = ?1 AND claim_token = ?2 AND status = 'active' AND next_step = ?3
"""

# A compose that can no longer happen (the step vanished, the prospect lost its address): pause with the reason.
PAUSE_CLAIMED = """
UPDATE enrollments SET status = 'paused', pause_reason = ?3, claim_token = NULL, claimed_at = NULL,
       version = version + 1, updated_at = ?4
WHERE id = ?1 AND claim_token = ?2 AND status = 'active'
"""

STATS_BY_STEP = """
SELECT step_position, variant, status, count(*) AS n, count(replied_at) AS replied
FROM emails WHERE campaign_id = ? GROUP BY step_position, variant, status
"""
