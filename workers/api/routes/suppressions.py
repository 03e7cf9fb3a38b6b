"""`/api/suppressions`: who is never mailed. Any key lists (filters kind, reason, a value prefix; keyset cursor) and
adds ({kind, value, reason, note}: 201, or 409 `duplicate_suppression` with the existing rule) and imports a CSV
suppression list (at most 2 MiB, answered with {added, existing, invalid}); deleting needs the admin scope, and an
unsubscribe or complaint needs `?override=true` too (409 `override_required` otherwise; the override is logged)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.auth import AdminServices, AuthorizedServices
from api.errors import ApiError
from api.openapi import csv_upload, error_responses
from api.routes.prospect_csv import MULTIPART_SLACK, SYNC_IMPORT_MAX_BYTES, unreadable_csv
from api.routes.prospects import actor_of
from api.uploads import CsvUpload
from shared.domain.csv_import.errors import CsvFormatError
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.domain.suppressions import Suppression, SuppressionCreate, SuppressionKind, SuppressionReason
from shared.service_layer.suppressions import DuplicateSuppression, OverrideRequired, SuppressionService

router = APIRouter(prefix="/api/suppressions", tags=["suppressions"])

SuppressionId = Annotated[str, Path(min_length=1, max_length=64)]


async def service(services: AuthorizedServices) -> SuppressionService:
    return services.suppressions


async def admin_service(services: AdminServices) -> SuppressionService:
    return services.suppressions


Service = Annotated[SuppressionService, Depends(service)]
AdminService = Annotated[SuppressionService, Depends(admin_service)]


def source_of(request: Request) -> str:
    actor = actor_of(request)
    return f"api key {actor}" if actor else "api"


def _too_large() -> ApiError:
    return ApiError(
        413, f"a suppression list is at most {SYNC_IMPORT_MAX_BYTES:,} bytes: split the file",
        code="payload_too_large", details={"limit_bytes": SYNC_IMPORT_MAX_BYTES},
    )  # fmt: skip


async def _bounded_body(request: Request, upload: CsvUpload) -> list[bytes]:
    """The upload's bytes, refused with 413 past the limit (by Content-Length first), read whole before any write."""
    declared = request.headers.get("content-length", "")
    slack = MULTIPART_SLACK if upload.media_type == "multipart/form-data" else 0
    if declared.isdigit() and int(declared) > SYNC_IMPORT_MAX_BYTES + slack:
        raise _too_large()
    chunks: list[bytes] = []
    received = 0
    async for chunk in upload.chunks():
        received += len(chunk)
        if received > SYNC_IMPORT_MAX_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return chunks


class SuppressionPage(BaseModel):
    items: list[Suppression]
    next_cursor: str | None


class InvalidRow(BaseModel):
    row: int = Field(description="the row as a spreadsheet numbers it (the header is row 1)")
    value: str
    error: str


class ImportReport(BaseModel):
    added: int
    existing: int = Field(description="already suppressed (or repeated in the file)")
    invalid: list[InvalidRow] = Field(description="rows not imported, with why (the first 1,000)")
    invalid_total: int


@router.get("")
async def list_suppressions(
    suppressions: Service,
    kind: SuppressionKind | None = None,
    reason: SuppressionReason | None = None,
    q: Annotated[str | None, Query(max_length=320, description="a prefix of the stored value (lower-case)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> SuppressionPage:
    after = None
    if cursor:
        created_at, suppression_id = decode_cursor(cursor, arity=2)
        after = (str(created_at), str(suppression_id))
    items, last = await suppressions.page(kind=kind, reason=reason, q=q, limit=limit, after=after)
    return SuppressionPage(items=items, next_cursor=encode_cursor(list(last)) if last else None)


@router.post("", status_code=201, responses=error_responses(409))
async def create_suppression(
    body: SuppressionCreate, request: Request, response: Response, suppressions: Service
) -> Suppression:
    try:
        created = await suppressions.create(
            body.kind, body.value, reason=body.reason, source=source_of(request), note=body.note,
            created_by=actor_of(request),
        )  # fmt: skip
    except DuplicateSuppression as exc:
        raise ApiError(409, str(exc), code=exc.code, details=exc.details) from exc
    response.headers["Location"] = f"/api/suppressions/{created.id}"
    return created


@router.get("/{suppression_id}", responses=error_responses(404))
async def get_suppression(suppression_id: SuppressionId, suppressions: Service) -> Suppression:
    return await suppressions.get(suppression_id)


@router.delete("/{suppression_id}", status_code=204, responses=error_responses(403, 404, 409))
async def delete_suppression(
    suppression_id: SuppressionId,
    request: Request,
    suppressions: AdminService,
    override: Annotated[
        bool, Query(description="required to remove an unsubscribe or a complaint (logged with the key)")
    ] = False,
) -> Response:
    try:
        await suppressions.remove(suppression_id, override=override, by=actor_of(request))
    except OverrideRequired as exc:
        raise ApiError(409, str(exc), code=exc.code, details=exc.details) from exc
    return Response(status_code=204)


@router.post(
    "/import",
    summary="Import a suppression list (CSV)",
    description=(
        "A CSV (raw `text/csv` body or multipart field `file`) of at most "
        f"{SYNC_IMPORT_MAX_BYTES:,} bytes: a column `email` or `domain` (aliases: e-mail, email address, website, "
        "...), optional `reason` (default `import`) and `note`; or one address or domain a line without a header."
    ),
    responses={200: {"model": ImportReport, "description": "import report"}},
    openapi_extra=csv_upload(),
)
async def import_suppressions(request: Request, suppressions: Service) -> JSONResponse:
    upload = CsvUpload(request)
    chunks = await _bounded_body(request, upload)
    if not any(chunks):
        raise ApiError(400, "the CSV file is empty", code="bad_request")
    name = upload.filename or "upload"
    try:
        report = await suppressions.import_csv(chunks, source=f"csv {name}"[:200], created_by=actor_of(request))
    except CsvFormatError as exc:
        raise unreadable_csv(exc) from exc
    return JSONResponse(report.as_dict())
