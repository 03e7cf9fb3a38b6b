"""SQL of enrollments: eligibility reads, bulk inserts, lifecycle writes, the scheduler's due read, claim and defer.

Sets of ids travel as one JSON array bound once (`json_each`), so a statement never nears D1's 100 parameters. Every
read the scheduler makes is an index seek (tests/integration/test_query_plans.py): the due read walks
idx_enrollments_due in next_due_at order and stops at its LIMIT, so its cost follows the due set, not the table.
"""

from __future__ import annotations

ENROLLMENT_COLUMNS = """
e.id, e.campaign_id, e.prospect_id, e.inbox_id, e.status, e.next_step, e.next_due_at, e.claim_token, e.claimed_at,
e.resume_at, e.pause_reason, e.stop_reason, e.company_key, e.last_step_at, e.version, e.created_at, e.updated_at,
e.finished_at
"""

# ?1 campaign id, ?2 JSON array of prospect ids.
CANDIDATES = """
SELECT p.id AS prospect_id, p.email_normalized AS email, p.email_status, p.email_is_role, p.archived, p.country,
       p.legal_basis, p.timezone, p.city, p.region, coalesce(p.company_normalized, p.domain) AS company_key,
       EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'email' AND s.value = p.email_normalized)
       OR EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'domain'
                  AND s.value = substr(p.email_normalized, instr(p.email_normalized, '@') + 1))
       OR EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'person' AND s.value = p.id) AS suppressed,
       EXISTS (SELECT 1 FROM enrollments o WHERE o.prospect_id = p.id AND o.status IN ('active', 'paused')
               AND o.campaign_id <> ?1) AS active_elsewhere,
       EXISTS (SELECT 1 FROM enrollments o WHERE o.prospect_id = p.id AND o.campaign_id = ?1) AS in_this_campaign
FROM prospects p
WHERE p.id IN (SELECT value FROM json_each(?2))
"""

# ?1 campaign id, ?2 now, ?3 JSON [[id, prospect_id, next_due_at, company_key], ...]
INSERT_ENROLLMENTS = """
INSERT INTO enrollments (id, campaign_id, prospect_id, status, next_step, next_due_at, company_key, version,
                         created_at, updated_at)
SELECT value ->> 0, ?1, value ->> 1, 'active', 1, value ->> 2, value ->> 3, 1, ?2, ?2
FROM json_each(?3) WHERE true
ON CONFLICT (campaign_id, prospect_id) DO NOTHING
"""

GET_ENROLLMENT = f"SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE e.id = ?"
FIND_ENROLLMENT = f"SELECT {ENROLLMENT_COLUMNS} FROM enrollments e WHERE e.campaign_id = ? AND e.prospect_id = ?"

LIST_ENROLLMENTS = f"""
SELECT {ENROLLMENT_COLUMNS} FROM enrollments e
WHERE e.campaign_id = ?1 AND (?2 IS NULL OR e.status = ?2) AND e.id > ?3
ORDER BY e.id LIMIT ?4
"""

COUNT_BY_STATUS = "SELECT status, count(*) AS n FROM enrollments WHERE campaign_id = ? GROUP BY status"

PAUSE = """
UPDATE enrollments SET status = 'paused', resume_at = ?2, pause_reason = ?3, claim_token = NULL, claimed_at = NULL,
       version = version + 1, updated_at = ?4
WHERE id = ?1 AND status = 'active'
"""

# Resume: due again now (the tick re-checks windows); a claim in flight is dropped (its compose finds no claim).
RESUME = """
UPDATE enrollments SET status = 'active', resume_at = NULL, pause_reason = NULL,
       next_due_at = CASE WHEN next_due_at IS NULL OR next_due_at < ?2 THEN ?2 ELSE next_due_at END,
       version = version + 1, updated_at = ?2
WHERE id = ?1 AND status = 'paused'
"""

STOP = """
UPDATE enrollments SET status = 'stopped', stop_reason = ?2, next_due_at = NULL, claim_token = NULL,
       claimed_at = NULL, resume_at = NULL, finished_at = ?3, version = version + 1, updated_at = ?3
WHERE id = ?1 AND status IN ('active', 'paused')
"""

# The scheduler's read: ?1 now, ?2 limit. The join order is fixed (CROSS JOIN, INDEXED BY): the due index is walked
# in next_due_at order and the read stops at LIMIT; without it SQLite may start from the campaigns and visit every
# enrollment of every active campaign (found by `make bench` at 1,000,000 rows). Paused/completed campaigns' rows
# are skipped by the join (they stay due and cost a row read each until resumed or completed; the weekly
# maintenance completes a completed campaign's rows).
DUE = """
SELECT e.id, e.campaign_id, e.prospect_id, e.inbox_id, e.next_step, e.next_due_at, e.company_key, e.last_step_at,
       p.email_normalized AS email, p.timezone, p.city, p.region, p.country
FROM enrollments AS e INDEXED BY idx_enrollments_due
CROSS JOIN campaigns AS c ON c.id = e.campaign_id
CROSS JOIN prospects AS p ON p.id = e.prospect_id
WHERE e.status = 'active' AND e.next_due_at IS NOT NULL AND e.next_due_at <= ?1 AND c.status = 'active'
ORDER BY e.next_due_at
LIMIT ?2
"""

# Claim what this tick will compose: only rows still due and unclaimed (a concurrent tick's claim moved next_due_at
# past `now`). ?1 lease end, ?2 claim token, ?3 now, ?4 JSON array of ids.
CLAIM = """
UPDATE enrollments SET next_due_at = ?1, claim_token = ?2, claimed_at = ?3, updated_at = ?3
WHERE id IN (SELECT value FROM json_each(?4))
  AND status = 'active' AND next_due_at IS NOT NULL AND next_due_at <= ?3
RETURNING id
"""

# Give back claims whose reservation was refused: due again at once. ?1 claim token, ?2 JSON ids, ?3 due at.
UNCLAIM = """
UPDATE enrollments SET next_due_at = ?3, claim_token = NULL, claimed_at = NULL
WHERE id IN (SELECT value FROM json_each(?2)) AND claim_token = ?1 AND status = 'active'
"""

# A compose that dead-lettered gives its claim back: due again after ?3 (not at once: it just failed 3 times).
RELEASE_CLAIM = """
UPDATE enrollments SET next_due_at = ?3, claim_token = NULL, claimed_at = NULL, updated_at = ?4
WHERE id = ?1 AND claim_token = ?2 AND status = 'active'
"""

# Recipients outside their window: due again when it opens. ?1 now, ?2 JSON [[id, next_due_at], ...]
DEFER = """
UPDATE enrollments SET next_due_at = (SELECT d.value ->> 1 FROM json_each(?2) d WHERE d.value ->> 0 = enrollments.id),
       updated_at = ?1
WHERE id IN (SELECT value ->> 0 FROM json_each(?2)) AND status = 'active' AND next_due_at <= ?1
"""

# Compose messages in flight for a campaign (claimed, not yet composed): counted against its daily cap.
CLAIMED_SINCE = (
    "SELECT count(*) AS n FROM enrollments WHERE campaign_id = ? AND claim_token IS NOT NULL AND claimed_at >= ?"
)

EMAILS_SINCE = "SELECT count(*) AS n FROM emails WHERE campaign_id = ? AND created_at >= ?"

# Paused enrollments whose resume time has come (auto-replies): back to active. ?1 now, ?2 limit.
RESUME_DUE = """
UPDATE enrollments SET status = 'active', resume_at = NULL, pause_reason = NULL, next_due_at = ?1,
       version = version + 1, updated_at = ?1
WHERE id IN (SELECT id FROM enrollments WHERE status = 'paused' AND resume_at IS NOT NULL AND resume_at <= ?1
             ORDER BY resume_at LIMIT ?2)
"""

# Weekly maintenance. ?1 before (last step older than this), ?2 now, ?3 limit.
COMPLETE_FINISHED = """
UPDATE enrollments SET status = 'completed', finished_at = ?2, version = version + 1, updated_at = ?2
WHERE id IN (SELECT id FROM enrollments WHERE status = 'active' AND next_due_at IS NULL
             AND last_step_at IS NOT NULL AND last_step_at < ?1 ORDER BY last_step_at LIMIT ?3)
"""

COMPLETE_OF_COMPLETED_CAMPAIGNS = """
UPDATE enrollments SET status = 'completed', next_due_at = NULL, claim_token = NULL, finished_at = ?1,
       version = version + 1, updated_at = ?1
WHERE id IN (SELECT e.id FROM campaigns c
             JOIN enrollments e ON e.campaign_id = c.id AND e.status IN ('active', 'paused')
             WHERE c.status = 'completed' LIMIT ?2)
"""

# No reply N days after the last step: archive the prospect (stage kept). The pass looks at completed enrollments
# not yet seen by it (index idx_enrollments_completed), oldest first: it archives the prospects of those with no
# reply and no other open enrollment, then marks the same enrollments seen (one batch; the first statement changes no
# enrollment, so both select the same rows). A run that is missed leaves nothing behind. ?1 before, ?2 now, ?3 limit.
_ARCHIVE_CANDIDATES = """
SELECT id FROM enrollments
WHERE status = 'completed' AND archive_checked = 0 AND last_step_at < ?1
ORDER BY last_step_at, id LIMIT ?3
"""
ARCHIVE_UNRESPONSIVE = f"""
UPDATE prospects SET archived = 1, archived_at = ?2, version = version + 1, updated_at = ?2
WHERE archived = 0 AND id IN (
    SELECT e.prospect_id FROM enrollments e
    WHERE e.id IN ({_ARCHIVE_CANDIDATES})
      AND NOT EXISTS (SELECT 1 FROM emails m WHERE m.enrollment_id = e.id AND m.replied_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM enrollments o
                      WHERE o.prospect_id = e.prospect_id AND o.status IN ('active', 'paused')))
"""
MARK_ARCHIVE_CHECKED = f"""
UPDATE enrollments SET archive_checked = 1 WHERE id IN ({_ARCHIVE_CANDIDATES}) AND ?2 IS NOT NULL
"""

PURGE_BODIES = """
UPDATE emails SET body_text = NULL, body_html = NULL, body_purged_at = ?2
WHERE id IN (SELECT id FROM emails WHERE body_text IS NOT NULL AND created_at < ?1 ORDER BY created_at LIMIT ?3)
"""

# Enrollment jobs.
INSERT_JOB = """
INSERT INTO enrollment_jobs (id, campaign_id, filter, state, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?)
"""
GET_JOB = "SELECT * FROM enrollment_jobs WHERE id = ?"
# A slice's progress, guarded by the slice number so a redelivered slice never counts twice.
ADVANCE_JOB = """
UPDATE enrollment_jobs SET state = ?2, cursor = ?3, slices = slices + 1, matched = matched + ?4,
       enrolled = enrolled + ?5, refused = ?6, updated_at = ?7, finished_at = CASE WHEN ?2 = 'done' THEN ?7 END
WHERE id = ?1 AND slices = ?8 AND state IN ('queued', 'running')
"""
FAIL_JOB = """
UPDATE enrollment_jobs SET state = 'failed', error = ?2, updated_at = ?3, finished_at = ?3
WHERE id = ?1 AND state IN ('queued', 'running')
"""

SET_LEGAL_BASIS = """
UPDATE prospects SET legal_basis = ?2, legal_basis_source = ?3,
       legal_basis_at = CASE WHEN ?2 IS NULL THEN NULL ELSE ?4 END,
       version = version + 1, updated_at = ?4
WHERE id = ?1
"""
