"""The API's HTTP rules end to end through the local runtime (decision 0014): `If-Match: *`, security headers, no
redirect built from the Host header, 405 with every allowed method, bodies refused before they are read, bad
framing answered with 4xx, and an OpenAPI document that declares what the routes answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from workers import Request as WorkerRequest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from tests.e2e.conftest import ROOT, TEST_API_KEY

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
MAX_BODY = 4096
HOTEL = {"first_name": "Ines", "last_name": "Moreau", "company_name": "Hôtel du Lac", "email": "ines@lac.example"}


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock, dev_vars: Path, d1_backend: str) -> AsyncIterator[LocalRuntime]:
    rt = LocalRuntime(
        ROOT, state_dir=tmp_path / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=0, d1_backend=d1_backend,
        extra_vars={"MAX_BODY_BYTES": str(MAX_BODY)},
    )  # fmt: skip
    await rt.start(migrate=True)
    try:
        yield rt
    finally:
        await rt.close()


async def created(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await http.post("/api/prospects", json={**HOTEL, **fields}, headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


# -- If-Match ------------------------------------------------------------------------------------------------------


async def test_if_match_star_matches_whatever_version_is_current(http: httpx.AsyncClient) -> None:
    pid = (await created(http))["id"]
    first = await http.patch(f"/api/prospects/{pid}", json={"job_title": "GM"}, headers={**AUTH, "If-Match": "*"})
    assert first.status_code == 200 and first.headers["etag"] == '"v2"'
    second = await http.patch(f"/api/prospects/{pid}", json={"job_title": "Owner"}, headers={**AUTH, "If-Match": "*"})
    assert second.status_code == 200 and second.json()["job_title"] == "Owner" and second.headers["etag"] == '"v3"'

    stale = await http.patch(f"/api/prospects/{pid}", json={"job_title": "x"}, headers={**AUTH, "If-Match": '"v2"'})
    assert stale.status_code == 409 and stale.json()["error"]["details"] == {"current_version": 3}

    deleted = await http.delete(f"/api/prospects/{pid}", headers={**AUTH, "If-Match": "*"})
    assert deleted.status_code == 204
    again = await http.patch(f"/api/prospects/{pid}", json={"job_title": "x"}, headers={**AUTH, "If-Match": "*"})
    assert again.status_code == 404  # `*` matches a current representation; there is none


@pytest.mark.parametrize("value", ["v1", '"v1', "W/v1", '"v1", "v2"', "**", '"v99999999999"', "null"])
async def test_a_malformed_if_match_is_422_and_changes_nothing(http: httpx.AsyncClient, value: str) -> None:
    pid = (await created(http))["id"]
    response = await http.patch(f"/api/prospects/{pid}", json={"job_title": "x"}, headers={**AUTH, "If-Match": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "header.if-match"
    assert (await http.get(f"/api/prospects/{pid}", headers=AUTH)).json()["version"] == 1


async def test_a_patch_without_if_match_is_428(http: httpx.AsyncClient) -> None:
    pid = (await created(http))["id"]
    response = await http.patch(f"/api/prospects/{pid}", json={"job_title": "x"}, headers=AUTH)
    assert response.status_code == 428 and response.json()["error"]["code"] == "precondition_required"


# -- headers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "auth", "status"),
    [
        ("GET", "/api/prospects", True, 200),
        ("GET", "/api/prospects", False, 401),
        ("GET", "/api/nothing-here", True, 404),
        ("GET", "/live", False, 200),
        ("DELETE", "/api/prospects", True, 405),
    ],
)
async def test_api_answers_are_nosniff_no_store_and_unframeable(
    http: httpx.AsyncClient, method: str, path: str, auth: bool, status: int
) -> None:
    response = await http.request(method, path, headers=AUTH if auth else {})
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_docs_page_cannot_be_framed(http: httpx.AsyncClient) -> None:
    docs = await http.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert docs.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in docs.headers.get("cache-control", "")  # public, cacheable


async def test_the_csv_export_is_not_sniffed_or_stored(http: httpx.AsyncClient) -> None:
    await created(http)
    export = await http.get("/api/prospects/export", headers=AUTH)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["x-content-type-options"] == "nosniff" and export.headers["cache-control"] == "no-store"


async def test_no_redirect_is_built_from_the_host_header(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/prospects/", headers={**AUTH, "Host": "evil.example"})
    assert response.status_code == 404 and "location" not in response.headers
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/prospects", "GET, POST"),
        ("PUT", "/api/prospects/abc", "DELETE, GET, PATCH"),
        ("POST", "/api/prospects/abc", "DELETE, GET, PATCH"),
        ("PUT", "/api/prospects/bulk", "POST"),
        ("DELETE", "/api/prospects/export", "GET"),
        ("QUERY", "/api/keys", "GET, POST"),
    ],
)
async def test_a_405_lists_every_method_of_the_resource(
    http: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await http.request(method, path, headers=AUTH)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


# -- bodies --------------------------------------------------------------------------------------------------------


class UnreadableRequest(WorkerRequest):
    """A request whose body must not be read: the test fails if anything asks for it."""

    async def bytes(self) -> bytes:
        raise AssertionError("the body was read")


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(runtime: LocalRuntime) -> None:
    request = UnreadableRequest(
        "http://127.0.0.1:8787/api/keys", "POST",
        [("Authorization", AUTH["Authorization"]), ("Content-Type", "application/json"),
         ("Content-Length", str(MAX_BODY + 1)), ("X-Request-Id", "e2e-too-large-1")],
        b"",
    )  # fmt: skip
    response: Any = await runtime.fetch(request)
    assert response.status == 413
    headers = dict(response.header_list)
    assert headers["x-request-id"] == "e2e-too-large-1" and headers["x-content-type-options"] == "nosniff"
    assert json.loads(response.body)["error"] == {
        "code": "payload_too_large",
        "message": f"request body is larger than {MAX_BODY} bytes",
        "details": {"limit_bytes": MAX_BODY},
        "request_id": "e2e-too-large-1",
    }


async def test_a_body_without_content_length_is_bounded_while_streaming(http: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = await http.post("/api/keys", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["details"] == {"limit_bytes": MAX_BODY}
    assert (await http.get("/api/keys", headers=AUTH)).json()["items"] == []


@pytest.mark.parametrize("length", ["²", "١٢", "12a", "-1", "9" * 5000])
async def test_a_malformed_content_length_is_a_4xx(http: httpx.AsyncClient, length: str) -> None:
    response = await http.post(
        "/api/keys", content=b'{"name": "x"}',
        headers={**AUTH, "Content-Type": "application/json", "Content-Length": length.encode()},
    )  # fmt: skip
    assert response.status_code in (400, 413), response.text
    assert response.json()["error"]["code"] in ("bad_request", "payload_too_large")


@pytest.mark.parametrize(
    "path",
    ["/api/prospects/%F0%9F%8F%A8", "/api/prospects/%E2%80%AE", "/api/prospects/%00", "/api/prospects/a%0Ab",
     "/api/prospects/%FF%FE"],
)  # fmt: skip
async def test_odd_path_parameters_are_404_not_500(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path, headers=AUTH)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "params",
    [{"cursor": "not-a-cursor"}, {"cursor": "A" * 600}, {"limit": "9" * 40}, {"limit": "0"}, {"q": "!!!"},
     {"stage": "nope"}, {"cursor": "\x00"}],
)  # fmt: skip
async def test_bad_list_parameters_are_422(http: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await http.get("/api/prospects", params=params, headers=AUTH)
    assert response.status_code == 422, response.text


# -- the document --------------------------------------------------------------------------------------------------


async def test_the_document_declares_what_routes_answer(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    patch = spec["paths"]["/api/prospects/{prospect_id}"]["patch"]
    assert {"200", "400", "401", "404", "409", "413", "415", "422", "428", "429"} <= set(patch["responses"])
    if_match = next(p for p in patch["parameters"] if p["name"] == "if-match")
    assert if_match["required"] is True and "*" in if_match["schema"]["pattern"]
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    assert patch["responses"]["422"]["content"]["application/json"]["schema"] == error_ref
    assert "Retry-After" in patch["responses"]["429"]["headers"]
    keys = spec["paths"]["/api/keys"]["post"]["responses"]
    assert {"401", "403", "413", "415", "422", "429"} <= set(keys)
    export = spec["paths"]["/api/prospects/export"]["get"]["responses"]["200"]["content"]
    assert list(export) == ["text/csv"]
    upload = spec["paths"]["/api/prospects/import"]["post"]["requestBody"]["content"]
    assert {"text/csv", "multipart/form-data"} <= set(upload)
    bulk = spec["components"]["schemas"]["BulkRequest"]
    assert bulk["oneOf"] == [{"required": ["ids"]}, {"required": ["filter"]}]
    assert "HTTPValidationError" not in spec["components"]["schemas"]


@pytest.mark.parametrize(
    "bulk_filter",
    [
        {"stage": []},
        {"tag": " "},
        {"tag": "\x1c"},
        {"country": [" "]},
        {"q": "!!"},
        {"stage": None},
        {"archived": "all"},
    ],
)
async def test_a_bulk_filter_without_a_real_criterion_matches_nothing(
    http: httpx.AsyncClient, bulk_filter: dict[str, Any]
) -> None:
    pid = (await created(http))["id"]
    response = await http.post("/api/prospects/bulk", json={"action": "delete", "filter": bulk_filter}, headers=AUTH)
    assert response.status_code == 422, response.text
    assert (await http.get(f"/api/prospects/{pid}", headers=AUTH)).status_code == 200
