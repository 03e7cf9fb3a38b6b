"""Notifications: `Notifier` records one row per endpoint that takes the kind (deduplicated for 5 minutes per kind and
subject); `NotificationFlusher` (the every-minute cron) delivers what is due to the endpoints of the D1 setting
`webhooks`, with per-kind rate limits, backoff and a final `failed`; `WebhookSettings` reads and replaces the setting.

A dead endpoint never blocks another: endpoints are delivered concurrently, and an endpoint that does not answer
(connection error, timeout, 5xx) gets no more attempts in this flush; its other rows wait for the next one.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.domain import notifications as rules
from shared.domain.errors import NotFound
from shared.domain.notifications import Endpoint, Notification, NotificationRecord
from shared.observability.log import Logger
from shared.ports.http import HttpClient, HttpError, HttpTimeout
from shared.ports.runtime import Clock, IdFactory
from shared.service_layer.sending_gate import SettingsStore

WEBHOOKS_SETTING = "webhooks"
FLUSH_BATCH = 200  # rows read per flush
PER_ENDPOINT_PER_FLUSH = 25  # deliveries to one endpoint per flush (Slack takes about one a second)
MAX_TEXT = 4000  # characters kept of any string in `data`
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
USER_AGENT = "Jengu-Webhooks/1"


class NotificationStore(Protocol):
    async def insert(self, records: list[NotificationRecord]) -> list[NotificationRecord]: ...
    async def pending_due(self, now: datetime, limit: int) -> list[NotificationRecord]: ...
    async def forget_finished(self, before: datetime) -> int: ...
    async def claim(self, record: NotificationRecord, *, lease_until: datetime, now: datetime) -> bool: ...
    async def mark_sent(self, notification_id: str, attempts: int, at: datetime) -> bool: ...
    async def mark_retry(self, notification_id: str, attempts: int, error: str, next_at: datetime) -> bool: ...
    async def mark_failed(self, notification_id: str, attempts: int, error: str) -> bool: ...
    async def sent_counts(self, since: datetime) -> dict[tuple[str, str], int]: ...


def _clip_data(value: Any, depth: int = 0) -> Any:
    """`data` as JSON stores it: long strings clipped, nesting bounded, anything else as its text."""
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= 4:
        return str(value)[:MAX_TEXT]
    if isinstance(value, dict):
        return {str(k): _clip_data(v, depth + 1) for k, v in list(value.items())[:50]}
    if isinstance(value, list | tuple):
        return [_clip_data(v, depth + 1) for v in list(value)[:50]]
    return str(value)[:MAX_TEXT]


@dataclass(frozen=True)
class Notifier:
    store: NotificationStore
    settings: SettingsStore
    clock: Clock
    ids: IdFactory
    log: Logger

    async def prepare(self, kind: str, subject_id: str, data: dict[str, Any]) -> list[NotificationRecord]:
        """The rows `notify` would insert (one per endpoint taking `kind`; one undeliverable row, `failed`, when none
        does, so the list still shows it). A caller with its own D1 batch inserts them with
        `shared.adapters.d1.notifications.insert_query`."""
        if not _KIND.fullmatch(kind):
            raise ValueError(f"not a notification kind: {kind!r}")
        endpoints = [e for e in rules.endpoints_or_empty(await self.settings.get(WEBHOOKS_SETTING)) if e.takes(kind)]
        now = self.clock.now()
        clean = _clip_data(dict(data))
        key = rules.dedup_key(kind, str(subject_id))

        def record(endpoint: Endpoint | None) -> NotificationRecord:
            return NotificationRecord(
                id=self.ids.new_id(), kind=kind, channel=endpoint.channel if endpoint else "webhook",
                endpoint=endpoint.name if endpoint else None, subject_id=str(subject_id), dedup_key=key, data=clean,
                status="pending" if endpoint else "failed", attempts=0,
                error=None if endpoint else "no webhook endpoint takes this kind", created_at=now,
            )  # fmt: skip

        return [record(e) for e in endpoints] or [record(None)]

    async def notify(self, kind: str, subject_id: str, data: dict[str, Any]) -> int:
        """Record `kind` about `subject_id` for delivery; returns the rows stored (0: the same kind and subject was
        recorded in the last 5 minutes)."""
        stored = await self.store.insert(await self.prepare(kind, subject_id, data))
        self.log.info("notification recorded", kind=kind, subject_id=str(subject_id), rows=len(stored))
        return len(stored)


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    status: int | None = None
    error: str | None = None
    retriable: bool = True
    endpoint_down: bool = False  # no answer or a 5xx: try nothing more there in this flush
    retry_after_s: float | None = None

    def report(self, name: str) -> dict[str, Any]:
        return {"name": name, "ok": self.ok, "status": self.status, "error": self.error}


def _secret(env: Any, name: str) -> str | None:
    try:
        value = getattr(env, name, None)
    except Exception:
        return None
    return value if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class WebhookSender:
    """One POST of one notification in an endpoint's format (signed when the endpoint names a secret)."""

    http: HttpClient
    env: Any
    clock: Clock
    timeout_s: float = rules.DELIVERY_TIMEOUT_S

    async def deliver(self, endpoint: Endpoint, notification: Notification) -> Delivery:
        body = json.dumps(rules.render(endpoint.channel, notification), separators=(",", ":"), ensure_ascii=False)
        data = body.encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if endpoint.channel == "webhook":
            headers["X-Jengu-Event"] = notification.kind
            headers["X-Jengu-Delivery"] = notification.id
        if endpoint.secret_name:
            secret = _secret(self.env, endpoint.secret_name)
            if secret is None:
                return Delivery(ok=False, error=f"secret {endpoint.secret_name} is not set")
            headers[rules.SIGNATURE_HEADER] = rules.sign(secret, data, int(self.clock.now().timestamp()))
        try:
            answer = await self.http.request("POST", endpoint.url, headers=headers, body=data, timeout_s=self.timeout_s)
        except HttpTimeout:
            return Delivery(ok=False, error=f"no answer within {self.timeout_s:g} s", endpoint_down=True)
        except HttpError as exc:
            return Delivery(ok=False, error=_without_url(str(exc), endpoint.url), endpoint_down=True)
        if 200 <= answer.status < 300:
            return Delivery(ok=True, status=answer.status)
        detail = " ".join(answer.text()[:200].split())
        return Delivery(
            ok=False, status=answer.status, error=f"HTTP {answer.status}" + (f": {detail}" if detail else ""),
            retriable=rules.retriable_status(answer.status), endpoint_down=answer.status >= 500,
            retry_after_s=rules.parse_retry_after(answer.header("retry-after"), self.clock.now()),
        )  # fmt: skip


def _without_url(text: str, url: str) -> str:
    """An HTTP error's text names the path, where Slack and Discord keep their token: keep the host only."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return text.replace(parts.path, "/…") if parts.path not in ("", "/") else text


@dataclass
class FlushCounts:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0
    deferred: int = 0  # rate limited, or its endpoint was down in this flush
    skipped: int = 0  # another flush claimed it first

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass(frozen=True)
class NotificationFlusher:
    store: NotificationStore
    settings: SettingsStore
    sender: WebhookSender
    log: Logger
    batch: int = FLUSH_BATCH
    per_endpoint: int = PER_ENDPOINT_PER_FLUSH

    async def forget(self, before: datetime) -> int:
        """The nightly job: drop delivered and failed notifications created before `before`."""
        return int(await self.store.forget_finished(before))

    async def flush(self, now: datetime) -> dict[str, int]:
        """Deliver what is due at `now`; returns counts (sent, retried, failed, expired, deferred, skipped)."""
        counts = FlushCounts()
        due = await self.store.pending_due(now, self.batch)
        if not due:
            return counts.as_dict()
        endpoints = {e.name: e for e in rules.endpoints_or_empty(await self.settings.get(WEBHOOKS_SETTING))}
        sent_before = await self.store.sent_counts(now - rules.RATE_WINDOW)
        taken: Counter[tuple[str, str]] = Counter()
        queues: dict[str, list[NotificationRecord]] = defaultdict(list)
        for record in due:
            endpoint = endpoints.get(record.endpoint or "")
            if record.created_at < now - rules.EXPIRE_AFTER:
                await self.store.mark_failed(record.id, record.attempts, "expired: still pending after 24 hours")
                counts.expired += 1
            elif endpoint is None:
                error = f"endpoint {record.endpoint!r} is no longer configured"
                await self.store.mark_failed(record.id, record.attempts, error)
                counts.failed += 1
            else:
                key = (endpoint.name, record.kind)
                limited = rules.allowance(record.kind, sent_before.get(key, 0) + taken[key]) <= 0
                if limited or len(queues[endpoint.name]) >= self.per_endpoint:
                    counts.deferred += 1
                else:
                    taken[key] += 1
                    queues[endpoint.name].append(record)
        results = await asyncio.gather(
            *(self._drain(endpoints[name], rows, now) for name, rows in queues.items()), return_exceptions=True
        )
        for name, result in zip(queues, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                self.log.error("notification flush failed for an endpoint", endpoint=name, error=repr(result)[:300])
                continue
            for attr, value in result.as_dict().items():
                setattr(counts, attr, getattr(counts, attr) + value)
        return counts.as_dict()

    async def _drain(self, endpoint: Endpoint, rows: list[NotificationRecord], now: datetime) -> FlushCounts:
        counts = FlushCounts()
        for index, record in enumerate(rows):
            if not await self.store.claim(record, lease_until=now + rules.LEASE, now=now):
                counts.skipped += 1
                continue
            attempts = record.attempts + 1
            delivery = await self.sender.deliver(endpoint, record.notification())
            if delivery.ok:
                await self.store.mark_sent(record.id, attempts, self.sender.clock.now())
                counts.sent += 1
                continue
            delay = rules.retry_delay(attempts, delivery.retry_after_s) if delivery.retriable else None
            error = delivery.error or "not delivered"
            fields = {"endpoint": endpoint.name, "kind": record.kind, "attempts": attempts, "status": delivery.status}
            if delay is None:
                await self.store.mark_failed(record.id, attempts, error)
                counts.failed += 1
                self.log.warning("notification failed for good", error=error, **fields)
            else:
                await self.store.mark_retry(record.id, attempts, error, now + delay)
                counts.retried += 1
                self.log.warning("notification not delivered; will retry", error=error, **fields)
            if delivery.endpoint_down:
                counts.deferred += len(rows) - index - 1
                break
        return counts


@dataclass(frozen=True)
class WebhookSettings:
    """The `webhooks` setting as the admin API reads and replaces it, and the test send."""

    settings: SettingsStore
    sender: WebhookSender
    clock: Clock
    ids: IdFactory
    log: Logger
    env: Any = None

    async def endpoints(self) -> list[Endpoint]:
        return rules.endpoints_or_empty(await self.settings.get(WEBHOOKS_SETTING))

    def view(self, endpoint: Endpoint) -> dict[str, Any]:
        """An endpoint as the API shows it: the URL masked, whether its secret is set (never the value)."""
        view = {**endpoint.as_setting(), "url": rules.mask_url(endpoint.url)}
        if endpoint.secret_name:
            view["secret_set"] = _secret(self.env, endpoint.secret_name) is not None
        return view

    async def replace(self, value: list[dict[str, Any]], *, by: str | None) -> list[Endpoint]:
        """Validate and store the whole list. An entry whose url is the masked form of the stored endpoint of that
        name keeps the stored URL (a read-modify-write through the API never needs the secret URL again)."""
        stored = {e.name: e for e in await self.endpoints()}
        items = []
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item.get("name") in stored:
                known = stored[str(item["name"])]
                if item["url"].strip() == rules.mask_url(known.url):
                    item = {**item, "url": known.url}
            items.append(item)
        endpoints = rules.parse_endpoints(items)
        await self.settings.put(WEBHOOKS_SETTING, [e.as_setting() for e in endpoints], at=self.clock.now())
        self.log.warning("webhook endpoints replaced", count=len(endpoints), by=by)
        return endpoints

    async def send_test(self, name: str | None = None) -> list[dict[str, Any]]:
        """POST a test notification to one endpoint (by name) or all, now; nothing is stored."""
        endpoints = [e for e in await self.endpoints() if name is None or e.name == name]
        if name is not None and not endpoints:
            raise NotFound(f"no webhook endpoint is named {name!r}", details={"name": name})
        note = Notification(
            id=self.ids.new_id(), kind=rules.TEST_KIND, created_at=self.clock.now(),
            data={"summary": "Jengu can reach this endpoint. Notifications will arrive in this format.",
                  "reason": "POST /api/admin/webhooks/test"},
        )  # fmt: skip
        results = await asyncio.gather(*(self.sender.deliver(e, note) for e in endpoints))
        return [d.report(e.name) for e, d in zip(endpoints, results, strict=True)]
