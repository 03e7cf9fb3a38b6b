"""Named SQL for suppressions and the unsubscribe batch.

Lookups are seeks on the UNIQUE (kind, value) index; the check (`FIRST_MATCH`) is one statement of three seeks
(the address, the person, the address's domain and its parents) ordered by how specific the rule is. Lists walk
idx_suppressions_created newest first, keyset on (created_at, id); kind, reason and the value prefix are residual
filters on the index's rows (the first page is its own statement, so the seek stays a seek).
"""

from __future__ import annotations

COLUMNS = ("id", "kind", "value", "reason", "source", "note", "created_by", "created_at")
_COLS = ", ".join(COLUMNS)
_S_COLS = ", ".join(f"s.{c}" for c in COLUMNS)

INSERT = (
    f"INSERT INTO suppressions ({_COLS}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
    f"ON CONFLICT (kind, value) DO NOTHING RETURNING {_COLS}"
)
GET = f"SELECT {_COLS} FROM suppressions WHERE id = ?"
FIND = f"SELECT {_COLS} FROM suppressions WHERE kind = ? AND value = ?"
DELETE = "DELETE FROM suppressions WHERE id = ?"
PROSPECT_EXISTS = "SELECT 1 AS found FROM prospects WHERE id = ?"

# ?1 JSON [[id, kind, value, reason, note], ...], ?2 source, ?3 created_by, ?4 created_at. The number of rows
# changed is the number added; the others were there already.
INSERT_MANY = f"""
INSERT INTO suppressions ({_COLS})
SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, ?2, value ->> 4, ?3, ?4
FROM json_each(CAST(?1 AS TEXT)) WHERE true
ON CONFLICT (kind, value) DO NOTHING
"""

# ?1 the address (None: the prospect's stored address), ?2 JSON array of domains (the address's and its parents),
# ?3 the prospect id (may be None). The most specific rule first: the address, the person, then the domains.
FIRST_MATCH = f"""
WITH target(address) AS (SELECT coalesce(?1, (SELECT email_normalized FROM prospects WHERE id = ?3))),
     domains(name) AS (
         SELECT value FROM json_each(?2)
         UNION SELECT substr(address, instr(address, '@') + 1) FROM target WHERE instr(address, '@') > 0
     )
SELECT {_COLS} FROM (
    SELECT {_S_COLS}, 0 AS rank FROM target JOIN suppressions s ON s.kind = 'email' AND s.value = target.address
    UNION ALL
    SELECT {_S_COLS}, 1 AS rank FROM suppressions s WHERE s.kind = 'person' AND s.value = ?3
    UNION ALL
    SELECT {_S_COLS}, 2 AS rank FROM domains
    JOIN suppressions s ON s.kind = 'domain' AND s.value = domains.name
)
ORDER BY rank, length(value) DESC LIMIT 1
"""

_FILTERS = (
    "(?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR reason = ?2) AND (?3 IS NULL OR substr(value, 1, length(?3)) = ?3)"
)
LIST_FIRST = f"SELECT {_COLS} FROM suppressions WHERE {_FILTERS} ORDER BY created_at DESC, id DESC LIMIT ?4"
LIST_AFTER = (
    f"SELECT {_COLS} FROM suppressions WHERE {_FILTERS} AND (created_at, id) < (?4, ?5) "
    "ORDER BY created_at DESC, id DESC LIMIT ?6"
)

# -- unsubscribe -------------------------------------------------------------------------------------------------

# The email a token names, with what the page and the batch need.
EMAIL_FOR_UNSUBSCRIBE = """
SELECT e.id, e.prospect_id, e.to_address, e.campaign_id, e.status,
       EXISTS (SELECT 1 FROM email_events v WHERE v.email_id = e.id AND v.kind = 'unsubscribed') AS unsubscribed
FROM emails e WHERE e.id = ?
"""

# The batch, in this order (one atomic unit). ?-parameters per statement, see the repository.
# 1. the timeline entry and 2. the event, once per email (a second POST finds the event and adds neither).
UNSUBSCRIBE_ACTIVITY = """
INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at)
SELECT ?1, ?2, 'unsubscribed', ?3, ?4, ?5, ?6
WHERE NOT EXISTS (SELECT 1 FROM email_events WHERE email_id = ?7 AND kind = 'unsubscribed')
"""
UNSUBSCRIBE_EVENT = """
INSERT INTO email_events (id, email_id, kind, automated, detail, at)
SELECT ?1, ?2, 'unsubscribed', 0, ?3, ?4
WHERE NOT EXISTS (SELECT 1 FROM email_events WHERE email_id = ?2 AND kind = 'unsubscribed')
"""
# 3. the address and 4. the person (INSERT above, kept if present: an older reason stays as it was).
# 5. every open enrollment of the person, in every campaign.
STOP_PROSPECT_ENROLLMENTS = """
UPDATE enrollments SET status = 'stopped', stop_reason = ?2, next_due_at = NULL, claim_token = NULL,
       claimed_at = NULL, resume_at = NULL, finished_at = ?3, version = version + 1, updated_at = ?3
WHERE prospect_id = ?1 AND status IN ('active', 'paused')
RETURNING id
"""
# 6. a 'cancelled' event for each email still waiting, then 7. the emails themselves (their reservations come back
# from the RETURNING, so the service can give the capacity back).
CANCEL_EVENTS = """
INSERT INTO email_events (id, email_id, kind, automated, detail, at)
SELECT lower(hex(randomblob(16))), id, 'cancelled', 0, ?2, ?3 FROM emails WHERE prospect_id = ?1 AND status = 'queued'
"""
CANCEL_QUEUED = """
UPDATE emails SET status = 'cancelled', error = ?2
WHERE prospect_id = ?1 AND status = 'queued'
RETURNING id, inbox_id, reservation_token
"""
