"""SQL of enrichment: the prospect as enrichment reads it, the guarded merge, facts, candidates, provider usage, the
queue bookkeeping, the off-hours top-up selection and the status figures.

The merge is one D1 batch: the prospect UPDATE is guarded by its `version` and stamps a `write_token`; every other
statement of the batch writes only `WHERE EXISTS` a prospect carrying that token, so a merge that lost to a person's
edit writes nothing at all (the enricher re-reads and merges again).
"""

from __future__ import annotations

SNAPSHOT = """
SELECT p.id, p.version, p.stage, p.archived, p.first_name, p.last_name, p.contact_name, p.job_title, p.company_name,
       p.property_name, p.property_type, p.rooms, p.website, p.domain, p.city, p.country, p.email, p.email_status,
       p.email_check, p.email_is_role, p.linkedin_url, p.enrichment_status,
       (SELECT group_concat(f.name) FROM prospect_facts AS f WHERE f.prospect_id = p.id) AS fact_names
FROM prospects AS p WHERE p.id = ?
"""

EMAIL_OWNER = "SELECT id FROM prospects WHERE email_normalized = ? AND archived = 0 AND id <> ? LIMIT 1"

# ?1 id, ?2 version, ?3 write token, ?4 now, ?5 status, then the changed columns (built by the adapter)
MERGE_HEAD = (
    "UPDATE prospects SET version = version + 1, write_token = ?3, updated_at = ?4, enriched_at = ?4, "
    "enrichment_status = ?5"
)
MERGE_TAIL = " WHERE id = ?1 AND version = ?2"

_WON = "WHERE EXISTS (SELECT 1 FROM prospects WHERE id = ?1 AND write_token = ?2)"

# ?1 prospect, ?2 token, ?3 name, ?4 value JSON, ?5 source URL, ?6 observed at
PUT_FACT = f"""
INSERT INTO prospect_facts (prospect_id, name, value, source_url, observed_at)
SELECT ?1, ?3, ?4, ?5, ?6 {_WON}
ON CONFLICT (prospect_id, name) DO UPDATE SET value = excluded.value, source_url = excluded.source_url,
    observed_at = excluded.observed_at
"""

# ?1 prospect, ?2 token, ?3 address, ?4 pattern, ?5 rank, ?6 status, ?7 verifier, ?8 detail, ?9 checked at
PUT_CANDIDATE = f"""
INSERT INTO email_candidates (prospect_id, address, pattern, rank, status, verifier, detail, checked_at)
SELECT ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9 {_WON}
ON CONFLICT (prospect_id, address) DO UPDATE SET pattern = excluded.pattern, rank = excluded.rank,
    status = CASE WHEN excluded.status = 'unverified' THEN email_candidates.status ELSE excluded.status END,
    verifier = coalesce(excluded.verifier, email_candidates.verifier),
    detail = coalesce(excluded.detail, email_candidates.detail),
    checked_at = coalesce(excluded.checked_at, email_candidates.checked_at)
"""

# ?1 prospect, ?2 token, ?3 activity id, ?4 summary, ?5 data JSON, ?6 at
ADD_TRAIL = f"""
INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at)
SELECT ?3, ?1, 'enrichment', ?4, ?5, 'consumer.enrich', ?6 {_WON}
ON CONFLICT (id) DO NOTHING
"""

# ?1 prospect, ?2 token, ?3 provider, ?4 day, ?5 calls, ?6 credits, ?7 failures, ?8 cost micros, ?9 last failure,
# ?10 at
ADD_USAGE = f"""
INSERT INTO provider_usage (provider, day, calls, credits, failures, cost_micros, last_failure, last_failure_at)
SELECT ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?9 IS NULL THEN NULL ELSE ?10 END {_WON}
ON CONFLICT (provider, day) DO UPDATE SET calls = calls + excluded.calls, credits = credits + excluded.credits,
    failures = failures + excluded.failures, cost_micros = cost_micros + excluded.cost_micros,
    last_failure = coalesce(excluded.last_failure, provider_usage.last_failure),
    last_failure_at = coalesce(excluded.last_failure_at, provider_usage.last_failure_at)
"""

# Usage spent on a prospect that no longer exists or was archived meanwhile (no merge to ride on).
ADD_USAGE_ALONE = """
INSERT INTO provider_usage (provider, day, calls, credits, failures, cost_micros, last_failure, last_failure_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?7 IS NULL THEN NULL ELSE ?8 END)
ON CONFLICT (provider, day) DO UPDATE SET calls = calls + excluded.calls, credits = credits + excluded.credits,
    failures = failures + excluded.failures, cost_micros = cost_micros + excluded.cost_micros,
    last_failure = coalesce(excluded.last_failure, provider_usage.last_failure),
    last_failure_at = coalesce(excluded.last_failure_at, provider_usage.last_failure_at)
"""

# ?1 ids JSON, ?2 now: mark queued (never a prospect already queued since ?3, so a burst is not re-queued)
MARK_QUEUED = """
UPDATE prospects SET enrichment_status = 'queued', enrichment_queued_at = ?2
WHERE id IN (SELECT value FROM json_each(?1)) AND archived = 0
  AND (enrichment_status IS NOT 'queued' OR enrichment_queued_at < ?3)
RETURNING id
"""

# ?1 id, ?2 now
MARK_FAILED = """
UPDATE prospects SET enrichment_status = 'failed', enriched_at = ?2
WHERE id = ?1 AND enrichment_status IS NOT 'done'
"""

# Off-hours top-up, in this order: never tried, waiting for a quota, partial and due again, queued long ago (the
# message was lost). Each walks idx_prospects_enrichment in (enriched_at, id) order and stops at its limit.
_TOPUP = "SELECT id FROM prospects INDEXED BY idx_prospects_enrichment WHERE archived = 0 AND "
TOPUP_NEVER = (
    _TOPUP
    + """enrichment_status IS NULL AND stage IN ('new', 'enriched', 'ready')
  AND (website IS NULL OR email IS NULL OR email_check IS NULL) ORDER BY enriched_at, id LIMIT ?1"""
)
TOPUP_WAITING = _TOPUP + "enrichment_status = 'waiting' ORDER BY enriched_at, id LIMIT ?1"
TOPUP_PARTIAL = _TOPUP + "enrichment_status = 'partial' AND enriched_at < ?2 ORDER BY enriched_at, id LIMIT ?1"
TOPUP_LOST = _TOPUP + "enrichment_status = 'queued' AND enrichment_queued_at < ?2 ORDER BY enriched_at, id LIMIT ?1"

STATUS_COUNTS = """
SELECT coalesce(enrichment_status, 'never') AS status, count(*) AS n FROM prospects WHERE archived = 0
GROUP BY enrichment_status
"""

COVERAGE = """
SELECT count(*) AS prospects,
       sum(website IS NOT NULL) AS with_website,
       sum(email IS NOT NULL) AS with_email,
       sum(email_status = 'valid') AS with_valid_email,
       sum(email_check = 'catch_all') AS with_catch_all_email,
       sum(email_source = 'enrichment') AS emails_found,
       sum(website_source LIKE 'enrichment:%') AS websites_found,
       sum(EXISTS (SELECT 1 FROM prospect_facts AS f WHERE f.prospect_id = prospects.id)) AS with_facts
FROM prospects WHERE archived = 0
"""

# ?1 first day, ?2 last day (inclusive)
USAGE_BETWEEN = """
SELECT provider, sum(calls) AS calls, sum(credits) AS credits, sum(failures) AS failures,
       sum(cost_micros) AS cost_micros, max(last_failure_at) AS last_failure_at
FROM provider_usage WHERE day BETWEEN ?1 AND ?2 GROUP BY provider ORDER BY provider
"""

RECENT_FAILURES = """
SELECT provider, last_failure, last_failure_at FROM provider_usage
WHERE last_failure IS NOT NULL ORDER BY last_failure_at DESC LIMIT ?1
"""

FAILED_PROSPECTS = """
SELECT id, enriched_at FROM prospects INDEXED BY idx_prospects_enrichment
WHERE enrichment_status = 'failed' AND archived = 0 ORDER BY enriched_at DESC LIMIT ?1
"""

FACTS_OF = "SELECT name, value, source_url, observed_at FROM prospect_facts WHERE prospect_id = ? ORDER BY name"

CANDIDATES_OF = """
SELECT address, pattern, rank, status, verifier, detail, checked_at FROM email_candidates
WHERE prospect_id = ? ORDER BY rank
"""

LAST_TRAIL = """
SELECT id, summary, data, occurred_at FROM activities INDEXED BY idx_activities_prospect
WHERE prospect_id = ? AND type = 'enrichment' ORDER BY occurred_at DESC, id DESC LIMIT ?
"""
