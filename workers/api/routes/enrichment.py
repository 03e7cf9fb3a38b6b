"""Enrichment: queue prospects by ids or by filter, watch progress, quotas and costs, and read what was found.

`POST /api/enrich` with `ids` (up to 1,000: each not queued in the last hours and not archived is queued now) or
`filter` (the prospect list's filters, walked in slices on the queue); 202 either way. `GET /api/enrich/status`:
prospects per enrichment state, coverage, per provider today's and this month's calls, credits, failures and
estimated cost beside the quota left, queue depth, recent failures. `GET /api/prospects/{id}/enrichment`: the facts
kept (with their source page and date), the address candidates with their verdicts, and the latest trails.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.auth import AuthorizedServices
from api.openapi import error_responses
from api.routes.prospects import ProspectTargets
from shared.domain.errors import NotFound

router = APIRouter(tags=["enrichment"])


class EnrichRequest(ProspectTargets):
    """`ids` (up to 1,000 prospects, queued at once) or `filter` (the list filters, walked in slices), never both."""


class EnrichQueuedOut(BaseModel):
    requested: int
    queued: int  # not queued again: already queued recently, archived or unknown
    selection_id: str | None = None  # by filter: the walk that queues the matching prospects


@router.post("/api/enrich", status_code=202, responses=error_responses(422))
async def enrich(body: EnrichRequest, request: Request, services: AuthorizedServices) -> EnrichQueuedOut:
    trace_id = str(getattr(request.state, "request_id", "") or services.ids.new_id())
    if body.ids is not None:
        queued = await services.enrich_requests.request(body.ids, reason="api", trace_id=trace_id)
        return EnrichQueuedOut(requested=len(set(body.ids)), queued=len(queued))
    from shared.service_layer.enrollment.jobs import filter_json

    assert body.filter is not None
    selection = await services.enrich_requests.select(filter_json(body.filter.query()), trace_id=trace_id)
    return EnrichQueuedOut(requested=0, queued=0, selection_id=selection)


@router.get("/api/enrich/status")
async def enrich_status(services: AuthorizedServices) -> JSONResponse:
    from shared.service_layer.enrichment.status import enrichment_status

    return JSONResponse(await enrichment_status(services, services.clock.now()))


@router.get("/api/prospects/{prospect_id}/enrichment", responses=error_responses(404))
async def prospect_enrichment(
    prospect_id: Annotated[str, Path(min_length=1, max_length=64)], services: AuthorizedServices
) -> dict[str, Any]:
    store = services.enrichment_store
    snapshot = await store.snapshot(prospect_id)
    if snapshot is None:
        raise NotFound(f"prospect {prospect_id} does not exist")
    return {
        "prospect_id": prospect_id,
        "facts": await store.facts_of(prospect_id),
        "email_candidates": await store.candidates_of(prospect_id),
        "trails": await store.trail_of(prospect_id),
    }
