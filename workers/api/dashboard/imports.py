"""The dashboard's import jobs: `/app/imports` (jobs newest first with their progress, and an upload form),
`POST /app/imports` (a multipart CSV into the same service as `POST /api/imports`), `/app/imports/{id}` (progress,
report, row errors) and `/app/imports/{id}/progress` (that body alone, for htmx to poll every 2 s while it runs).

The upload is streamed, never read as a whole form (`request.form()` would spool it through a thread), so the
session's CSRF check cannot read the `csrf` field for it: `upload_session` checks the session and same-site rule
as `DashboardSession` does, then `DashboardUpload` reads the form's fields up to the file (the page puts `csrf`
first) and refuses the upload with 403 before a byte is staged unless the token matches.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from python_multipart.multipart import MultipartParser, parse_options_header

from api.dashboard.auth import (
    CSRF_FIELD,
    CSRF_HEADER,
    CsrfRefused,
    DashboardSession,
    LoginRequired,
    SignedIn,
    current_session,
    refuse_cross_site,
)
from api.dashboard.render import DashboardRoute, error_page, fragment, page
from api.deps import get_services
from shared.bootstrap import Services
from shared.domain.csv_import import CsvFormatError
from shared.domain.dashboard_sessions import DEFAULT_NEXT, csrf_matches
from shared.domain.errors import NotFound, QueueError, ValidationFailed
from shared.domain.import_jobs.job import ImportJob
from shared.domain.pagination import decode_cursor, encode_cursor

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)

PAGE_SIZE = 20
MAX_ID_CHARS = 64
LEAD_SOURCE = "dashboard upload"
LEAD_SOURCE_PATTERN = re.compile(r"^[\w .:/-]+$")  # the API's rule for ?lead_source=
_REFUSED = "This form has expired or was not sent from this dashboard. Reload the page and try again."


async def upload_session(request: Request, services: Annotated[Services, Depends(get_services)]) -> SignedIn:
    """`require_session` for a streamed upload: same-site and signed in here; the CSRF token is checked on the
    stream (`DashboardUpload`), or here when it came as the `X-CSRF-Token` header."""
    refuse_cross_site(request)
    signed_in = await current_session(request, services)
    if signed_in is None:
        raise LoginRequired(DEFAULT_NEXT)
    header = request.headers.get(CSRF_HEADER)
    if header is not None and not csrf_matches(signed_in.csrf, header):
        raise CsrfRefused(_REFUSED)
    return signed_in


UploadSession = Annotated[SignedIn, Depends(upload_session)]
FORM_FIELDS = frozenset({CSRF_FIELD, "lead_source"})  # the small fields read before the file; others are ignored
MAX_FIELD_BYTES = 512


class UploadRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class DashboardUpload:
    """A multipart upload read as it arrives: `open()` reads the small fields before the file part (CSRF checked
    there, before anything is staged), `chunks()` then yields the file's bytes. Over `max_bytes` received: 413."""

    def __init__(self, request: Request, *, max_bytes: int) -> None:
        media, options = parse_options_header(request.headers.get("content-type", ""))
        if media.decode("latin-1").lower() != "multipart/form-data":
            raise UploadRefused(415, "Upload the file with the form on the imports page (multipart/form-data).")
        boundary = options.get(b"boundary")
        if not boundary:
            raise UploadRefused(400, "The upload has no multipart boundary.")
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self._max_bytes, self._received = max_bytes, 0
        self._stream = request.stream().__aiter__()
        self._file: list[bytes] = []
        self._name: str | None = None
        self._in_file = self._file_seen = self._ended = False
        self._headers: dict[bytes, bytes] = {}
        self._header, self._value, self._field = b"", b"", bytearray()
        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._begin, "on_header_field": self._on_header, "on_header_value": self._on_value,
            "on_header_end": self._header_end, "on_headers_finished": self._headers_done,
            "on_part_data": self._data, "on_part_end": self._part_end,
        })  # fmt: skip

    def _begin(self) -> None:
        self._headers, self._header, self._value, self._field, self._name = {}, b"", b"", bytearray(), None

    def _on_header(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _on_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header.lower()] = self._value
        self._header, self._value = b"", b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name == "file" and not self._file_seen:
            self._file_seen = self._in_file = True
            filename = options.get(b"filename")
            self.filename = filename.decode("utf-8", "replace")[:255] if filename else None
        elif not self._file_seen and name in FORM_FIELDS:
            self._name = name

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._file.append(bytes(data[start:end]))
        elif self._name is not None:
            self._field += data[start:end]
            if len(self._field) > MAX_FIELD_BYTES:
                raise UploadRefused(400, f"The form field {self._name!r} is too long.")

    def _part_end(self) -> None:
        if self._name is not None:
            self.fields[self._name] = self._field.decode("utf-8", "replace").strip()
        self._in_file, self._name = False, None

    async def _read(self) -> None:
        try:
            chunk = await anext(self._stream)
        except StopAsyncIteration:
            self._ended = True
            self._parser.finalize()
            return
        self._received += len(chunk)
        if self._received > self._max_bytes:
            raise UploadRefused(413, f"The file is too large: an import is at most {self._max_bytes:,} bytes.")
        try:
            self._parser.write(chunk)
        except UploadRefused:
            raise
        except Exception as exc:  # python-multipart's parse errors
            raise UploadRefused(400, f"The upload could not be read: {exc}") from exc

    async def open(self, csrf_ok: Callable[[str | None], bool]) -> None:
        while not self._file_seen and not self._ended:
            await self._read()
        if not csrf_ok(self.fields.get(CSRF_FIELD)):
            raise CsrfRefused(_REFUSED)
        if not self._file_seen:
            raise UploadRefused(400, "Choose a CSV file to upload.")

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self._file:
                data, self._file = b"".join(self._file), []
                yield data
            if self._ended:
                return
            await self._read()


def progress_of(job: dict[str, Any]) -> dict[str, Any]:
    """What the progress bar shows: rows done of rows total, and a whole percentage."""
    total, done = int(job["rows_total"]), int(job["rows_done"])
    ended = job["state"] in ("done", "failed", "cancelled")
    percent = 100 if total == 0 and job["state"] == "done" else (min(100, done * 100 // total) if total else 0)
    return {"max": max(total, 1), "value": min(done, total) if total else int(ended and job["state"] == "done"),
            "percent": percent, "live": not ended}  # fmt: skip


def _summary(job: ImportJob) -> dict[str, Any]:
    body = job.summary()
    return {**body, "progress": progress_of(body)}


@router.get("/app/imports")
async def imports_page(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    cursor = request.query_params.get("cursor") or None
    after: tuple[str, str] | None = None
    try:
        if cursor is not None:
            if len(cursor) > 512:
                raise ValidationFailed("invalid cursor")
            created_at, job_id = decode_cursor(cursor, arity=2)
            after = (str(created_at), str(job_id))
    except ValidationFailed as exc:
        return error_page(request, 400, f"This page of import jobs does not exist: {exc}.")
    jobs = await signed_in.services.import_job_service.page(limit=PAGE_SIZE + 1, after=after)
    shown = jobs[:PAGE_SIZE]
    next_link = None
    if len(jobs) > PAGE_SIZE and shown:
        next_link = f"/app/imports?{urlencode({'cursor': encode_cursor([shown[-1].created_at, shown[-1].id])})}"
    return await page(
        request, "imports.html", title="Imports · Jengu", jobs=[_summary(job) for job in shown],
        next_link=next_link, first_link="/app/imports" if after else None,
        limit_mb=signed_in.services.settings.max_import_bytes // (1024 * 1024),
    )  # fmt: skip


@router.post("/app/imports")
async def upload(request: Request, signed_in: UploadSession) -> Response:
    services = signed_in.services
    limit = services.settings.max_import_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:  # the form's own fields and boundaries
        return error_page(request, 413, f"The file is too large: an import is at most {limit:,} bytes. Split it.")
    try:
        upload = DashboardUpload(request, max_bytes=limit)
        header_checked = CSRF_HEADER in request.headers  # upload_session compared it already
        await upload.open(lambda token: header_checked or csrf_matches(signed_in.csrf, token))
        lead_source = upload.fields.get("lead_source") or LEAD_SOURCE
        if len(lead_source) > 100 or not LEAD_SOURCE_PATTERN.match(lead_source):
            raise UploadRefused(400, "The lead source is up to 100 letters, digits, spaces and . : / - _.")
        job = await services.import_job_service.stage(
            upload.chunks(), lead_source=lead_source,
            actor=signed_in.principal.key_id, filename=lambda: upload.filename, trace_id=services.ids.new_id(),
        )  # fmt: skip
    except UploadRefused as exc:
        return error_page(request, exc.status, exc.message)
    except CsvFormatError as exc:
        status = 415 if getattr(exc, "code", None) == "binary_file" else 400
        return error_page(request, status, f"The file could not be read as CSV: {exc}")
    except QueueError:
        return error_page(request, 503, "The import could not be queued. Please try again in a moment.")
    return RedirectResponse(f"/app/imports/{job.id}", status_code=303, headers={"Cache-Control": "no-store"})


async def _report(request: Request, signed_in: SignedIn, job_id: str) -> dict[str, Any] | HTMLResponse:
    missing = f"There is no import job with the id {job_id[:MAX_ID_CHARS]!r}."
    if len(job_id) > MAX_ID_CHARS:
        return error_page(request, 404, missing)
    try:
        report = await signed_in.services.import_job_service.report(job_id)
    except NotFound:
        return error_page(request, 404, missing)
    return {**report, "progress": progress_of(report)}


@router.get("/app/imports/{job_id}")
async def import_page(request: Request, job_id: str, signed_in: DashboardSession) -> HTMLResponse:
    job = await _report(request, signed_in, job_id)
    if isinstance(job, HTMLResponse):
        return job
    return await page(request, "import.html", title=f"Import {job.get('filename') or job['id']} · Jengu", job=job)


@router.get("/app/imports/{job_id}/progress")
async def import_progress(request: Request, job_id: str, signed_in: DashboardSession) -> HTMLResponse:
    job = await _report(request, signed_in, job_id)
    if isinstance(job, HTMLResponse):
        return job
    return await fragment(request, "_import_job.html", job=job)
