"""D1 repository for inboxes: rows <-> `InboxRecord`, version-guarded writes, keyset lists, one-statement lookups.

JSON columns hold the transport's settings, the secret *names*, the warmup plan and the send window. Rows written
before these columns existed (defaults `{}`) read as the defaults, with the old `warmup_enabled` / `warmup_start`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from shared.adapters.d1 import sql_inboxes as sql
from shared.adapters.d1.client import D1Client, Param, bound_text
from shared.domain.inboxes.models import (
    InboxRecord,
    InboxStatus,
    SendWindow,
    TransportKind,
    WarmupSettings,
    window_of,
)

_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _object(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if value else {}
    return loaded if isinstance(loaded, dict) else {}


def _warmup(row: dict[str, Any]) -> WarmupSettings:
    stored = _object(row.get("warmup"))
    if not stored:  # a row from before 0005: the old columns
        start = row.get("warmup_start")
        return WarmupSettings(
            enabled=bool(row.get("warmup_enabled", 1)), start_date=date.fromisoformat(start[:10]) if start else None
        )
    return WarmupSettings.model_validate(stored)


def row_to_record(row: dict[str, Any]) -> InboxRecord:
    email = str(row["email"])
    created = _time(row["created_at"])
    updated = _time(row["updated_at"])
    assert created is not None and updated is not None
    return InboxRecord(
        id=str(row["id"]),
        email=email,
        domain=str(row.get("domain") or email.rpartition("@")[2]),
        display_name=row.get("display_name"),
        reply_to=row.get("reply_to"),
        signature=row.get("signature"),
        postal_address=row.get("postal_address"),
        timezone=str(row.get("timezone") or "UTC"),
        transport_kind=TransportKind(row.get("transport") or "cloudflare"),
        transport_settings=_object(row.get("transport_config")),
        status=InboxStatus(row.get("status") or "active"),
        status_reason=row.get("status_reason"),
        daily_cap=int(row["daily_cap"]),
        hourly_cap=int(row["hourly_cap"]),
        send_window=window_of(SendWindow.model_validate(_object(row.get("send_window")))),
        dkim_selector=row.get("dkim_selector"),
        secret_names={str(k): str(v) for k, v in _object(row.get("secret_names")).items()},
        warmup=_warmup(row),
        version=int(row.get("version") or 1),
        created_at=created,
        updated_at=updated,
        configured_at=_time(row.get("configured_at")),
    )


def _values(record: InboxRecord) -> dict[str, Param]:
    start = record.warmup.start_date
    return {
        "id": record.id,
        "email": record.email,
        "domain": record.domain,
        "display_name": record.display_name,
        "reply_to": record.reply_to,
        "signature": record.signature,
        "postal_address": record.postal_address,
        "timezone": record.timezone,
        "transport": record.transport_kind.value,
        "transport_config": _json(dict(record.transport_settings)),
        "secret_names": _json(dict(record.secret_names)),
        "warmup": _json(record.warmup.model_dump(mode="json")),
        "warmup_enabled": 1 if record.warmup.enabled else 0,
        "warmup_start": start.isoformat() if start else None,
        "daily_cap": record.daily_cap,
        "hourly_cap": record.hourly_cap,
        "send_window": _json(record.send_window.as_dict()),
        "dkim_selector": record.dkim_selector,
        "status": record.status.value,
        "status_reason": record.status_reason,
        "version": record.version,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "configured_at": record.configured_at.isoformat() if record.configured_at else None,
    }


class D1InboxRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def create(self, record: InboxRecord) -> None:
        values = _values(record)
        await self._db.run(sql.INSERT_INBOX, *(values[c] for c in sql.INBOX_COLUMNS))

    async def get(self, inbox_id: str) -> InboxRecord | None:
        row = await self._db.first(sql.GET_INBOX, inbox_id)
        return row_to_record(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> list[InboxRecord]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return []
        return [row_to_record(r) for r in await self._db.all(sql.GET_MANY, bound_text(_json(unique)))]

    async def id_for_email(self, email: str) -> str | None:
        row = await self._db.first(sql.ID_FOR_EMAIL, email)
        return str(row["id"]) if row else None

    async def version_of(self, inbox_id: str) -> int | None:
        row = await self._db.first(sql.GET_VERSION, inbox_id)
        return int(row["version"]) if row else None

    async def update(self, record: InboxRecord, expected_version: int) -> InboxRecord | None:
        values = _values(record)
        params = (*(values[c] for c in sql.UPDATABLE_COLUMNS), record.id, expected_version)
        row = await self._db.first(sql.UPDATE_INBOX_IF_VERSION, *params)
        return row_to_record(row) if row else None

    async def set_status(
        self, inbox_id: str, status: InboxStatus, reason: str | None, *, at: datetime, expected_version: int
    ) -> InboxRecord | None:
        params = (status.value, reason, at.isoformat(), inbox_id, expected_version)
        row = await self._db.first(sql.SET_STATUS_IF_VERSION, *params)
        return row_to_record(row) if row else None

    async def mark_configured(self, inbox_id: str, at: datetime, *, version: int | None = None) -> bool:
        if version is None:
            return await self._db.run(sql.MARK_CONFIGURED, inbox_id, at.isoformat()) > 0
        return await self._db.run(sql.MARK_CONFIGURED_IF_VERSION, inbox_id, at.isoformat(), version) > 0

    async def list_all_ids(self) -> list[str]:
        return [str(r["id"]) for r in await self._db.all(sql.LIST_ALL_IDS)]

    async def list(
        self, *, status: InboxStatus | None = None, limit: int = 50, after: tuple[str, str] | None = None
    ) -> list[InboxRecord]:
        state = status.value if status is not None else None
        if after is None:
            rows = await self._db.all(sql.LIST_FIRST, state, limit)
        else:
            rows = await self._db.all(sql.LIST_AFTER, state, after[0], after[1], limit)
        return [row_to_record(r) for r in rows]
