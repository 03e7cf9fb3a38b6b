"""The dashboard's import jobs through the local runtime, signed in: the upload form (CSRF first, a labelled file
field) stages a multipart CSV into the same job service as `POST /api/imports`; the job's page shows its progress
(a `<progress>` with text, an htmx poll of a fragment while it runs, none once it has ended), its report and its row
errors; the list shows jobs newest first; uploads without the session's token, from another site, of the wrong kind
or too large are refused with a 4xx page before anything is staged."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from local.runtime import LocalRuntime
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.test_dashboard_session import as_session, signed_in
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SAMPLE = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()
LIMIT = 64 * 1024  # MAX_IMPORT_BYTES here: small enough to pass without sending megabytes
BAD_ROW = (
    b"email,first_name,company\r\nanna@alpen.example,Anna,Alpenhof\r\nnot-an-email,,\r\nbo@b.example,Bo,Seehof\r\n"
)


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=warning\nAPI_KEY={TEST_API_KEY}\n"
                    f"MAX_IMPORT_BYTES={LIMIT}\n")  # fmt: skip
    return path


async def upload(
    http: httpx.AsyncClient, token: str, csrf: str | None, body: bytes, *, name: str = "leads.csv", **headers: str
) -> httpx.Response:
    fields = {"csrf": csrf} if csrf is not None else {}
    return await http.post(
        "/app/imports", data=fields, files={"file": (name, body, "text/csv")}, headers=as_session(token, **headers)
    )


async def api_jobs(http: httpx.AsyncClient) -> list[dict[str, object]]:
    response = await http.get("/api/imports", headers=AUTH)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_imports_page_has_an_upload_form_with_the_csrf_token_first(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)
    page = await http.get("/app/imports", headers=as_session(token))
    assert page.status_code == 200 and "No imports yet" in page.text
    form = re.search(r'<form[^>]*action="/app/imports" enctype="multipart/form-data">(.*?)</form>', page.text, re.S)
    assert form and 'method="post"' in page.text
    assert form.group(1).index(f'name="csrf" value="{csrf}"') < form.group(1).index('name="file"')
    assert '<label for="file">' in form.group(1) and '<label for="lead_source">' in form.group(1)


async def test_an_upload_becomes_a_jobs_page_showing_its_progress(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    token, csrf = await signed_in(http)
    response = await upload(http, token, csrf, SAMPLE, name="sample.csv")
    assert response.status_code == 303, response.text
    [job] = await api_jobs(http)
    assert response.headers["location"] == f"/app/imports/{job['id']}"
    assert (job["state"], job["filename"], job["lead_source"]) == ("queued", "sample.csv", "dashboard upload")

    running = (await http.get(response.headers["location"], headers=as_session(token))).text
    assert "<h1>Import sample.csv</h1>" in running and "queued" in running
    assert f'<progress class="import-progress" max="{job["rows_total"]}" value="0"' in running
    assert f"0 of {job['rows_total']} rows (0%)" in running
    assert f'hx-get="/app/imports/{job["id"]}/progress" hx-trigger="every 2s"' in running
    assert "http-equiv" not in running  # no meta refresh: without JavaScript, the Refresh link
    assert f'<a href="/app/imports/{job["id"]}">Refresh</a>' in running
    piece = await http.get(f"/app/imports/{job['id']}/progress", headers=as_session(token, **{"HX-Request": "true"}))
    assert piece.status_code == 200 and piece.text.startswith('<div id="import-job"') and "<html" not in piece.text

    await runtime.drain()
    [done] = await api_jobs(http)
    assert done["state"] == "done" and done["rows_done"] == done["rows_total"]
    finished = (await http.get(f"/app/imports/{job['id']}/progress", headers=as_session(token))).text
    assert "hx-trigger" not in finished and "Refresh</a>" not in finished  # the poll stops once the job has ended
    assert f"{done['rows_total']} of {done['rows_total']} rows (100%)" in finished
    assert f"<dt>Prospects created</dt><dd>{done['created']}</dd>" in finished and done["created"]
    assert f"<dt>Duplicates</dt><dd>{done['duplicates']}</dd>" in finished
    listing = (await http.get("/app/imports", headers=as_session(token))).text
    assert f'<a href="/app/imports/{job["id"]}">sample.csv</a>' in listing and "pill-job-done" in listing
    assert f'value="{done["rows_total"]}"' in listing


async def test_row_errors_are_reported_on_the_jobs_page(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    token, csrf = await signed_in(http)
    response = await http.post(
        "/app/imports", data={"csrf": csrf, "lead_source": "fair 2026"},
        files={"file": ("fair.csv", BAD_ROW, "text/csv")}, headers=as_session(token),
    )  # fmt: skip
    assert response.status_code == 303, response.text
    await runtime.drain()
    report = (await http.get(f"/api{response.headers['location'].removeprefix('/app')}", headers=AUTH)).json()
    assert report["lead_source"] == "fair 2026" and report["errors_count"] == 1
    page = (await http.get(response.headers["location"], headers=as_session(token))).text
    [error] = report["errors"]
    assert "<caption>Row errors</caption>" in page
    assert f'<td class="num">{error["row"]}</td>' in page and str(error["message"]).split("'")[0] in page
    assert "<dt>Row errors</dt><dd>1</dd>" in page


async def test_uploads_without_the_token_or_from_elsewhere_are_refused_before_staging(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)
    for refused in (
        await upload(http, token, None, SAMPLE),
        await upload(http, token, "wrong-token", SAMPLE),
        await upload(http, token, csrf, SAMPLE, Origin="https://evil.example"),
        await upload(http, token, csrf, SAMPLE, **{"Sec-Fetch-Site": "cross-site"}),
        await upload(http, token, csrf, SAMPLE, **{"X-CSRF-Token": "wrong-token"}),
    ):
        assert refused.status_code == 403 and "Error 403" in refused.text, refused.text
    assert await api_jobs(http) == []
    anonymous = await http.post("/app/imports", data={"csrf": csrf}, files={"file": ("a.csv", SAMPLE, "text/csv")})
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    late = await http.post(  # the token after the file: the file would be staged before it is seen, so refused
        "/app/imports", content=_multipart([("file", SAMPLE), ("csrf", csrf.encode())]),
        headers=as_session(token, **{"Content-Type": "multipart/form-data; boundary=XyZ"}),
    )  # fmt: skip
    assert late.status_code == 403
    assert await api_jobs(http) == []


def _multipart(parts: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for name, value in parts:
        filename = b'; filename="x.csv"' if name == "file" else b""
        out += b'--XyZ\r\nContent-Disposition: form-data; name="' + name.encode() + b'"' + filename + b"\r\n\r\n"
        out += value + b"\r\n"
    return out + b"--XyZ--\r\n"


async def test_bad_uploads_and_addresses_are_4xx_pages(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)

    async def post(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> httpx.Response:
        return await http.post("/app/imports", data={"csrf": csrf, **fields}, files=files, headers=as_session(token))

    csv = {"file": ("a.csv", SAMPLE, "text/csv")}
    cases = [
        (await upload(http, token, csrf, b""), 400, "The file is empty"),
        (await http.post("/app/imports", data={"csrf": csrf}, headers=as_session(token)), 415, "multipart/form-data"),
        (await post({}, {"other": ("a.csv", b"x", "text/csv")}), 400, "Choose a CSV file"),
        (await post({"lead_source": "<bad>"}, csv), 400, "lead source"),
        (await upload(http, token, csrf, b"PK\x03\x04\x00\x00binary\x00\x00" * 20, name="sheet.xlsx"), 415, "CSV"),
        (await http.get("/app/imports/no-such-job", headers=as_session(token)), 404, "There is no import job"),
        (await http.get("/app/imports/no-such-job/progress", headers=as_session(token)), 404, "There is no import job"),
        (await http.get("/app/imports/" + "x" * 200, headers=as_session(token)), 404, "There is no import job"),
        (await http.get("/app/imports?cursor=bogus", headers=as_session(token)), 400, "invalid cursor"),
    ]
    for response, status, text in cases:
        assert response.status_code == status, (status, response.text)
        assert response.headers["content-type"].startswith("text/html") and text in response.text, response.text
    assert await api_jobs(http) == []


async def test_a_file_over_the_import_limit_is_a_413_page(http: httpx.AsyncClient) -> None:
    token, csrf = await signed_in(http)

    def rows_of(size: int) -> bytes:
        return SAMPLE + b"".join(b"p%d@hotel.example,Anna,Keller\r\n" % i for i in range(size // 30))

    declared = await upload(http, token, csrf, rows_of(3 * LIMIT))  # refused on its Content-Length
    streamed = await upload(http, token, csrf, rows_of(LIMIT + 4096))  # refused as the bytes pass the limit
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert "Error 413" in response.text and f"at most {LIMIT:,} bytes" in response.text, response.text
    assert all(job["state"] != "queued" for job in await api_jobs(http))
