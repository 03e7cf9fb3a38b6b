"""`/api/prospects/import` (CSV in, streamed) and `/api/prospects/export` (CSV out, streamed).

Import takes a raw `text/csv` body or a multipart upload (field `file`); export takes the list filters and sort.
Registered before `routes/prospects.py`, so `/export` is not read as a prospect id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.errors import ApiError
from api.openapi import CsvStream, csv_upload
from api.routes.prospects import QueryDep, ServiceDep, actor_of, prospect_service
from shared.domain.csv_export import csv_lines
from shared.domain.csv_import import CsvFormatError
from shared.domain.prospect_records import ProspectRecord
from shared.service_layer.imports import ProspectImporter
from shared.service_layer.prospects import ProspectService

router = APIRouter(prefix="/api/prospects", tags=["prospects"])

CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "text/tab-separated-values")
EXPORT_COLUMNS = (
    "id", "first_name", "last_name", "job_title", "email", "email_status", "phone", "linkedin_url", "company_name",
    "property_name", "property_type", "rooms", "website", "city", "region", "country", "timezone", "stage", "tier",
    "score", "tags", "lead_source", "archived", "created_at", "updated_at", "last_contacted_at",
)  # fmt: skip
EXPORT_PAGE = 500


async def _csv_chunks(request: Request) -> AsyncIterator[bytes]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        async with request.form() as form:  # closes the spooled upload afterwards
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ApiError(400, "multipart upload needs a file in the field 'file'", code="bad_request")
            while chunk := await upload.read(256 * 1024):
                yield chunk
        return
    if content_type not in CSV_TYPES:
        raise ApiError(
            415, f"send CSV as text/csv or multipart/form-data, not {content_type or 'no content type'}",
            code="unsupported_media_type",
        )  # fmt: skip
    async for chunk in request.stream():
        if chunk:
            yield chunk


@router.post("/import", responses={200: {"description": "import report"}}, openapi_extra=csv_upload())
async def import_csv(
    request: Request,
    service: Annotated[ProspectService, Depends(prospect_service)],
    lead_source: Annotated[str, Query(max_length=100, pattern=r"^[\w .:/-]+$")] = "csv_import",
) -> JSONResponse:
    importer = ProspectImporter(
        repo=service.repo, clock=service.clock, ids=service.ids, log=service.log, actor=actor_of(request),
        lead_source=lead_source,
    )  # fmt: skip
    received = 0
    try:
        async for chunk in _csv_chunks(request):
            received += len(chunk)
            await importer.feed(chunk)
        if received == 0:
            raise ApiError(400, "the CSV file is empty", code="bad_request")
        report = await importer.finish()
    except CsvFormatError as exc:
        status = 415 if getattr(exc, "code", None) == "binary_file" else 400  # e.g. an .xlsx sent as CSV
        details: dict[str, Any] = {"reason": getattr(exc, "code", None), "report": importer.report.as_dict()}
        raise ApiError(status, str(exc), code="unreadable_csv", details=details) from exc
    return JSONResponse(report.as_dict())


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
