"""Named SQL for prospects, their tags and their timeline. List queries are assembled in
`shared/adapters/d1/prospect_queries.py` from the fixed fragments below (never from user text)."""

from __future__ import annotations

PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "contact_name", "sort_name", "job_title", "email", "email_normalized",
    "email_status", "email_is_role", "phone", "linkedin_url", "linkedin_normalized", "company_name",
    "company_normalized", "property_name", "property_type", "rooms", "website", "domain", "city", "region",
    "country", "timezone", "stage", "tier", "score", "tags", "lead_source", "notes", "person_key", "archived",
    "archived_at", "version", "created_at", "updated_at", "last_contacted_at", "search_text",
)  # fmt: skip
SELECT_PROSPECT = f"SELECT {', '.join(PROSPECT_COLUMNS)} FROM prospects"

INSERT_PROSPECT = (
    f"INSERT INTO prospects ({', '.join(PROSPECT_COLUMNS)}, write_token) "
    f"VALUES ({', '.join('?' for _ in PROSPECT_COLUMNS)}, ?)"
)
# Many rows per statement through one JSON parameter (an array of row arrays): D1 caps bound parameters at 100 a
# statement, not the size of one value, so 1,000 rows are one statement instead of 370 two-row INSERTs.
_JSON_ROW = "FROM json_each(CAST(? AS TEXT)) AS j"  # the rows bound as UTF-8 bytes: client.bound_text
INSERT_PROSPECTS_JSON = (
    f"INSERT INTO prospects ({', '.join(PROSPECT_COLUMNS)}, write_token) "
    f"SELECT {', '.join(f'j.value ->> {i}' for i in range(len(PROSPECT_COLUMNS) + 1))} {_JSON_ROW}"
)
INSERT_TAGS_JSON = (
    f"INSERT OR IGNORE INTO prospect_tags (tag, prospect_id) SELECT j.value ->> 0, j.value ->> 1 {_JSON_ROW}"
)
INSERT_ACTIVITIES_JSON = (
    "INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at) "
    f"SELECT {', '.join(f'j.value ->> {i}' for i in range(7))} {_JSON_ROW}"
)
_UPDATABLE = [c for c in PROSPECT_COLUMNS if c not in ("id", "version", "created_at")]
UPDATE_PROSPECT_IF_VERSION = (
    f"UPDATE prospects SET {', '.join(f'{c} = ?' for c in _UPDATABLE)}, version = version + 1, write_token = ? "
    "WHERE id = ? AND version = ?"
)
UPDATABLE_COLUMNS = tuple(_UPDATABLE)

GET_PROSPECT = SELECT_PROSPECT + " WHERE id = ?"
GET_VERSION = "SELECT version FROM prospects WHERE id = ?"
DELETE_PROSPECT = "DELETE FROM prospects WHERE id = ?"
DELETE_PROSPECT_IF_VERSION = "DELETE FROM prospects WHERE id = ? AND version = ?"

# Identity keys -> the prospects holding them, one statement for all three kinds (?1 emails, ?2 LinkedIn keys, ?3
# person keys, each a JSON array). Every branch is an index seek: the email's unique index is partial on
# `archived = 0`, so live and archived holders are two branches, each naming its index's condition.
_MATCH_SELECT = f"SELECT {{kind}} AS kind, j.value AS k, {', '.join('p.' + c for c in PROSPECT_COLUMNS)}, p.write_token"
MATCH_KEYS = " UNION ALL ".join(
    _MATCH_SELECT.format(kind=kind) + f" FROM json_each(CAST(?{n} AS TEXT)) AS j CROSS JOIN prospects AS p ON {on}"
    for kind, n, on in (
        ("'email'", 1, "p.email_normalized = j.value AND p.archived = 0"),
        ("'email'", 1, "p.email_normalized = j.value AND p.archived = 1"),
        ("'linkedin'", 2, "p.linkedin_normalized = j.value"),
        ("'person'", 3, "p.person_key = j.value"),
    )
)

FIND_BY_EMAIL = "SELECT id FROM prospects WHERE email_normalized = ? AND archived = 0"
FIND_BY_LINKEDIN = "SELECT id FROM prospects WHERE linkedin_normalized = ?"
FIND_BY_PERSON_KEY = "SELECT id FROM prospects WHERE person_key = ? ORDER BY created_at LIMIT 1"

# Statements that must only take effect when the batch's prospect write did: guarded by the write token.
_WON = "EXISTS (SELECT 1 FROM prospects WHERE id = ?1 AND write_token = ?2)"
CLEAR_TAGS_IF_WON = f"DELETE FROM prospect_tags WHERE prospect_id = ?1 AND {_WON}"
INSERT_TAG_IF_WON = f"INSERT OR IGNORE INTO prospect_tags (tag, prospect_id) SELECT ?3, ?1 WHERE {_WON}"
INSERT_ACTIVITY_IF_WON = (
    "INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at) "
    f"SELECT ?3, ?1, ?4, ?5, ?6, ?7, ?8 WHERE {_WON}"
)

# Keyset pages as row-value range seeks; the first page is its own statement (an `?2 IS NULL OR ...` would turn
# the seek into a scan from the index's start).
_ACTIVITIES = "SELECT id, prospect_id, type, summary, data, actor, occurred_at FROM activities WHERE prospect_id = ?1"
LIST_ACTIVITIES_FIRST = f"{_ACTIVITIES} ORDER BY occurred_at DESC, id DESC LIMIT ?2"
LIST_ACTIVITIES_AFTER = f"{_ACTIVITIES} AND (occurred_at, id) < (?2, ?3) ORDER BY occurred_at DESC, id DESC LIMIT ?4"
