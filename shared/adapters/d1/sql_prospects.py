"""Named SQL for prospects, their tags and their timeline. List queries are assembled in
`shared/adapters/d1/prospect_queries.py` from the fixed fragments below (never from user text)."""

from __future__ import annotations

PROSPECT_COLUMNS = (
    "id", "first_name", "last_name", "contact_name", "sort_name", "job_title", "email", "email_normalized",
    "email_status", "email_is_role", "phone", "linkedin_url", "linkedin_normalized", "company_name",
    "company_normalized", "property_name", "property_type", "rooms", "website", "domain", "city", "region",
    "country", "timezone", "stage", "tier", "score", "tags", "lead_source", "notes", "person_key", "archived",
    "archived_at", "version", "created_at", "updated_at", "last_contacted_at",
)  # fmt: skip
SELECT_PROSPECT = f"SELECT {', '.join(PROSPECT_COLUMNS)} FROM prospects"

INSERT_PROSPECT = (
    f"INSERT INTO prospects ({', '.join(PROSPECT_COLUMNS)}, write_token) "
    f"VALUES ({', '.join('?' for _ in PROSPECT_COLUMNS)}, ?)"
)
INSERT_PROSPECTS_HEAD = f"INSERT INTO prospects ({', '.join(PROSPECT_COLUMNS)}, write_token) VALUES "
INSERT_TAGS_HEAD = "INSERT OR IGNORE INTO prospect_tags (tag, prospect_id) VALUES "
INSERT_ACTIVITIES_HEAD = "INSERT INTO activities (id, prospect_id, type, summary, data, actor, occurred_at) VALUES "
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

LIST_ACTIVITIES = """
SELECT id, prospect_id, type, summary, data, actor, occurred_at FROM activities
WHERE prospect_id = ?1 AND (?2 IS NULL OR occurred_at < ?2 OR (occurred_at = ?2 AND id < ?3))
ORDER BY occurred_at DESC, id DESC
LIMIT ?4
"""
