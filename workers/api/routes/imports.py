"""`/api/imports`: CSV imports as background jobs (docs/decisions/0013).

`POST` stages the file (raw `text/csv` body or multipart field `file`, up to `Settings.max_import_bytes`) and answers
202 with the job and its `Location`; the `imports` queue then processes it slice by slice. `GET /{id}` reports its
state, progress, counts and row-numbered errors and warnings; `GET` lists jobs, newest first (opaque cursor);
`DELETE /{id}` cancels a job that has not ended (409 once it has).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from api.auth import AuthorizedServices
from api.errors import ApiError
from api.openapi import csv_upload, error_responses
from api.routes.prospect_csv import unreadable_csv
from api.routes.prospects import actor_of
from api.uploads import CsvUpload
from shared.domain.csv_import import CsvFormatError
from shared.domain.errors import QueueError
from shared.domain.pagination import decode_cursor, encode_cursor

router = APIRouter(prefix="/api/imports", tags=["imports"])

JobId = Annotated[str, Path(min_length=1, max_length=64)]


@router.post(
    "",
    status_code=202,
    summary="Start a background CSV import",
    responses={202: {"description": "the job, queued; Location names it"}, **error_responses(503)},
    openapi_extra=csv_upload(),
)
async def start_import(
    request: Request,
    services: AuthorizedServices,
    lead_source: Annotated[str, Query(max_length=100, pattern=r"^[\w .:/-]+$")] = "csv_import",
) -> JSONResponse:
    upload = CsvUpload(request)
    try:
        job = await services.import_job_service.stage(
            upload.chunks(), lead_source=lead_source, actor=actor_of(request), filename=lambda: upload.filename,
            trace_id=str(getattr(request.state, "request_id", "") or services.ids.new_id()),
        )  # fmt: skip
    except CsvFormatError as exc:
        raise unreadable_csv(exc) from exc
    except QueueError as exc:
        raise ApiError(503, "the import could not be queued; try again", details={"reason": str(exc)}) from exc
    location = f"/api/imports/{job.id}"
    return JSONResponse(job.summary(), status_code=202, headers={"Location": location})


@router.get("", summary="List import jobs, newest first")
async def list_imports(
    services: AuthorizedServices,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=512, description="opaque: the next_cursor of the previous page")
    ] = None,
) -> JSONResponse:
    after: tuple[str, str] | None = None
    if cursor:
        created_at, job_id = decode_cursor(cursor, arity=2)
        after = (str(created_at), str(job_id))
    jobs = await services.import_job_service.page(limit=limit + 1, after=after)
    page, more = jobs[:limit], len(jobs) > limit
    next_cursor = encode_cursor([page[-1].created_at, page[-1].id]) if more and page else None
    body: dict[str, Any] = {"items": [job.summary() for job in page], "next_cursor": next_cursor}
    return JSONResponse(body)


@router.get("/{job_id}", summary="An import job's state, progress and report", responses=error_responses(404))
async def get_import(job_id: JobId, services: AuthorizedServices) -> JSONResponse:
    return JSONResponse(await services.import_job_service.report(job_id))


@router.delete("/{job_id}", summary="Cancel an import job", responses=error_responses(404, 409))
async def cancel_import(job_id: JobId, services: AuthorizedServices) -> JSONResponse:
    job = await services.import_job_service.cancel(job_id)
    return JSONResponse(job.summary())
