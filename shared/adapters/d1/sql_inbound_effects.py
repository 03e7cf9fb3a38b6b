"""SQL of inbound processing: the message's facts, matching it to one of our emails, and its effects (applied in one
batch per message). Every write is guarded so that processing a message twice changes nothing the second time."""

from __future__ import annotations

META = """
SELECT id, mail_from, rcpt_to, received_at, status, classification, intent, corrections, processed_at
FROM inbound_messages WHERE id = ?
"""

_EMAIL = """
SELECT m.id, m.prospect_id, m.enrollment_id, m.campaign_id, m.inbox_id, m.to_address, m.step_position,
       m.message_id, m.status, e.company_key, p.company_normalized
FROM emails AS m
LEFT JOIN enrollments AS e ON e.id = m.enrollment_id
LEFT JOIN prospects AS p ON p.id = m.prospect_id
"""
# ?1 JSON array of Message-IDs (ours, or the send_email builder's own ids)
BY_MESSAGE_IDS = (
    _EMAIL
    + """
WHERE m.id IN (SELECT id FROM emails WHERE message_id IN (SELECT value FROM json_each(?1))
               UNION SELECT id FROM emails WHERE provider_id IN (SELECT value FROM json_each(?1)))
ORDER BY m.sent_at DESC LIMIT 1
"""
)
# ?1 address, ?2 since: the latest email we sent to this address
BY_ADDRESS = (
    _EMAIL
    + """
WHERE m.id = (SELECT id FROM emails WHERE to_address = ?1 AND sent_at >= ?2 ORDER BY sent_at DESC LIMIT 1)
"""
)

SOFT_BOUNCES_SINCE = """
SELECT count(*) AS n FROM inbound_messages
WHERE bounce_address = ? AND received_at >= ? AND intent = 'soft' AND id <> ?
"""

# ?1 id, ?2 classification, ?3 intent, ?4 confidence, ?5 details JSON, ?6 spoofed, ?7 prospect, ?8 email,
# ?9 campaign, ?10 bounce address, ?11 now
RECORD = """
UPDATE inbound_messages SET status = 'processed', classification = ?2, intent = ?3, confidence = ?4,
       details = CAST(?5 AS TEXT),
       spoofed = ?6, prospect_id = ?7, email_id = ?8, campaign_id = ?9, bounce_address = ?10, processed_at = ?11
WHERE id = ?1
"""

EMAIL_REPLIED = "UPDATE emails SET replied_at = coalesce(replied_at, ?2) WHERE id = ?1"
EMAIL_BOUNCED = """
UPDATE emails SET status = 'bounced', bounced_at = coalesce(bounced_at, ?2)
WHERE id = ?1 AND status IN ('sent', 'sending', 'queued')
"""

# ?1 enrollment, ?2 reason, ?3 now
STOP = """
UPDATE enrollments SET status = 'stopped', stop_reason = ?2, next_due_at = NULL, claim_token = NULL,
       claimed_at = NULL, resume_at = NULL, finished_at = ?3, version = version + 1, updated_at = ?3
WHERE id = ?1 AND status IN ('active', 'paused')
"""
# The rest of the company in the same campaign. ?1 campaign, ?2 company key, ?3 reason, ?4 now, ?5 except
STOP_COMPANY = """
UPDATE enrollments SET status = 'stopped', stop_reason = ?3, next_due_at = NULL, claim_token = NULL,
       claimed_at = NULL, finished_at = ?4, version = version + 1, updated_at = ?4
WHERE company_key = ?2 AND campaign_id = ?1 AND status IN ('active', 'paused') AND id <> ?5
"""
# ?1 enrollment, ?2 resume at, ?3 reason, ?4 now
PAUSE_UNTIL = """
UPDATE enrollments SET status = 'paused', resume_at = ?2, pause_reason = ?3, claim_token = NULL, claimed_at = NULL,
       version = version + 1, updated_at = ?4
WHERE id = ?1 AND status IN ('active', 'paused')
"""

# Stages only move forward from a reply; won and lost stay. ?1 prospect, ?2 stage, ?3 now
STAGE = """
UPDATE prospects SET stage = ?2, updated_at = ?3, version = version + 1
WHERE id = ?1 AND stage NOT IN ('won', 'lost') AND stage <> ?2
  AND (?2 = 'lost' OR (CASE stage WHEN 'meeting' THEN 3 WHEN 'engaged' THEN 2 ELSE 1 END)
                      < (CASE ?2 WHEN 'meeting' THEN 3 WHEN 'engaged' THEN 2 ELSE 1 END))
"""
PROSPECT_BOUNCED = """
UPDATE prospects SET email_status = 'bounced', updated_at = ?2, version = version + 1
WHERE id = ?1 AND email_status <> 'bounced'
"""

# ?1 id, ?2 kind, ?3 value, ?4 reason, ?5 source, ?6 now
SUPPRESS = """
INSERT INTO suppressions (id, kind, value, reason, source, created_by, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, 'consumer.inbound', ?6)
ON CONFLICT (kind, value) DO NOTHING
"""

# ?1 id, ?2 prospect, ?3 type, ?4 summary, ?5 data, ?6 at. Its id derives from the message: processed twice, once.
ACTIVITY = """
INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at)
VALUES (?1, ?2, ?3, ?4, ?5, 'consumer.inbound', ?6)
ON CONFLICT (id) DO NOTHING
"""

# ?1 id, ?2 source prospect, ?3 inbound, ?4 name, ?5 email, ?6 now
SUGGESTION = """
INSERT INTO prospect_suggestions (id, source_prospect_id, inbound_id, name, email, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (inbound_id, email) DO NOTHING
"""
