"""SQL of the dashboard's overview: every read is an index seek or a walk of a small, bounded range.

Times are ISO-8601 UTC text, so a UTC day is the first 10 characters and ranges compare as text.
"""

from __future__ import annotations

# Live prospects per stage: idx_prospects_stage (stage, archived, ...) covers it.
STAGE_COUNTS = """
SELECT stage, count(*) AS n FROM prospects INDEXED BY idx_prospects_stage WHERE archived = 0 GROUP BY stage
"""

# The sending identities with their caps (a handful of rows; idx_inboxes_created orders them).
INBOXES = """
SELECT id, email, display_name, daily_cap, status, status_reason FROM inboxes INDEXED BY idx_inboxes_created
ORDER BY created_at, id LIMIT ?1
"""

# Emails the transport accepted, per inbox and UTC day: idx_emails_inbox_sent (inbox_id, sent_at), one seek per inbox.
# ?1 first instant (inclusive), ?2 end (exclusive)
SENT_PER_INBOX_DAY = """
SELECT inbox_id, substr(sent_at, 1, 10) AS day, count(*) AS n FROM emails INDEXED BY idx_emails_inbox_sent
WHERE inbox_id IN (SELECT id FROM inboxes) AND sent_at >= ?1 AND sent_at < ?2
GROUP BY inbox_id, day
"""

# Bounced emails (refused at send time or bounced back later) by when they bounced: idx_emails_status seeks the
# 'bounced' rows; `sent` says whether the transport had accepted them (then they are already among the sends).
# ?1 first instant, ?2 end
BOUNCES_SINCE = """
SELECT count(*) AS n, count(sent_at) AS sent FROM emails INDEXED BY idx_emails_status
WHERE status = 'bounced' AND bounced_at >= ?1 AND bounced_at < ?2
"""

# Inbound mail matched to one of our emails and trusted, per classification and intent, since a moment:
# idx_inbound_messages_classification (classification, received_at DESC, id DESC) seeks each classification.
# A person's correction rewrites classification/intent, so the figures follow it. ?1 first instant, ?2 end
INBOUND_SINCE = """
SELECT classification, intent, count(DISTINCT email_id) AS n FROM inbound_messages
    INDEXED BY idx_inbound_messages_classification
WHERE classification IN ('reply', 'complaint') AND received_at >= ?1 AND received_at < ?2
  AND email_id IS NOT NULL AND spoofed = 0
GROUP BY classification, intent
"""

# Dead-lettered tasks nobody has replayed or discarded: idx_failed_tasks_status_failed_at.
OPEN_FAILED_TASKS = """
SELECT count(*) AS n, max(failed_at) AS latest FROM failed_tasks INDEXED BY idx_failed_tasks_status_failed_at
WHERE status = 'open'
"""
