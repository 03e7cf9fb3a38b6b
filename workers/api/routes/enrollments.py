"""Enrollments: put prospects into a campaign (by ids at once, by filter as a job) and pause, resume or stop one.

`POST /api/campaigns/{id}/enrollments` with `ids` (up to 1,000; 200 with the report) or `filter` (the prospect list's
filters; 202 with a job that enrolls in slices of 500, so 100,000 prospects stay within every invocation's limits).
The report counts refusals per reason: suppressed, bounced, no sendable email, role address, archived, already active
in another campaign, the recipient country's policy (shared/domain/campaigns/country_policy.py), not found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AuthorizedServices
from api.openapi import error_responses
from api.routes.prospects import ProspectTargets
from shared.domain.campaigns.country_policy import LegalBasis
from shared.domain.errors import Conflict, NotFound, ValidationFailed
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.service_layer.enrollment.enroll import Enroller, require_campaign

router = APIRouter(tags=["enrollments"])

Id = Annotated[str, Path(min_length=1, max_length=64)]
EnrollmentStatus = Literal["active", "paused", "completed", "stopped"]


class EnrollRequest(ProspectTargets):
    """`ids` (up to 1,000 prospects, enrolled at once) or `filter` (the list filters; a job), never both, never null."""


class EnrollReportOut(BaseModel):
    matched: int
    enrolled: int
    refused: dict[str, int]
    examples: dict[str, list[str]]


class PauseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=200)] = "manual"
    resume_at: datetime | None = None


class StopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=200)] = "manual"


class LegalBasisRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basis: LegalBasis | None
    source: Annotated[str, Field(min_length=1, max_length=200)] | None = None


def _enrollment_out(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in (
        "id", "campaign_id", "prospect_id", "inbox_id", "status", "next_step", "next_due_at", "resume_at",
        "pause_reason", "stop_reason", "last_step_at", "version", "created_at", "updated_at", "finished_at",
    )}  # fmt: skip


@router.post(
    "/api/campaigns/{campaign_id}/enrollments",
    responses={202: {"description": "a bulk job, by filter; Location names it"}, **error_responses(404, 409, 503)},
)
async def enroll(campaign_id: Id, body: EnrollRequest, request: Request, services: AuthorizedServices) -> Any:
    campaign = require_campaign(await services.campaign_store.get(campaign_id), campaign_id)
    if body.ids is not None:
        enroller = Enroller(services.enrollments, await services.country_policy(), services.clock, services.ids)
        report = await enroller.enroll(campaign, body.ids)
        services.log.info("prospects enrolled", campaign_id=campaign_id, matched=report.matched,
                          enrolled=report.enrolled)  # fmt: skip
        return EnrollReportOut(**report.to_dict())
    from shared.service_layer.enrollment.jobs import filter_json, start_job

    assert body.filter is not None
    query = body.filter.query()
    if campaign.archived or campaign.status == "completed" or not campaign.steps:
        await Enroller(services.enrollments, await services.country_policy(), services.clock, services.ids).enroll(
            campaign, []
        )  # raises the same refusal the ids path gives
    job = await start_job(services, campaign, query, filter_json(query),
                          trace_id=str(getattr(request.state, "request_id", "") or services.ids.new_id()))  # fmt: skip
    return JSONResponse(job, status_code=202, headers={"Location": f"/api/enrollment-jobs/{job['id']}"})


@router.get("/api/enrollment-jobs/{job_id}", responses=error_responses(404))
async def get_job(job_id: Id, services: AuthorizedServices) -> dict[str, Any]:
    job = await services.enrollments.get_job(job_id)
    if job is None:
        raise NotFound(f"enrollment job {job_id} does not exist")
    return job


@router.get("/api/campaigns/{campaign_id}/enrollments", responses=error_responses(404))
async def list_enrollments(
    campaign_id: Id,
    services: AuthorizedServices,
    status: EnrollmentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=512, description="opaque: the next_cursor of the previous page")
    ] = None,
) -> dict[str, Any]:
    require_campaign(await services.campaign_store.get(campaign_id), campaign_id)
    after = ""
    if cursor is not None:
        _, last_id = decode_cursor(cursor, arity=2)
        if not isinstance(last_id, str) or len(last_id) > 64:
            raise ValidationFailed("invalid cursor")
        after = last_id
    rows = await services.enrollments.page(campaign_id, status=status, after=after, limit=limit + 1)
    more = len(rows) > limit
    items = [_enrollment_out(r) for r in rows[:limit]]
    next_cursor = encode_cursor([items[-1]["created_at"], items[-1]["id"]]) if more else None
    return {"items": items, "next_cursor": next_cursor, "counts": await services.enrollments.counts(campaign_id)}


async def _enrollment(services: Any, enrollment_id: str) -> dict[str, Any]:
    row = await services.enrollments.get(enrollment_id)
    if row is None:
        raise NotFound(f"enrollment {enrollment_id} does not exist")
    return row


@router.get("/api/enrollments/{enrollment_id}", responses=error_responses(404))
async def get_enrollment(enrollment_id: Id, services: AuthorizedServices) -> dict[str, Any]:
    return _enrollment_out(await _enrollment(services, enrollment_id))


@router.post("/api/enrollments/{enrollment_id}/pause", responses=error_responses(404, 409))
async def pause_enrollment(enrollment_id: Id, body: PauseRequest, services: AuthorizedServices) -> dict[str, Any]:
    row = await _enrollment(services, enrollment_id)
    now = services.clock.now()
    if body.resume_at is not None and body.resume_at.tzinfo is None:
        raise ValidationFailed("resume_at needs a timezone (e.g. 2026-12-24T09:00:00Z)")
    if not await services.enrollments.pause(enrollment_id, resume_at=body.resume_at, reason=body.reason, at=now):
        raise Conflict(f"enrollment {enrollment_id} is {row['status']}: only an active one can be paused",
                       details={"status": row["status"]})  # fmt: skip
    return _enrollment_out(await _enrollment(services, enrollment_id))


@router.post("/api/enrollments/{enrollment_id}/resume", responses=error_responses(404, 409))
async def resume_enrollment(enrollment_id: Id, services: AuthorizedServices) -> dict[str, Any]:
    row = await _enrollment(services, enrollment_id)
    if not await services.enrollments.resume(enrollment_id, services.clock.now()):
        raise Conflict(f"enrollment {enrollment_id} is {row['status']}: only a paused one can be resumed",
                       details={"status": row["status"]})  # fmt: skip
    return _enrollment_out(await _enrollment(services, enrollment_id))


@router.post("/api/enrollments/{enrollment_id}/stop", responses=error_responses(404, 409))
async def stop_enrollment(enrollment_id: Id, body: StopRequest, services: AuthorizedServices) -> dict[str, Any]:
    row = await _enrollment(services, enrollment_id)
    if not await services.enrollments.stop(enrollment_id, reason=body.reason, at=services.clock.now()):
        raise Conflict(f"enrollment {enrollment_id} is {row['status']}: it has already ended",
                       details={"status": row["status"]})  # fmt: skip
    return _enrollment_out(await _enrollment(services, enrollment_id))


@router.put("/api/prospects/{prospect_id}/legal-basis", responses=error_responses(404))
async def set_legal_basis(prospect_id: Id, body: LegalBasisRequest, services: AuthorizedServices) -> dict[str, Any]:
    """Record (or clear, with `basis: null`) the legal basis for cold email to this prospect; the per-country policy
    reads it at enrollment."""
    at = services.clock.now()
    if not await services.enrollments.set_legal_basis(prospect_id, body.basis, body.source, at):
        raise NotFound(f"prospect {prospect_id} does not exist")
    return {"prospect_id": prospect_id, "legal_basis": body.basis, "source": body.source,
            "recorded_at": at.isoformat() if body.basis else None}  # fmt: skip


@router.get("/api/country-policy")
async def country_policy(services: AuthorizedServices) -> dict[str, Any]:
    """The per-country policy in force (defaults, env COUNTRY_POLICY, then the D1 setting `country_policy`)."""
    return {"rules": (await services.country_policy()).table()}
