"""Named SQL for campaigns and their steps (migrations/0005), and the grouped counts their stats read."""

from __future__ import annotations

CAMPAIGN_COLUMNS = (
    "id", "name", "description", "status", "archived", "archived_at", "settings", "inbox_ids", "version",
    "activated_at", "completed_at", "created_at", "updated_at",
)  # fmt: skip
STEP_COLUMNS = ("id", "position", "delay", "delay_unit", "kind", "definition", "created_at", "updated_at")

# A campaign and its steps in one row: the steps as one JSON array, in position order.
_STEP_OBJECT = ", ".join(f"'{c}', json(s.{c})" if c == "definition" else f"'{c}', s.{c}" for c in STEP_COLUMNS)
_STEPS = (
    f"(SELECT json_group_array(json_object({_STEP_OBJECT})) FROM "
    "(SELECT * FROM campaign_steps WHERE campaign_id = c.id ORDER BY position) AS s) AS steps"
)
_SELECT = f"SELECT {', '.join('c.' + col for col in CAMPAIGN_COLUMNS)}, {_STEPS}"

GET_CAMPAIGN = f"{_SELECT} FROM campaigns AS c WHERE c.id = ?"
# ?1: a JSON array of ids (bound as text or its UTF-8 bytes); each one a primary-key seek.
GET_CAMPAIGNS = f"{_SELECT} FROM json_each(CAST(?1 AS TEXT)) AS j JOIN campaigns AS c ON c.id = j.value"
GET_VERSION = "SELECT version FROM campaigns WHERE id = ?"

# Lists: newest first, keyset on (created_at, id); the filters are fixed fragments chosen by the adapter.
LIST_FROM = f"{_SELECT} FROM campaigns AS c"
FILTER_STATUS = "c.status = ?"
FILTER_ARCHIVED = "c.archived = ?"
FILTER_AFTER = "(c.created_at, c.id) < (?, ?)"
LIST_ORDER = "ORDER BY c.created_at DESC, c.id DESC LIMIT ?"

INSERT_CAMPAIGN = (
    f"INSERT INTO campaigns ({', '.join(CAMPAIGN_COLUMNS)}) VALUES ({', '.join('?' for _ in CAMPAIGN_COLUMNS)})"
)
UPDATABLE_COLUMNS = tuple(c for c in CAMPAIGN_COLUMNS if c not in ("id", "created_at"))
# The last statement of a write's batch: it takes effect only at the version the writer read.
UPDATE_CAMPAIGN_IF_VERSION = (
    f"UPDATE campaigns SET {', '.join(f'{c} = ?' for c in UPDATABLE_COLUMNS)} WHERE id = ? AND version = ?"
)
INSERT_STEP = (
    "INSERT INTO campaign_steps (id, campaign_id, position, delay, delay_unit, kind, definition, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# Step writes run before the campaign's guarded UPDATE in the same batch (one transaction), each guarded by the
# version that UPDATE expects (?1 the campaign, ?2 the version): if another write got there first, none applies.
_AT_VERSION = "(SELECT version FROM campaigns WHERE id = ?1) = ?2"
DELETE_STEPS_AFTER_IF_VERSION = f"DELETE FROM campaign_steps WHERE campaign_id = ?1 AND position > ?3 AND {_AT_VERSION}"
UPSERT_STEP_IF_VERSION = (
    "INSERT INTO campaign_steps (id, campaign_id, position, delay, delay_unit, kind, definition, created_at, "
    f"updated_at) SELECT ?3, ?1, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE {_AT_VERSION} "
    "ON CONFLICT (id) DO UPDATE SET position = excluded.position, delay = excluded.delay, "
    "delay_unit = excluded.delay_unit, kind = excluded.kind, definition = excluded.definition, "
    "updated_at = excluded.updated_at"
)

# Stats: one grouped read each (idx_emails_campaign_stats, idx_enrollments_campaign).
EMAIL_COUNTS = (
    "SELECT step_position, variant, status, count(*) AS emails, count(replied_at) AS replied FROM emails "
    "WHERE campaign_id = ? GROUP BY step_position, variant, status"
)
ENROLLMENT_COUNTS = "SELECT status, count(*) AS n FROM enrollments WHERE campaign_id = ? GROUP BY status"
