"""Who asks for enrichment, and how much: new prospects, `POST /api/enrich` (ids or a filter), the off-hours top-up.

Every request becomes one `enrich.requested` message per prospect on the `enrich` queue, after the prospect is marked
`queued` (a prospect queued within the last `REQUEUE_AFTER` is not queued again, so a burst of requests costs one
run). A filter is walked in slices of `SLICE` prospects by `enrich.selection` messages; each slice publishes its
successor once (a Dedup claim per slice), so a redelivered slice never forks the walk.

The off-hours cron (`*/30 0-5,22-23 * * *`) tops up from prospects still missing data — never tried, waiting for a
quota, partial and due again, or queued but lost — sized to what the website finders' remaining daily quota can
serve: a top-up never queues more prospects than the quotas of the configured finders could look up today.
A lost publish is never a lost prospect: anything marked but not enriched is found again by the top-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from shared.messages.payloads import EnrichRequested, EnrichSelection
from shared.messages.queues import QueueName
from shared.service_layer.envelopes import new_envelope

SLICE = 500
PUBLISH_CHUNK = 100  # messages per sendBatch
REQUEUE_AFTER = timedelta(hours=6)
SELECTION_CLAIM_TTL_S = 7 * 86_400.0


class EnrichRequests:
    def __init__(self, services: Any) -> None:
        self._s = services

    async def request(self, ids: Sequence[str], *, reason: str, trace_id: str) -> list[str]:
        """Queue these prospects (those not queued recently and not archived); returns the ids queued."""
        s = self._s
        now = s.clock.now()
        unique = list(dict.fromkeys(ids))
        marked = await s.enrichment_store.mark_queued(unique, now, now - REQUEUE_AFTER)
        envelopes = [
            new_envelope(EnrichRequested(prospect_id=pid, reason=reason), trace_id=trace_id, clock=s.clock, ids=s.ids)
            for pid in marked
        ]
        for i in range(0, len(envelopes), PUBLISH_CHUNK):
            await s.publisher.publish_many(QueueName.ENRICH, envelopes[i : i + PUBLISH_CHUNK])
        return marked

    async def created(self, ids: Sequence[str], *, trace_id: str, reason: str = "created") -> None:
        """New prospects (API, import): queued when enrichment on create is on. Never raises: the top-up catches up."""
        if not ids or not self._s.settings.enrich_on_create:
            return
        try:
            await self.request(ids, reason=reason, trace_id=trace_id)
        except Exception as exc:
            self._s.log.warning("could not queue enrichment of new prospects; the off-hours top-up will",
                                count=len(ids), error=f"{type(exc).__name__}: {exc}")  # fmt: skip

    async def select(self, filter_: dict[str, Any], *, trace_id: str) -> str:
        """Start walking a filter; returns the selection id."""
        s = self._s
        selection_id = s.ids.new_id()
        await self._publish_slice(selection_id, 0, filter_, None, trace_id)
        return selection_id

    async def run_slice(self, msg: EnrichSelection, *, trace_id: str) -> int:
        """Queue this slice's prospects (returns how many were newly queued) and publish the next slice once."""
        from shared.service_layer.enrollment.jobs import query_of

        s = self._s
        query = query_of(msg.filter, msg.cursor)
        page = await s.prospects.page(query)
        batch = page[:SLICE]
        queued = await self.request([p.id for p in batch], reason="api", trace_id=trace_id)
        if len(page) > SLICE and batch:
            last = batch[-1]
            cursor = _cursor(last)
            claim = await s.dedup.claim(f"enrich-selection:{msg.selection_id}:{msg.slice + 1}", SELECTION_CLAIM_TTL_S,
                                        trace_id, s.clock.now().timestamp())  # fmt: skip
            if claim.granted:
                await self._publish_slice(msg.selection_id, msg.slice + 1, msg.filter, cursor, trace_id)
        return len(queued)

    async def topup(self, *, trace_id: str) -> dict[str, int]:
        s = self._s
        limit = min(s.settings.enrich_topup_max, await self._quota_room())
        if limit <= 0:
            return {"enrich_topup": 0, "enrich_room": 0}
        now = s.clock.now()
        ids = await s.enrichment_store.topup(
            limit, partial_before=now - timedelta(days=s.settings.enrich_retry_after_days),
            queued_before=now - REQUEUE_AFTER,
        )  # fmt: skip
        queued = await self.request(ids, reason="topup", trace_id=trace_id)
        return {"enrich_topup": len(queued), "enrich_room": limit}

    async def _quota_room(self) -> int:
        """How many website lookups the configured finders' remaining daily and monthly quotas allow (the sum over
        finders with a quota; unlimited finders, or none configured, leave only ENRICH_TOPUP_MAX)."""
        s = self._s
        names = [n for n in s.enrichment_finder_names if n != "llm"]
        if not names:
            return s.settings.enrich_topup_max
        try:
            statuses = await s.rate_limiter.status([("default", f"provider:{n}") for n in names])
        except Exception as exc:
            s.log.warning("rate limiter status unavailable: top-up not sized", error=type(exc).__name__)
            return s.settings.enrich_topup_max
        room = 0
        for status in statuses:
            remaining = [v for v in (getattr(status, "quota_remaining", None),
                                     getattr(status, "month_remaining", None)) if v is not None]  # fmt: skip
            if not remaining:
                return s.settings.enrich_topup_max  # a finder without a quota can take the whole top-up
            room += max(0, min(remaining))
        return room if statuses else s.settings.enrich_topup_max

    async def _publish_slice(self, selection_id: str, slice_no: int, filter_: dict[str, Any], cursor: str | None,
                             trace_id: str) -> None:  # fmt: skip
        s = self._s
        payload = EnrichSelection(selection_id=selection_id, slice=slice_no, filter=filter_, cursor=cursor)
        await s.publisher.publish(QueueName.ENRICH, new_envelope(payload, trace_id=trace_id, clock=s.clock, ids=s.ids))


def _cursor(prospect: Any) -> str:
    import json

    created = prospect.created_at
    return json.dumps([created if isinstance(created, str) else created.isoformat(), prospect.id])
