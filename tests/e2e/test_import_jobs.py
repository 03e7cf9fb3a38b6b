"""Background CSV imports end to end: 202 and Location, slices through the `imports` queue, progress and report,
list and cancel, a redelivered slice and a crash mid-job, bad inputs, and the synchronous route's 413."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import aiosmtplib
import httpx
import pytest

from local.clock import ManualClock
from local.email import InboundSmtpServer
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.domain.import_jobs import chunks
from shared.messages.payloads import ImportSlice
from shared.service_layer import import_jobs
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import envelope, rows
from tests.samples import CSV_SAMPLES
from tests.samples import INTERESTED_REPLY as REPLY

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
CSV = {**AUTH, "Content-Type": "text/csv"}
SAMPLE = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()


def people(n: int, *, start: int = 0, extra: str = "") -> bytes:
    lines = ["email,first_name,last_name,company,job_title\r\n"]
    lines += [f"p{i}@hotel{i}.example,Anna{i},Keller,Hotel {i},{extra}\r\n" for i in range(start, start + n)]
    return "".join(lines).encode()


async def start(http: httpx.AsyncClient, body: bytes, headers: dict[str, str] = CSV) -> httpx.Response:
    return await http.post("/api/imports", content=body, headers=headers)


async def report(http: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/imports/{job_id}", headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


async def count(runtime: LocalRuntime, table: str = "prospects") -> int:
    return int((await rows(runtime, f"SELECT count(*) AS n FROM {table}"))[0]["n"])


@BOTH_D1_BACKENDS
async def test_job_imports_like_the_synchronous_route(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    response = await start(http, SAMPLE)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/imports/{job['id']}"
    assert job["state"] == "queued" and job["rows_done"] == 0
    data_rows = len(list(csv.reader(io.StringIO(SAMPLE.decode())))) - 1
    assert job["rows_total"] == data_rows
    await runtime.drain()
    done = await report(http, job["id"])
    assert done["state"] == "done" and done["finished_at"]
    assert done["rows_done"] == done["rows_total"] == data_rows
    sync = (await http.post("/api/prospects/import", content=SAMPLE, headers=CSV)).json()
    assert sync["created"] == 0 and sync["duplicates"] == data_rows  # the job created exactly what sync would have
    assert done["created"] == await count(runtime)
    assert (done["duplicates"], done["skipped"]) == (1, sync["skipped"])
    assert [e["row"] for e in done["errors"]] == [e["row"] for e in sync["errors"]]
    assert await count(runtime, "import_job_chunks") == 0  # staged chunks are dropped when the job ends


@BOTH_D1_BACKENDS
async def test_many_slices_in_file_duplicates_across_slices_and_progress(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 7)
    body = people(40) + b"P3@HOTEL3.example,Again,Keller,Hotel 3,\r\n"  # row 42 repeats row 5, 5 slices later
    job = (await start(http, body)).json()
    assert job["rows_total"] == 41
    calls = 0
    real = import_jobs.ImportJobService._commit_slice

    async def crash_on_third(self: import_jobs.ImportJobService, *args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("isolate killed mid-slice")
        await real(self, *args)

    monkeypatch.setattr(import_jobs.ImportJobService, "_commit_slice", crash_on_third)
    await runtime.drain()  # two slices commit, the third crashes and is retried later (with back-off)
    midway = await report(http, job["id"])
    assert (midway["state"], midway["rows_done"], midway["created"]) == ("running", 14, 14)
    clock.advance(60)
    await runtime.drain()
    done = await report(http, job["id"])
    assert (done["state"], done["rows_done"], done["created"], done["duplicates"]) == ("done", 41, 40, 1)
    assert await count(runtime) == 40


async def test_a_redelivered_slice_creates_nothing_twice(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 10)
    job = (await start(http, people(25))).json()
    real = import_jobs.ImportJobService._commit_slice
    failed = False

    async def lost_ack(self: import_jobs.ImportJobService, *args: Any) -> None:
        nonlocal failed
        await real(self, *args)
        if not failed:  # committed, but the invocation dies before the ack: the queue delivers it again
            failed = True
            raise RuntimeError("connection reset before ack")

    monkeypatch.setattr(import_jobs.ImportJobService, "_commit_slice", lost_ack)
    await runtime.drain()
    clock.advance(60)
    await runtime.drain()
    assert runtime.env is not None
    for chunk, row in ((0, 0), (1, 0), (2, 0)):  # and stray copies of every slice, after the job is done
        payload = ImportSlice(job_id=job["id"], chunk=chunk, row=row).model_dump()
        await runtime.env.IMPORTS_QUEUE.send(envelope("import.slice", payload, id_=f"copy-{chunk}").encode())
    await runtime.drain()
    done = await report(http, job["id"])
    assert (done["state"], done["created"], done["duplicates"], done["rows_done"]) == ("done", 25, 0, 25)
    assert await count(runtime) == 25
    assert await count(runtime, "activities") == 25


async def test_a_slice_over_the_statement_budget_ends_early_and_the_next_goes_on(
    http: httpx.AsyncClient, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await http.post("/api/prospects/import", content=people(30), headers=CSV)
    monkeypatch.setattr(import_jobs, "SLICE_STATEMENT_BUDGET", 20)  # each fill is 2 statements: ~7 rows a slice
    job = (await start(http, people(30, extra="Owner"))).json()
    await runtime.drain()
    done = await report(http, job["id"])
    assert (done["state"], done["updated"], done["created"], done["rows_done"]) == ("done", 30, 0, 30)
    titles = await rows(runtime, "SELECT DISTINCT job_title FROM prospects")
    assert titles == [{"job_title": "Owner"}]


async def test_cancel_list_and_not_found(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    first = (await start(http, people(3))).json()
    second = (await start(http, people(3, start=10))).json()
    third = (await start(http, people(3, start=20))).json()
    cancelled = await http.delete(f"/api/imports/{second['id']}", headers=AUTH)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    await runtime.drain()
    assert await count(runtime) == 6
    again = await http.delete(f"/api/imports/{second['id']}", headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    done = await http.delete(f"/api/imports/{first['id']}", headers=AUTH)
    assert done.status_code == 409
    for method in ("GET", "DELETE"):
        missing = await http.request(method, "/api/imports/nope", headers=AUTH)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    page = (await http.get("/api/imports", params={"limit": 2}, headers=AUTH)).json()
    rest = (await http.get("/api/imports", params={"limit": 2, "cursor": page["next_cursor"]}, headers=AUTH)).json()
    listed = [j["id"] for j in page["items"] + rest["items"]]
    assert sorted(listed) == sorted([first["id"], second["id"], third["id"]]) and len(set(listed)) == 3
    assert rest["next_cursor"] is None
    bad = await http.get("/api/imports", params={"cursor": "forged"}, headers=AUTH)
    assert bad.status_code == 422 and "error" in bad.json()


@BOTH_D1_BACKENDS
async def test_multipart_upload_streams_the_file_field(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    response = await http.post(
        "/api/imports", data={"note": "x" * 5000}, files={"file": ("leads.csv", SAMPLE, "text/csv")}, headers=AUTH
    )
    assert response.status_code == 202, response.text
    assert response.json()["filename"] == "leads.csv"
    await runtime.drain()
    assert (await report(http, response.json()["id"]))["created"] == await count(runtime) > 0


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00binary-xlsx\x00\x00", CSV, 415),
        (b"", CSV, 400),
        (b"colour,size\nred,big\n", CSV, 400),
        (SAMPLE, {**AUTH, "Content-Type": "application/json"}, 415),
        (SAMPLE, {**AUTH, "Content-Type": "multipart/form-data"}, 400),  # no boundary
        (b"--xx\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhi\r\n--xx--\r\n",
         {**AUTH, "Content-Type": "multipart/form-data; boundary=xx"}, 400),  # no file field
        (b"--xx\r\ngarbage", {**AUTH, "Content-Type": "multipart/form-data; boundary=xx"}, 400),
        (SAMPLE, {"Content-Type": "text/csv"}, 401),
    ],
)  # fmt: skip
async def test_bad_uploads_get_4xx_and_start_no_job(
    http: httpx.AsyncClient, runtime: LocalRuntime, body: bytes, headers: dict[str, str], status: int
) -> None:
    response = await start(http, body, headers)
    assert response.status_code == status, response.text
    assert set(response.json()["error"]) >= {"code", "message", "details", "request_id"}
    await runtime.drain()
    assert await count(runtime) == 0
    assert await count(runtime, "import_jobs WHERE state != 'failed'") == 0


async def test_the_synchronous_route_refuses_large_files_pointing_at_jobs(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    from api.routes.prospect_csv import SYNC_IMPORT_MAX_BYTES

    body = people(SYNC_IMPORT_MAX_BYTES // 50)
    assert len(body) > SYNC_IMPORT_MAX_BYTES
    declared = await http.post("/api/prospects/import", content=body, headers=CSV)

    async def stream() -> Any:
        for start_at in range(0, len(body), 64 * 1024):
            yield body[start_at : start_at + 64 * 1024]

    streamed = await http.post("/api/prospects/import", content=stream(), headers=CSV)  # chunked: no length
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["error"]["details"]["use"] == "/api/imports"
    assert await count(runtime) == 0
    small = await http.post("/api/prospects/import", content=people(5), headers=CSV)
    assert small.status_code == 200 and small.json()["created"] == 5


async def test_the_local_runtime_answers_live_while_a_job_runs(
    http: httpx.AsyncClient, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each slice is its own queue delivery and the local D1 works off the event loop, so requests are served
    between and during slices (before the fix a whole import ran without ever yielding to the loop)."""
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 50)
    job = (await start(http, people(600))).json()
    drain = asyncio.create_task(runtime.drain())
    progress: list[int] = []
    while not drain.done() and len(progress) < 40:  # (under the rate limit)
        assert (await http.get("/live")).status_code == 200
        progress.append((await report(http, job["id"]))["rows_done"])
    await drain
    assert any(0 < done < 600 for done in progress), progress  # answered while the job was under way
    assert (await report(http, job["id"]))["rows_done"] == 600


async def test_inbound_smtp_is_accepted_while_a_job_runs(
    http: httpx.AsyncClient, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 50)
    job = (await start(http, people(600))).json()
    drain = asyncio.create_task(runtime.drain())
    async with InboundSmtpServer(runtime.email, port=0) as server:
        await aiosmtplib.send(
            REPLY, sender="gm@grand-hotel.example",
            recipients=["sales@jengu.test"], hostname="127.0.0.1", port=server.port,
        )  # fmt: skip
    accepted_at = (await report(http, job["id"]))["rows_done"]
    await drain
    assert accepted_at < 600  # the mail was taken while the import was still running
    assert len(await rows(runtime, "SELECT id FROM inbound_messages")) == 1


async def test_a_slice_failing_for_good_fails_its_job(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = (await start(http, people(5))).json()

    async def always(self: import_jobs.ImportJobService, *args: Any) -> None:
        raise RuntimeError("D1 overloaded")

    monkeypatch.setattr(import_jobs.ImportJobService, "_commit_slice", always)
    for _ in range(20):  # every retry (with back-off), then the dead-letter queue
        await runtime.drain()
        wake = runtime.broker.next_due_time() if runtime.broker else None
        if wake is None:
            break
        clock.set(max(wake, clock.now()))
    failed = await report(http, job["id"])
    assert failed["state"] == "failed" and "D1 overloaded" in failed["failure"]
    assert await count(runtime) == 0


async def test_a_job_cancelled_while_its_upload_arrives_stores_and_queues_nothing(
    runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Through the service: the local bridge, like the SDK, hands the Worker a body only once it has all arrived.)"""
    monkeypatch.setattr(chunks, "CHUNK_RECORDS", 5)
    assert runtime.env is not None
    service = bootstrap(runtime.env).import_job_service
    body = people(3_000)
    half = 100 * 1024  # past the 64 KB the decoder sniffs before any row comes out

    async def upload() -> Any:
        yield body[:half]
        [job] = await service.page(limit=5, after=None)
        assert job.state == "staging"
        await service.cancel(job.id)
        yield body[half:]

    job = await service.stage(upload(), lead_source="csv_import", actor=None, filename=lambda: None, trace_id="t")
    assert job.state == "cancelled"
    await runtime.drain()
    assert await count(runtime) == 0
    assert await count(runtime, "import_job_chunks") == 0
