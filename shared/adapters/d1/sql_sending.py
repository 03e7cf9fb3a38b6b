"""SQL of the send consumer. Every state change of an email is a guarded UPDATE on its status, so two consumers (a
duplicate delivery, a retry racing a redelivery) can never both move it; the unique send key is the last guard.

Email states: queued -> sending -> sent | bounced | failed, queued -> cancelled, and sending -> queued (a retry, or a
reconciliation that proved nothing left). `retry_at` parks a queued email until then (the sweeper re-queues it).
"""

from __future__ import annotations

# Everything the send consumer decides on, in one read: the email, its enrollment, the prospect.
SEND_CONTEXT = """
SELECT m.id, m.prospect_id, m.enrollment_id, m.campaign_id, m.step_id, m.step_position, m.variant, m.inbox_id,
       m.send_key, m.message_id, m.thread_id, m.in_reply_to, m.references_, m.from_address, m.to_address, m.subject,
       m.body_text, m.body_html, m.status, m.reservation_token, m.reservation_until, m.attempts, m.sending_at,
       m.transport, m.retry_at, m.created_at, m.queued_at, m.reserved_at,
       e.status AS enrollment_status, e.next_step AS enrollment_next_step, e.resume_at AS enrollment_resume_at,
       e.claim_token AS enrollment_claim,
       p.email_normalized AS prospect_email, p.email_status AS prospect_email_status, p.archived AS prospect_archived,
       p.first_name AS prospect_first_name, p.timezone AS prospect_timezone, p.city AS prospect_city,
       p.region AS prospect_region, p.country AS prospect_country
FROM emails AS m
LEFT JOIN enrollments AS e ON e.id = m.enrollment_id
LEFT JOIN prospects AS p ON p.id = m.prospect_id
WHERE m.id = ?
"""

# ?1 id, ?2 now, ?3 transport kind, ?4 inbox, ?5 reservation token, ?6 reservation until
MARK_SENDING = """
UPDATE emails SET status = 'sending', sending_at = ?2, attempts = attempts + 1, transport = ?3, inbox_id = ?4,
       from_address = coalesce((SELECT email FROM inboxes WHERE id = ?4), from_address),
       reservation_token = ?5, reservation_until = ?6, retry_at = NULL
WHERE id = ?1 AND status = 'queued'
"""

# ?1 id, ?2 now, ?3 provider id, ?4 outcome
MARK_SENT = """
UPDATE emails SET status = 'sent', sent_at = ?2, provider_id = ?3, last_outcome = ?4, error = NULL, retry_at = NULL
WHERE id = ?1 AND status = 'sending'
"""

# ?1 id, ?2 retry at, ?3 outcome, ?4 error
MARK_RETRY = """
UPDATE emails SET status = 'queued', retry_at = ?2, last_outcome = ?3, error = ?4, sending_at = NULL
WHERE id = ?1 AND status = 'sending'
"""

# ?1 id, ?2 now, ?3 outcome, ?4 error
MARK_FAILED = """
UPDATE emails SET status = 'failed', last_outcome = ?3, error = ?4, retry_at = NULL
WHERE id = ?1 AND status IN ('sending', 'queued')
"""

MARK_BOUNCED = """
UPDATE emails SET status = 'bounced', bounced_at = ?2, last_outcome = ?3, error = ?4, retry_at = NULL
WHERE id = ?1 AND status = 'sending'
"""

# ?1 id, ?2 reason
CANCEL = "UPDATE emails SET status = 'cancelled', error = ?2, retry_at = NULL WHERE id = ?1 AND status = 'queued'"

# ?1 id, ?2 retry at, ?3 why
DEFER = "UPDATE emails SET retry_at = ?2, last_outcome = ?3 WHERE id = ?1 AND status = 'queued'"

# A `sending` email the transport proved not sent (reconciliation): queued again, at once.
BACK_TO_QUEUED = (
    "UPDATE emails SET status = 'queued', sending_at = NULL, retry_at = NULL WHERE id = ?1 AND status = 'sending'"
)

# ?1 prospect, ?2 now
PROSPECT_CONTACTED = """
UPDATE prospects SET stage = CASE WHEN stage IN ('new', 'enriched', 'ready') THEN 'contacted' ELSE stage END,
       last_contacted_at = ?2, updated_at = ?2, version = version + 1
WHERE id = ?1
"""

# ?1 prospect, ?2 now
PROSPECT_BOUNCED = """
UPDATE prospects SET email_status = 'bounced', updated_at = ?2, version = version + 1
WHERE id = ?1 AND email_status <> 'bounced'
"""

# ?1 id, ?2 prospect, ?3 type, ?4 summary, ?5 data JSON, ?6 now
ACTIVITY = """
INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at)
VALUES (?1, ?2, ?3, ?4, ?5, 'consumer.send', ?6)
"""

# ?1 id, ?2 address, ?3 source, ?4 now
SUPPRESS_HARD_BOUNCE = """
INSERT INTO suppressions (id, kind, value, reason, source, created_by, created_at)
VALUES (?1, 'email', ?2, 'hard_bounce', ?3, 'consumer.send', ?4)
ON CONFLICT (kind, value) DO NOTHING
"""

# The next step is due its delay after this send (not after compose). ?1 enrollment, ?2 step sent, ?3 due at, ?4 now
ADVANCE_AFTER_SEND = """
UPDATE enrollments SET next_due_at = ?3, updated_at = ?4
WHERE id = ?1 AND status = 'active' AND next_step = ?2 + 1 AND next_due_at IS NOT NULL AND claim_token IS NULL
"""

# ?1 enrollment, ?2 reason, ?3 now
STOP_ENROLLMENT = """
UPDATE enrollments SET status = 'stopped', stop_reason = ?2, next_due_at = NULL, claim_token = NULL,
       claimed_at = NULL, finished_at = ?3, version = version + 1, updated_at = ?3
WHERE id = ?1 AND status IN ('active', 'paused')
"""

# Campaign stop rule on bounce. ?1 campaign
STOP_ON_BOUNCE = "SELECT json_extract(settings, '$.stop.on_bounce') AS rule FROM campaigns WHERE id = ?"

# The sweeper: queued emails whose retry time has come, and queued/sending ones whose message seems lost.
# ?1 now, ?2 limit
DUE_RETRIES = """
SELECT id, send_key FROM emails WHERE status = 'queued' AND retry_at IS NOT NULL AND retry_at <= ?1
ORDER BY retry_at LIMIT ?2
"""
# ?1 before, ?2 limit
STALE = """
SELECT id, send_key FROM emails WHERE status IN ('queued', 'sending') AND queued_at < ?1 AND retry_at IS NULL
ORDER BY queued_at LIMIT ?2
"""
# ?1 now, ?2 JSON ids
TOUCH = """
UPDATE emails SET queued_at = ?1, retry_at = NULL
WHERE id IN (SELECT value FROM json_each(?2)) AND status IN ('queued', 'sending')
"""
