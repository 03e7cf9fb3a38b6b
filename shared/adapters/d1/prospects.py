"""D1 repository for prospects: rows <-> `ProspectRecord`, guarded writes, keyset lists, chunked bulk work.

Every write of a prospect is one `batch()`: the row, its tag rows and its timeline entry. The tag and activity
statements are guarded by the write's token, so an update that lost an optimistic-locking race changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any

from shared.adapters.d1 import sql_prospects as sql
from shared.adapters.d1.client import MAX_BOUND_PARAMETERS, D1Client, Query, bound_text
from shared.adapters.d1.prospect_queries import build_list_query
from shared.domain.activities import Activity
from shared.domain.prospect_query import ProspectQuery
from shared.domain.prospect_records import ProspectRecord
from shared.ports.prospects import KeyMatches

_BOOL_COLUMNS = ("email_is_role", "archived")
# UTF-8 bytes of JSON per statement parameter: D1 caps a value at 2,000,000 bytes.
MAX_JSON_BYTES = 1_500_000


def _row_to_record(row: dict[str, Any]) -> ProspectRecord:
    values = dict(row)
    values["tags"] = json.loads(values["tags"] or "[]")
    for name in _BOOL_COLUMNS:
        values[name] = bool(values[name])
    for name in ("score", "version", "rooms"):  # D1 binds numbers as REAL; integers come back as int anyway
        if values.get(name) is not None:
            values[name] = int(values[name])
    return ProspectRecord(**values)


# One encoder each, built once: `json.dumps` with options builds a new encoder per call.
_tags_json = json.JSONEncoder(separators=(",", ":")).encode
_rows_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_data_json = json.JSONEncoder(separators=(",", ":"), default=str).encode


@lru_cache(maxsize=8)
def _layout(columns: tuple[str, ...]) -> tuple[attrgetter[Any], int | None, tuple[int, ...]]:
    """How to read `columns` off a record at once (not record.columns(): asdict() deep-copies every record): the
    getter, the tags' position, the booleans' positions."""
    tags = columns.index("tags") if "tags" in columns else None
    return attrgetter(*columns), tags, tuple(i for i, name in enumerate(columns) if name in _BOOL_COLUMNS)


def _column_values(record: ProspectRecord, columns: tuple[str, ...]) -> tuple[Any, ...]:
    getter, tags, bools = _layout(columns)
    values = list(getter(record))
    if tags is not None:
        values[tags] = _tags_json(values[tags])
    for index in bools:
        values[index] = 1 if values[index] else 0
    return tuple(values)


def _chunks(values: Sequence[str], size: int = MAX_BOUND_PARAMETERS) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _json(values: Sequence[Any]) -> bytes:
    return bound_text(_rows_json(list(dict.fromkeys(values))))


def _utf8_length(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def json_rows_inserts(statement: str, rows: Sequence[Sequence[Any]], max_bytes: int = MAX_JSON_BYTES) -> list[Query]:
    """`statement` (an INSERT ... SELECT ... FROM json_each(CAST(? AS TEXT))) once per slice of rows whose JSON
    (bound as its UTF-8 bytes) fits `max_bytes`.
    Usually all the rows fit one: then they are encoded in one call (the same text, row by row, joined)."""
    if not rows:
        return []
    whole = bound_text(_rows_json(list(rows)))
    if len(whole) <= max_bytes:
        return [Query(statement, (whole,))]
    return _split_json_rows(statement, rows, max_bytes)


def _split_json_rows(statement: str, rows: Sequence[Sequence[Any]], max_bytes: int) -> list[Query]:
    queries: list[Query] = []
    pieces: list[str] = []
    size = 0
    for row in rows:
        piece = _rows_json(row)
        length = _utf8_length(piece)
        if pieces and size + length + 1 > max_bytes:
            queries.append(Query(statement, (bound_text("[" + ",".join(pieces) + "]"),)))
            pieces, size = [], 0
        pieces.append(piece)
        size += length + 1
    if pieces:
        queries.append(Query(statement, (bound_text("[" + ",".join(pieces) + "]"),)))
    return queries


def _side_effects(
    record: ProspectRecord, token: str, activity: Activity | None, *, tags_changed: bool, new: bool = False
) -> list[Query]:
    queries: list[Query] = []
    if tags_changed:
        if not new:  # a new prospect has no tag rows to clear
            queries.append(Query(sql.CLEAR_TAGS_IF_WON, (record.id, token)))
        queries += [Query(sql.INSERT_TAG_IF_WON, (record.id, token, tag)) for tag in record.tags]
    if activity is not None:
        queries.append(
            Query(
                sql.INSERT_ACTIVITY_IF_WON,
                (
                    record.id,
                    token,
                    activity.id,
                    activity.type,
                    activity.summary,
                    _data_json(activity.data),
                    activity.actor,
                    activity.occurred_at.isoformat(),
                ),
            )
        )
    return queries


class D1ProspectRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    # -- reads -----------------------------------------------------------------------------------------------
    async def get(self, prospect_id: str) -> ProspectRecord | None:
        row = await self._db.first(sql.GET_PROSPECT, prospect_id)
        return _row_to_record(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> dict[str, ProspectRecord]:
        found: dict[str, ProspectRecord] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            placeholders = ", ".join("?" for _ in chunk)
            for row in await self._db.all(f"{sql.SELECT_PROSPECT} WHERE id IN ({placeholders})", *chunk):
                record = _row_to_record(row)
                found[record.id] = record
        return found

    async def version_of(self, prospect_id: str) -> int | None:
        row = await self._db.first(sql.GET_VERSION, prospect_id)
        return int(row["version"]) if row else None

    async def page(self, query: ProspectQuery) -> list[ProspectRecord]:
        """Up to `query.limit + 1` rows: the extra row only signals that another page exists."""
        built = build_list_query(query)
        return [_row_to_record(r) for r in await self._db.all(built.sql, *built.params)]

    async def find_duplicate(self, record: ProspectRecord) -> tuple[str, str] | None:
        """The first existing prospect that is the same person: by email, LinkedIn URL, then company + name."""
        checks = (
            ("email", sql.FIND_BY_EMAIL, record.email_normalized),
            ("linkedin_url", sql.FIND_BY_LINKEDIN, record.linkedin_normalized),
            ("company_and_name", sql.FIND_BY_PERSON_KEY, record.person_key),
        )
        for reason, query, value in checks:
            if value is None:
                continue
            row = await self._db.first(query, value)
            if row and row["id"] != record.id:
                return str(row["id"]), reason
        return None

    async def find_existing_keys(
        self, *, emails: Sequence[str], linkedins: Sequence[str], person_keys: Sequence[str]
    ) -> dict[tuple[str, str], str]:
        """Which of these identity keys already belong to a prospect: {(kind, key): prospect id}."""
        matches = await self.match_keys(emails=emails, linkedins=linkedins, person_keys=person_keys)
        return matches.owners

    async def match_keys(
        self, *, emails: Sequence[str], linkedins: Sequence[str], person_keys: Sequence[str]
    ) -> KeyMatches:
        """The prospects holding these identity keys, whole, in one statement (each key list one JSON parameter;
        every branch an index seek). Archived prospects count (a re-import must not revive them), but a live
        holder wins over an archived one, and the oldest holder of a person key wins."""
        rows = await self._db.all(sql.MATCH_KEYS, _json(emails), _json(linkedins), _json(person_keys))
        rows.sort(key=lambda r: (r["archived"], r["created_at"], r["id"]))
        matches = KeyMatches()
        for row in rows:
            kind, key, token = str(row.pop("kind")), str(row.pop("k")), row.pop("write_token")
            prospect_id = str(row["id"])
            matches.owners.setdefault((kind, key), prospect_id)
            if prospect_id not in matches.records:
                matches.records[prospect_id] = _row_to_record(row)
                matches.write_tokens[prospect_id] = None if token is None else str(token)
        return matches

    async def activities(self, prospect_id: str, *, limit: int, after: tuple[str, str] | None) -> list[Activity]:
        if after is None:
            rows = await self._db.all(sql.LIST_ACTIVITIES_FIRST, prospect_id, limit)
        else:
            rows = await self._db.all(sql.LIST_ACTIVITIES_AFTER, prospect_id, after[0], after[1], limit)
        return [Activity.model_validate({**r, "data": json.loads(r["data"] or "{}")}) for r in rows]

    # -- writes ----------------------------------------------------------------------------------------------
    def insert_queries(self, record: ProspectRecord, token: str, activity: Activity | None) -> list[Query]:
        insert = Query(sql.INSERT_PROSPECT, (*_column_values(record, sql.PROSPECT_COLUMNS), token))
        return [insert, *_side_effects(record, token, activity, tags_changed=bool(record.tags), new=True)]

    def insert_many_queries(
        self, items: Sequence[tuple[ProspectRecord, Activity | None]], tokens: Sequence[str] | None = None
    ) -> list[Query]:
        """New prospects (with tags and timeline entries) as a few INSERT ... SELECT FROM json_each(?) statements:
        the fast path for imports. A duplicate anywhere fails the whole batch, so no write-token guards are
        needed; `tokens` (one per item) mark who wrote each row, `insert:<id>` by default."""
        marks = tokens if tokens is not None else [f"insert:{r.id}" for r, _ in items]
        rows = [(*_column_values(r, sql.PROSPECT_COLUMNS), mark) for (r, _), mark in zip(items, marks, strict=True)]
        tags = [(tag, r.id) for r, _ in items for tag in r.tags]
        activities = [
            (a.id, a.prospect_id, a.type, a.summary, _data_json(a.data) if a.data else "{}", a.actor,
             a.occurred_at.isoformat())
            for _, a in items if a is not None
        ]  # fmt: skip
        return [
            *json_rows_inserts(sql.INSERT_PROSPECTS_JSON, rows),
            *json_rows_inserts(sql.INSERT_TAGS_JSON, tags),
            *json_rows_inserts(sql.INSERT_ACTIVITIES_JSON, activities),
        ]

    def update_queries(
        self,
        record: ProspectRecord,
        expected_version: int,
        token: str,
        activity: Activity | None,
        *,
        tags_changed: bool,
    ) -> list[Query]:
        update = Query(
            sql.UPDATE_PROSPECT_IF_VERSION,
            (*_column_values(record, sql.UPDATABLE_COLUMNS), token, record.id, expected_version),
        )
        return [update, *_side_effects(record, token, activity, tags_changed=tags_changed)]

    async def insert(self, record: ProspectRecord, token: str, activity: Activity | None) -> None:
        await self._db.batch(self.insert_queries(record, token, activity))

    async def update(
        self,
        record: ProspectRecord,
        expected_version: int,
        token: str,
        activity: Activity | None,
        *,
        tags_changed: bool,
    ) -> bool:
        """True when the row was at `expected_version` and is now updated; False when stale or gone."""
        queries = self.update_queries(record, expected_version, token, activity, tags_changed=tags_changed)
        changes = await self._db.batch_changes(queries)
        return changes[0] > 0  # the version-guarded UPDATE is the first statement (trigger rows may count too)

    async def run_batch(self, queries: list[Query]) -> list[int]:
        """Commit statements atomically; returns each statement's changed-row count, in order."""
        return await self._db.batch_changes(queries)

    async def delete(self, prospect_id: str, expected_version: int | None = None) -> bool:
        if expected_version is None:
            return await self._db.run(sql.DELETE_PROSPECT, prospect_id) > 0
        return await self._db.run(sql.DELETE_PROSPECT_IF_VERSION, prospect_id, expected_version) > 0

    async def delete_many(self, ids: Sequence[str]) -> set[str]:
        existing = set(await self.get_many(ids))
        queries = [
            Query(f"DELETE FROM prospects WHERE id IN ({', '.join('?' for _ in chunk)})", tuple(chunk))
            for chunk in _chunks(sorted(existing))
        ]
        if queries:
            await self._db.batch(queries)
        return existing
