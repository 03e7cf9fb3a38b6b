"""Enrollment through the API: by ids with refusals per reason, by filter as a job in slices (and a redelivered
slice), the legal basis a consent-country prospect needs, pause/resume/stop, and bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.messages.payloads import EnrollmentSlice
from shared.service_layer.enrollment import jobs
from shared.service_layer.enrollment.enroll import SLICE_SIZE
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
STEP = {"kind": "template", "variants": [{"key": "A", "subject": "Hi {{ first_name }}", "body": "Hello there."}]}


def people(n: int, country: str = "United Kingdom", start: int = 0) -> bytes:
    lines = ["email,first_name,last_name,company,location\r\n"]
    lines += [
        f'p{i}@hotel{i}.example,Anna{i},Keller,Hotel {i},"London, {country}"\r\n' for i in range(start, start + n)
    ]
    return "".join(lines).encode()


async def import_people(http: httpx.AsyncClient, body: bytes) -> None:
    response = await http.post("/api/prospects/import", content=body, headers={**AUTH, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text


async def campaign(http: httpx.AsyncClient, steps: list[dict[str, Any]] | None = None) -> str:
    response = await http.post(
        "/api/campaigns", headers=AUTH, json={"name": "c", "steps": [STEP] if steps is None else steps}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def ids(http: httpx.AsyncClient, **query: str) -> list[str]:
    params = {"limit": "500", **query}
    return [p["id"] for p in (await http.get("/api/prospects", params=params, headers=AUTH)).json()["items"]]


@BOTH_D1_BACKENDS
async def test_by_ids_counts_refusals_and_never_enrolls_twice(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await import_people(
        http, people(3) + people(2, "Germany", start=3)[len(b"email,first_name,last_name,company,location\r\n") :]
    )
    cid = await campaign(http)
    everyone = await ids(http)
    first = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": [*everyone, "nope"]})
    assert first.status_code == 200, first.text
    assert first.json()["enrolled"] == 3
    assert first.json()["refused"] == {"country_policy": 2, "not_found": 1}
    assert first.json()["examples"]["not_found"] == ["nope"]
    again = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": everyone})
    assert again.json()["enrolled"] == 0 and again.json()["refused"]["already_enrolled"] == 3
    other = await campaign(http)
    elsewhere = await http.post(f"/api/campaigns/{other}/enrollments", headers=AUTH, json={"ids": everyone})
    assert elsewhere.json()["refused"].get("active_in_another_campaign") == 3


async def test_a_recorded_consent_lets_a_german_prospect_in(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await import_people(http, people(1, "Germany"))
    cid = await campaign(http)
    [pid] = await ids(http)
    refused = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": [pid]})
    assert refused.json()["refused"] == {"country_policy": 1}
    basis = await http.put(f"/api/prospects/{pid}/legal-basis", headers=AUTH,
                           json={"basis": "consent", "source": "trade fair form 2026-11"})  # fmt: skip
    assert basis.status_code == 200, basis.text
    assert (await http.put("/api/prospects/missing/legal-basis", headers=AUTH, json={"basis": None})).status_code == 404
    enrolled = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": [pid]})
    assert enrolled.json()["enrolled"] == 1
    policy = await http.get("/api/country-policy", headers=AUTH)
    assert policy.json()["rules"]["DE"] == "consent" and policy.json()["rules"]["*"] == "basis"


async def test_by_filter_runs_as_a_job_in_slices(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    total = 2 * SLICE_SIZE + 37
    await import_people(http, people(total))
    cid = await campaign(http)
    started = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"filter": {"country": ["GB"]}})
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/enrollment-jobs/{job['id']}" and job["state"] == "queued"
    await runtime.drain()
    done = (await http.get(f"/api/enrollment-jobs/{job['id']}", headers=AUTH)).json()
    assert done["state"] == "done" and done["matched"] == total and done["enrolled"] == total, done
    assert done["slices"] == 3
    # A slice delivered again after it counted changes nothing.
    services = bootstrap(runtime.env)
    await jobs.run_slice(EnrollmentSlice(job_id=job["id"], slice=0), services, trace_id="t")
    again = (await http.get(f"/api/enrollment-jobs/{job['id']}", headers=AUTH)).json()
    assert again["enrolled"] == total and again["slices"] == 3
    count = (await rows(runtime, "SELECT count(*) AS n FROM enrollments WHERE campaign_id = ?", cid))[0]["n"]
    assert count == total
    listed = await http.get(f"/api/campaigns/{cid}/enrollments", params={"limit": "500"}, headers=AUTH)
    page = listed.json()
    assert len(page["items"]) == 500 and page["counts"] == {"active": total}
    following = await http.get(
        f"/api/campaigns/{cid}/enrollments", params={"cursor": page["next_cursor"]}, headers=AUTH
    )
    assert following.status_code == 200 and following.json()["items"][0]["id"] > page["items"][-1]["id"]


async def test_an_empty_filter_match_finishes_with_nothing(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    cid = await campaign(http)
    started = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"filter": {"country": ["JP"]}})
    assert started.status_code == 202
    await runtime.drain()
    done = (await http.get(f"/api/enrollment-jobs/{started.json()['id']}", headers=AUTH)).json()
    assert done["state"] == "done" and done["matched"] == 0 and done["enrolled"] == 0


async def test_pause_resume_stop(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await import_people(http, people(1))
    cid = await campaign(http)
    await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": await ids(http)})
    [enrollment] = (await http.get(f"/api/campaigns/{cid}/enrollments", headers=AUTH)).json()["items"]
    eid = enrollment["id"]
    paused = await http.post(f"/api/enrollments/{eid}/pause", headers=AUTH,
                             json={"reason": "out of office", "resume_at": "2026-01-20T09:00:00Z"})  # fmt: skip
    assert paused.status_code == 200 and paused.json()["status"] == "paused", paused.text
    assert paused.json()["resume_at"].startswith("2026-01-20")
    assert (await http.post(f"/api/enrollments/{eid}/pause", headers=AUTH, json={})).status_code == 409
    resumed = await http.post(f"/api/enrollments/{eid}/resume", headers=AUTH)
    assert resumed.json()["status"] == "active" and resumed.json()["next_due_at"]
    stopped = await http.post(f"/api/enrollments/{eid}/stop", headers=AUTH, json={"reason": "asked by phone"})
    assert stopped.json()["status"] == "stopped" and stopped.json()["stop_reason"] == "asked by phone"
    assert (await http.post(f"/api/enrollments/{eid}/resume", headers=AUTH)).status_code == 409
    assert (await http.post(f"/api/enrollments/{eid}/stop", headers=AUTH, json={})).status_code == 409


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": []}, {"ids": ["a"], "filter": {"country": ["GB"]}}, {"filter": {}}, {"filter": {"archived": "all"}},
     {"ids": ["x"] * 1001}, {"filter": None}, {"ids": [""]}],
)  # fmt: skip
async def test_bad_enrollment_requests_are_4xx(http: httpx.AsyncClient, body: dict[str, Any]) -> None:
    cid = await campaign(http)
    response = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"]


async def test_campaigns_that_cannot_take_enrollments(http: httpx.AsyncClient) -> None:
    assert (await http.post("/api/campaigns/nope/enrollments", headers=AUTH, json={"ids": ["a"]})).status_code == 404
    empty = await campaign(http, steps=[])
    no_steps = await http.post(f"/api/campaigns/{empty}/enrollments", headers=AUTH, json={"ids": ["a"]})
    assert no_steps.status_code == 422 and no_steps.json()["error"]["details"]["reason"] == "no_steps"
    cid = await campaign(http)
    assert (await http.post(f"/api/campaigns/{cid}/archive", headers=AUTH)).status_code == 200
    closed = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"filter": {"country": ["GB"]}})
    assert closed.status_code == 409 and closed.json()["error"]["details"]["reason"] == "campaign_closed"
    assert (await http.get("/api/enrollments/nope", headers=AUTH)).status_code == 404
    assert (await http.get("/api/enrollment-jobs/nope", headers=AUTH)).status_code == 404
