"""`/api/prospects/import` (CSV in, streamed) and `/api/prospects/export` (CSV out, streamed).

Import takes a raw `text/csv` body or a multipart upload (field `file`) of at most SYNC_IMPORT_MAX_BYTES and answers
with the report; larger files get 413 pointing at `POST /api/imports` (`routes/imports.py`, background jobs).
Export takes the list filters and sort.
Registered before `routes/prospects.py`, so `/export` is not read as a prospect id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.auth import AuthorizedServices
from api.errors import ApiError
from api.limits import IMPORT_JOBS_PATH as IMPORTS_PATH
from api.openapi import CsvStream, csv_upload
from api.routes.prospects import QueryDep, ServiceDep, actor_of, prospect_service
from api.uploads import CsvUpload
from shared.domain.csv_export import csv_lines
from shared.domain.csv_import import CsvFormatError
from shared.domain.prospect_records import ProspectRecord
from shared.service_layer.imports import ProspectImporter
from shared.service_layer.prospects import ProspectService

router = APIRouter(prefix="/api/prospects", tags=["prospects"])

EXPORT_COLUMNS = (
    "id", "first_name", "last_name", "job_title", "email", "email_status", "phone", "linkedin_url", "company_name",
    "property_name", "property_type", "rooms", "website", "city", "region", "country", "timezone", "stage", "tier",
    "score", "tags", "lead_source", "archived", "created_at", "updated_at", "last_contacted_at",
)  # fmt: skip
EXPORT_PAGE = 500
# The synchronous import holds the whole upload and answers in the request: small files only (~10,000 rows).
SYNC_IMPORT_MAX_BYTES = 2 * 1024 * 1024
MULTIPART_SLACK = 64 * 1024  # form framing around the file


def _too_large(received: int | None) -> ApiError:
    size = f"{received:,} bytes" if received is not None else "the upload"
    return ApiError(
        413,
        f"{size} is more than the {SYNC_IMPORT_MAX_BYTES:,} bytes this route imports at once: send larger files"
        f" to POST {IMPORTS_PATH} (a background import job)",
        code="payload_too_large",
        details={"limit_bytes": SYNC_IMPORT_MAX_BYTES, "use": IMPORTS_PATH},
    )


async def _bounded_body(request: Request, upload: CsvUpload) -> list[bytes]:
    """The upload's bytes, refused with 413 past SYNC_IMPORT_MAX_BYTES: by Content-Length before anything is read
    (multipart framing gets MULTIPART_SLACK), and on the bytes received. Read whole before the first write, so a
    refused upload has imported nothing (at most SYNC_IMPORT_MAX_BYTES are ever held)."""
    declared = request.headers.get("content-length", "")
    slack = MULTIPART_SLACK if upload.media_type == "multipart/form-data" else 0
    if declared.isdigit() and int(declared) > SYNC_IMPORT_MAX_BYTES + slack:
        raise _too_large(int(declared))
    chunks: list[bytes] = []
    received = 0
    async for chunk in upload.chunks():
        received += len(chunk)
        if received > SYNC_IMPORT_MAX_BYTES:
            raise _too_large(None)
        chunks.append(chunk)
    return chunks


@router.post(
    "/import",
    summary="Import a small CSV file now",
    description=(
        f"Imports a CSV file (raw `text/csv` body or multipart field `file`) of at most {SYNC_IMPORT_MAX_BYTES:,}"
        f" bytes and answers with the report. Larger files: `POST {IMPORTS_PATH}` (413 here points there)."
    ),
    responses={200: {"description": "import report"}},
    openapi_extra=csv_upload(),
)
async def import_csv(
    request: Request,
    service: Annotated[ProspectService, Depends(prospect_service)],
    services: AuthorizedServices,
    lead_source: Annotated[str, Query(max_length=100, pattern=r"^[\w .:/-]+$")] = "csv_import",
) -> JSONResponse:
    upload = CsvUpload(request)
    chunks = await _bounded_body(request, upload)
    if not any(chunks):
        raise ApiError(400, "the CSV file is empty", code="bad_request")
    trace_id = str(request.state.request_id)

    async def created(ids: list[str]) -> None:
        await services.enrich_requests.created(ids, trace_id=trace_id, reason="import")

    importer = ProspectImporter(
        repo=service.repo, clock=service.clock, ids=service.ids, log=service.log, actor=actor_of(request),
        lead_source=lead_source, on_created=created,
    )  # fmt: skip
    try:
        for chunk in chunks:
            await importer.feed(chunk)
        report = await importer.finish()
    except CsvFormatError as exc:
        raise unreadable_csv(exc, importer.report.as_dict()) from exc
    return JSONResponse(report.as_dict())


def unreadable_csv(exc: CsvFormatError, report: dict[str, Any] | None = None) -> ApiError:
    status = 415 if getattr(exc, "code", None) == "binary_file" else 400  # e.g. an .xlsx sent as CSV
    details: dict[str, Any] = {"reason": getattr(exc, "code", None)}
    if report is not None:
        details["report"] = report
    return ApiError(status, str(exc), code="unreadable_csv", details=details)


def _export_row(record: ProspectRecord) -> list[object]:
    data = record.columns()
    data["tags"] = ";".join(record.tags)
    return [data[name] for name in EXPORT_COLUMNS]


@router.get("/export", response_class=CsvStream)
async def export_csv(query: QueryDep, service: ServiceDep) -> StreamingResponse:
    async def lines() -> AsyncIterator[bytes]:
        yield "\ufeff".encode()  # BOM: Excel then reads UTF-8
        yield next(csv_lines(EXPORT_COLUMNS, [])).encode()
        async for page in service.pages(query, EXPORT_PAGE):
            yield "".join(list(csv_lines(EXPORT_COLUMNS, [_export_row(r) for r in page]))[1:]).encode()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="prospects.csv"'},
    )
