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
                    composer, compose_notes, reservation_token, reservation_until, status, created_at, queued_at,
                    reserved_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, CAST(?17 AS TEXT), ?18, ?19, ?20,
       ?21, 'queued', ?22, ?22, ?24
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

# -- the Emails API, email events and daily counters (issue 9, helper G5) -------------------------------------------

EMAIL_SUMMARY_COLUMNS = """
id, prospect_id, enrollment_id, campaign_id, step_position, variant, inbox_id, message_id, from_address, to_address,
subject, composer, status, transport, attempts, error, last_outcome, created_at, queued_at, sending_at, sent_at,
retry_at, opened_at, clicked_at, replied_at, bounced_at
"""
EMAIL_DETAIL_COLUMNS = f"""{EMAIL_SUMMARY_COLUMNS}, step_id, send_key, thread_id, in_reply_to, references_, body_text,
body_html, compose_notes, provider_id, body_purged_at, reservation_token"""
GET_EMAIL_DETAIL = f"SELECT {EMAIL_DETAIL_COLUMNS} FROM emails WHERE id = ?"

# The list: filters joined with AND (each `column = ?`), newest first by (created_at, id). A campaign, inbox or
# prospect filter seeks its own (…, created_at DESC, id DESC) index; otherwise idx_emails_list.
LIST_EMAILS_FROM = f"SELECT {EMAIL_SUMMARY_COLUMNS} FROM emails"
LIST_FILTER_EQUALS = {
    "status": "status = ?",
    "campaign_id": "campaign_id = ?",
    "inbox_id": "inbox_id = ?",
    "prospect_id": "prospect_id = ?",
}
LIST_FILTER_SINCE = "created_at >= ?"
LIST_FILTER_UNTIL = "created_at < ?"
LIST_FILTER_AFTER = "(created_at, id) < (?, ?)"
LIST_EMAILS_ORDER = "ORDER BY created_at DESC, id DESC LIMIT ?"

EVENTS_OF_EMAIL = "SELECT id, kind, automated, detail, at FROM email_events WHERE email_id = ? ORDER BY at, id"

# ?1 id, ?2 email, ?3 kind, ?4 automated, ?5 detail JSON, ?6 at. A once-per-email kind has a derived id: recording it
# again changes nothing.
INSERT_EVENT = """
INSERT INTO email_events (id, email_id, kind, automated, detail, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (id) DO NOTHING
"""
# The same, only while the email has status ?7 (the event of a guarded status change in the same batch).
INSERT_EVENT_IF_STATUS = """
INSERT INTO email_events (id, email_id, kind, automated, detail, at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM emails WHERE id = ?2 AND status = ?7)
ON CONFLICT (id) DO NOTHING
"""
# The first human open / click of an email (?1 id, ?2 at).
MARK_OPENED = "UPDATE emails SET opened_at = ?2 WHERE id = ?1 AND opened_at IS NULL"
MARK_CLICKED = "UPDATE emails SET clicked_at = ?2 WHERE id = ?1 AND clicked_at IS NULL"

# A one-off email's recipient: what the campaign guards look at, person-level suppression included (?1 prospect).
ONE_OFF_RECIPIENT = """
SELECT p.id AS prospect_id, p.email_normalized AS email, p.email_status, p.email_is_role, p.archived, p.country,
       p.legal_basis,
       EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'email' AND s.value = p.email_normalized)
       OR EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'domain'
                  AND s.value = substr(p.email_normalized, instr(p.email_normalized, '@') + 1))
       OR EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'person' AND s.value = p.id) AS suppressed
FROM prospects p WHERE p.id = ?1
"""

INSERT_ONE_OFF = """
INSERT INTO emails (id, prospect_id, inbox_id, send_key, message_id, thread_id, from_address, to_address, subject,
                    body_text, composer, compose_notes, status, created_at, queued_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, CAST(?9 AS TEXT), 'manual', '[]', 'queued', ?10, ?10)
"""

# Only a queued email can be cancelled (?1 id); the send consumer skips cancelled ones.
CANCEL_QUEUED = """
UPDATE emails SET status = 'cancelled', retry_at = NULL, error = 'cancelled through the API', last_outcome = 'cancelled'
WHERE id = ?1 AND status = 'queued'
"""

# The `events` consumer: add one to a counter unless this message was counted already (?7 message id); the same
# batch then marks the message processed, so both happen or neither does.
COUNT_EVENT = """
INSERT INTO daily_counters (day, campaign_id, step_position, variant, inbox_id, metric, count)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, 1 WHERE NOT EXISTS (SELECT 1 FROM processed_messages WHERE message_id = ?7)
ON CONFLICT (day, campaign_id, step_position, variant, inbox_id, metric) DO UPDATE SET count = count + 1
"""
MARK_PROCESSED = """
INSERT INTO processed_messages (message_id, queue, processed_at) VALUES (?1, ?2, ?3) ON CONFLICT (message_id) DO NOTHING
"""
COUNTERS_OF_CAMPAIGN = """
SELECT day, step_position, variant, inbox_id, metric, count FROM daily_counters
WHERE campaign_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, step_position, variant, inbox_id, metric
"""
