"""Bulk enrollment by prospect filter: a job row, then one slice of SLICE_SIZE prospects per `imports` queue message.

Each slice reads the next page of the filter in created_at/id keyset order, enrolls it (idempotent insert) and
advances the job guarded by the slice number, so a redelivered slice neither counts twice nor skips a page; then it
queues the next slice. A slice whose advance already happened (the queue redelivered it after the next one was sent,
or the send was lost) re-queues the next slice, which its own guard makes harmless.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from shared.domain.errors import NotFound
from shared.domain.prospect_query import ProspectQuery, SortKey
from shared.domain.prospects import EmailStatus, Stage, Tier
from shared.messages.payloads import EnrollmentSlice
from shared.messages.queues import QueueName
from shared.service_layer.enrollment.enroll import SLICE_SIZE, Enroller, EnrollReport
from shared.service_layer.envelopes import new_envelope


async def start_job(services: Any, campaign: Any, query: ProspectQuery, filter_: dict[str, Any], *,
                    trace_id: str) -> dict[str, Any]:  # fmt: skip
    job_id = services.ids.new_id()
    await services.enrollments.create_job(job_id, campaign.id, filter_, services.clock.now())
    await _queue_slice(services, job_id, 0, trace_id)
    job = await services.enrollments.get_job(job_id)
    assert job is not None
    return job


async def _queue_slice(services: Any, job_id: str, slice_no: int, trace_id: str) -> None:
    envelope = new_envelope(EnrollmentSlice(job_id=job_id, slice=slice_no), trace_id=trace_id, clock=services.clock,
                            ids=services.ids)  # fmt: skip
    await services.publisher.publish(QueueName.IMPORTS, envelope)


def filter_json(query: ProspectQuery) -> dict[str, Any]:
    """The filter part of a validated list query, as the job row keeps it (JSON)."""
    return {
        "stages": [v.value for v in query.stages], "tiers": [v.value for v in query.tiers],
        "countries": list(query.countries), "email_statuses": [v.value for v in query.email_statuses],
        "tag": query.tag, "archived": query.archived, "has_email": query.has_email, "campaign": query.campaign,
        "search_terms": list(query.search_terms),
    }  # fmt: skip


def query_of(filter_: dict[str, Any], cursor: str | None) -> ProspectQuery:
    """The next slice's page query: the stored filter, created_at/id keyset order, after the cursor."""
    after = tuple(json.loads(cursor)) if cursor else None
    return ProspectQuery(
        stages=tuple(Stage(v) for v in filter_.get("stages", ())),
        tiers=tuple(Tier(v) for v in filter_.get("tiers", ())),
        countries=tuple(filter_.get("countries", ())),
        email_statuses=tuple(EmailStatus(v) for v in filter_.get("email_statuses", ())),
        tag=filter_.get("tag"), archived=filter_.get("archived", False), has_email=filter_.get("has_email"),
        campaign=filter_.get("campaign"), search_terms=tuple(filter_.get("search_terms", ())),
        sort=SortKey.CREATED_ASC, limit=SLICE_SIZE, after=after,
    )  # fmt: skip


async def run_slice(msg: EnrollmentSlice, services: Any, *, trace_id: str) -> None:
    job = await services.enrollments.get_job(msg.job_id)
    if job is None:
        raise NotFound(f"enrollment job {msg.job_id} does not exist")
    if job["state"] not in ("queued", "running"):
        return
    if int(job["slices"]) > msg.slice:  # this slice already counted: make sure the next one exists
        if job["state"] == "running":
            await _queue_slice(services, msg.job_id, int(job["slices"]), trace_id)
        return
    campaign = await services.campaign_store.get(job["campaign_id"])
    if campaign is None:
        await services.enrollments.fail_job(msg.job_id, "the campaign no longer exists", services.clock.now())
        return
    query = query_of(job["filter"], job["cursor"])
    page = await services.prospects.page(query)
    more = len(page) > SLICE_SIZE
    page = page[:SLICE_SIZE]
    enroller = Enroller(services.enrollments, await services.country_policy(), services.clock, services.ids)
    report = await enroller.enroll(campaign, [p.id for p in page], EnrollReport()) if page else EnrollReport()
    refused = Counter({str(k): int(v) for k, v in dict(job["refused"]).items()}) + report.refused
    cursor = json.dumps([page[-1].created_at, page[-1].id]) if page else job["cursor"]
    state = "running" if more else "done"
    advanced = await services.enrollments.advance_job(
        msg.job_id, slice_no=msg.slice, state=state, cursor=cursor, matched=report.matched,
        enrolled=report.enrolled, refused=refused, at=services.clock.now(),
    )  # fmt: skip
    if advanced and more:
        await _queue_slice(services, msg.job_id, msg.slice + 1, trace_id)
