"""The prospects API end to end (local runtime, real D1 adapter): CRUD with ETags, lists, search, bulk, timeline,
and the bad inputs the issue lists — each a clear 4xx that changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
HANNAH = {
    "first_name": "Hannah",
    "last_name": "Fischer",
    "job_title": "Director of Sales",
    "email": "Hannah.Fischer@Sonnenhof-Hotel.example",
    "company_name": "Hotel Sonnenhof",
    "linkedin_url": "https://www.linkedin.com/in/hannah-fischer-sonnenhof",
    "city": "Munich",
    "country": "Germany",
    "tags": ["spa"],
}


async def create(http: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await http.post("/api/prospects", json={**HANNAH, **fields}, headers=AUTH)


@BOTH_D1_BACKENDS
async def test_create_read_patch_delete(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> None:
    created = await create(http)
    assert created.status_code == 201, created.text
    body = created.json()
    pid = body["id"]
    assert created.headers["etag"] == '"v1"'
    assert created.headers["location"] == f"/api/prospects/{pid}"
    assert (body["email"], body["country"], body["timezone"]) == (
        "hannah.fischer@sonnenhof-hotel.example",
        "DE",
        "Europe/Berlin",
    )

    got = await http.get(f"/api/prospects/{pid}", headers=AUTH)
    assert got.status_code == 200 and got.headers["etag"] == '"v1"'

    clock.advance(60)
    patched = await http.patch(
        f"/api/prospects/{pid}", json={"stage": "ready", "job_title": "Owner"}, headers={**AUTH, "If-Match": '"v1"'}
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"v2"'
    assert (patched.json()["stage"], patched.json()["job_title"], patched.json()["version"]) == ("ready", "Owner", 2)

    timeline = (await http.get(f"/api/prospects/{pid}/activities", headers=AUTH)).json()["items"]
    assert [a["type"] for a in timeline] == ["stage_changed", "created"]

    assert (await http.delete(f"/api/prospects/{pid}", headers=AUTH)).status_code == 204
    assert (await http.get(f"/api/prospects/{pid}", headers=AUTH)).status_code == 404
    assert await rows(runtime, "SELECT id FROM activities WHERE prospect_id = ?", pid) == []


async def test_duplicates_are_409_with_the_existing_id(http: httpx.AsyncClient) -> None:
    first = (await create(http)).json()
    for fields in (
        {"email": "HANNAH.fischer@sonnenhof-hotel.example", "linkedin_url": None},
        {"email": None, "linkedin_url": "linkedin.com/in/Hannah-Fischer-Sonnenhof"},
        {"email": None, "linkedin_url": None, "last_name": "FISCHER", "company_name": "The Sonnenhof Hotel"},
    ):
        response = await create(http, **fields)
        assert response.status_code == 409, fields
        error = response.json()["error"]
        assert error["code"] == "conflict"
        assert error["details"]["existing_id"] == first["id"]


async def test_optimistic_locking(http: httpx.AsyncClient) -> None:
    pid = (await create(http)).json()["id"]
    missing = await http.patch(f"/api/prospects/{pid}", json={"city": "Vienna"}, headers=AUTH)
    assert missing.status_code == 428
    first = await http.patch(f"/api/prospects/{pid}", json={"city": "Vienna"}, headers={**AUTH, "If-Match": '"v1"'})
    assert first.status_code == 200
    stale = await http.patch(f"/api/prospects/{pid}", json={"city": "Graz"}, headers={**AUTH, "If-Match": '"v1"'})
    assert stale.status_code == 409
    assert stale.json()["error"]["details"]["current_version"] == 2
    assert (await http.get(f"/api/prospects/{pid}", headers=AUTH)).json()["city"] == "Vienna"
    bad = await http.patch(f"/api/prospects/{pid}", json={"city": "Graz"}, headers={**AUTH, "If-Match": "yes"})
    assert bad.status_code == 422
    stale_delete = await http.delete(f"/api/prospects/{pid}", headers={**AUTH, "If-Match": '"v1"'})
    assert stale_delete.status_code == 409


async def test_invalid_stage_transition_is_422_and_changes_nothing(http: httpx.AsyncClient) -> None:
    pid = (await create(http, stage="contacted")).json()["id"]
    response = await http.patch(f"/api/prospects/{pid}", json={"stage": "new"}, headers={**AUTH, "If-Match": '"v1"'})
    assert response.status_code == 422
    assert "cannot move" in response.json()["error"]["message"]
    assert (await http.get(f"/api/prospects/{pid}", headers=AUTH)).json()["version"] == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"email": "not-an-email"}, 422),
        ({"score": 100}, 422),  # not settable
        ({"country": "Atlantis"}, 422),
        ({"tags": ["ok", ""]}, 422),
        ({"rooms": -1}, 422),
        ({"first_name": "x" * 300}, 422),
        ({"email": None, "linkedin_url": None, "first_name": None, "last_name": None, "company_name": None}, 422),
    ],
)
async def test_bad_bodies_are_422(
    http: httpx.AsyncClient, runtime: LocalRuntime, payload: dict[str, Any], status: int
) -> None:
    response = await create(http, **payload)
    assert response.status_code == status, response.text
    assert await rows(runtime, "SELECT id FROM prospects") == []


async def test_hostile_text_is_stored_as_data(http: httpx.AsyncClient) -> None:
    evil = "Robert'); DROP TABLE prospects;-- <script>alert(1)</script>"
    response = await create(http, first_name=evil, email="bobby@tables.example", linkedin_url=None)
    assert response.status_code == 201
    assert response.json()["first_name"] == evil
    listed = await http.get("/api/prospects", params={"q": "DROP TABLE"}, headers=AUTH)
    assert [p["first_name"] for p in listed.json()["items"]] == [evil]


async def test_wrong_content_type_and_oversized_bodies(http: httpx.AsyncClient) -> None:
    as_text = await http.post(
        "/api/prospects", content=b'{"first_name": "A"}', headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    huge = await http.post(
        "/api/prospects", content=b'{"notes": "' + b"x" * (11 * 1024 * 1024) + b'"}',
        headers={**AUTH, "Content-Type": "application/json"},
    )  # fmt: skip
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"


async def test_unauthenticated_is_401(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/prospects")).status_code == 401
    assert (await http.post("/api/prospects", json=HANNAH)).status_code == 401


async def seed(http: httpx.AsyncClient, n: int) -> list[dict[str, Any]]:
    made = []
    for i in range(n):
        response = await http.post(
            "/api/prospects",
            json={
                "first_name": f"Guest{i}",
                "last_name": "Tester",
                "email": f"guest{i}@hotel{i}.example",
                "company_name": f"Hotel {i}",
                "city": "Florence" if i % 2 else "Munich",
                "country": "IT" if i % 2 else "DE",
                "job_title": "Owner" if i % 3 == 0 else "Clerk",
                "tags": ["odd"] if i % 2 else ["even"],
            },
            headers=AUTH,
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


async def test_list_filters_search_sort_and_cursor(http: httpx.AsyncClient) -> None:
    await seed(http, 12)
    get = lambda **p: http.get("/api/prospects", params=p, headers=AUTH)  # noqa: E731
    assert len((await get(country="Italy", limit=100)).json()["items"]) == 6
    assert len((await get(country="DE,IT", limit=100)).json()["items"]) == 12
    assert len((await get(tag="odd", limit=100)).json()["items"]) == 6
    assert [p["first_name"] for p in (await get(q="guest7")).json()["items"]] == ["Guest7"]
    names = [p["first_name"] for p in (await get(sort="name", limit=100)).json()["items"]]
    assert names == sorted(names, key=str.casefold)
    scores = [p["score"] for p in (await get(sort="-score", limit=100)).json()["items"]]
    assert scores == sorted(scores, reverse=True)
    seen: list[str] = []
    cursor = None
    while True:
        page = (await get(limit=5, **({"cursor": cursor} if cursor else {}))).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 12


@pytest.mark.parametrize(
    "params",
    [{"stage": "bogus"}, {"tier": "lukewarm"}, {"country": "Atlantis"}, {"email_status": "meh"}, {"limit": 0},
     {"limit": 501}, {"limit": -5}, {"cursor": "forged-cursor"}, {"sort": "rooms"}, {"archived": "maybe"},
     {"q": "   ***   "}],
)  # fmt: skip
async def test_bad_list_parameters_are_422(http: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await http.get("/api/prospects", params=params, headers=AUTH)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


async def test_a_cursor_from_another_sort_is_refused(http: httpx.AsyncClient) -> None:
    await seed(http, 3)
    cursor = (await http.get("/api/prospects", params={"limit": 1}, headers=AUTH)).json()["next_cursor"]
    response = await http.get("/api/prospects", params={"limit": 1, "cursor": cursor, "sort": "name"}, headers=AUTH)
    assert response.status_code == 422


async def test_bulk_by_ids_and_by_filter_reports_each_id(http: httpx.AsyncClient) -> None:
    made = await seed(http, 6)
    ids = [p["id"] for p in made[:3]] + ["missing-id"]
    tagged = (
        await http.post("/api/prospects/bulk", json={"action": "tag", "ids": ids, "value": "VIP"}, headers=AUTH)
    ).json()
    assert tagged["counts"] == {"updated": 3, "not_found": 1}
    assert len((await http.get("/api/prospects", params={"tag": "vip"}, headers=AUTH)).json()["items"]) == 3

    contacted = await http.post("/api/prospects/bulk", json={"action": "set_stage", "value": "contacted",
                                                             "filter": {"country": ["IT"]}}, headers=AUTH)  # fmt: skip
    assert contacted.json()["counts"] == {"updated": 3}
    back = await http.post("/api/prospects/bulk", json={"action": "set_stage", "value": "new",
                                                        "filter": {"country": ["IT"]}}, headers=AUTH)  # fmt: skip
    assert back.json()["counts"] == {"invalid_transition": 3}

    archived = await http.post("/api/prospects/bulk", json={"action": "archive", "ids": ids[:2]}, headers=AUTH)
    assert archived.json()["counts"] == {"updated": 2}
    assert len((await http.get("/api/prospects", params={"archived": "true"}, headers=AUTH)).json()["items"]) == 2
    deleted = await http.post("/api/prospects/bulk", json={"action": "delete", "ids": ids}, headers=AUTH)
    assert deleted.json()["counts"] == {"deleted": 3, "not_found": 1}


@pytest.mark.parametrize(
    "body",
    [{"action": "tag", "ids": ["a"]}, {"action": "explode", "ids": ["a"]}, {"action": "archive"},
     {"action": "archive", "ids": ["a"], "filter": {}}, {"action": "set_tier", "ids": ["a"], "value": "lukewarm"}],
)  # fmt: skip
async def test_bad_bulk_requests_are_422(http: httpx.AsyncClient, body: dict[str, Any]) -> None:
    assert (await http.post("/api/prospects/bulk", json=body, headers=AUTH)).status_code == 422


async def test_bulk_stage_change_rescores(http: httpx.AsyncClient) -> None:
    pid = (await create(http)).json()["id"]
    response = await http.post(
        "/api/prospects/bulk", json={"action": "set_stage", "ids": [pid], "value": "won"}, headers=AUTH
    )
    assert response.json()["counts"] == {"updated": 1}
    won = (await http.get(f"/api/prospects/{pid}", headers=AUTH)).json()
    assert (won["stage"], won["tier"]) == ("won", "cold")  # won/lost prospects are never in the hot tier


async def test_delete_with_if_match(http: httpx.AsyncClient) -> None:
    pid = (await create(http)).json()["id"]
    assert (await http.delete(f"/api/prospects/{pid}", headers={**AUTH, "If-Match": '"v9"'})).status_code == 409
    assert (await http.delete(f"/api/prospects/{pid}", headers={**AUTH, "If-Match": '"v1"'})).status_code == 204
    assert (await http.delete(f"/api/prospects/{pid}", headers={**AUTH, "If-Match": '"v1"'})).status_code == 404


async def test_patch_validations(http: httpx.AsyncClient) -> None:
    pid = (await create(http)).json()["id"]
    etag = {**AUTH, "If-Match": '"v1"'}
    bad_tz = await http.patch(f"/api/prospects/{pid}", json={"timezone": "Not/AZone"}, headers=etag)
    assert bad_tz.status_code == 422
    nothing_left = {"email": None, "linkedin_url": None, "first_name": None, "last_name": None, "company_name": None}
    assert (await http.patch(f"/api/prospects/{pid}", json=nothing_left, headers=etag)).status_code == 422
    taken = (await create(http, email="other@hotel.example", linkedin_url=None, company_name="Other")).json()
    clash = await http.patch(f"/api/prospects/{taken['id']}", json={"email": HANNAH["email"]}, headers=etag)
    assert clash.status_code == 409 and clash.json()["error"]["details"]["existing_id"] == pid


async def test_forged_cursors_are_422_not_5xx(http: httpx.AsyncClient) -> None:
    from shared.domain.pagination import encode_cursor

    for forged in (["-score", 10**30, "x"], ["-score", "text", "x"], ["name", 5, "x"], ["-score", 5, ""]):
        sort = forged[0]
        response = await http.get(
            "/api/prospects", params={"cursor": encode_cursor(forged), "sort": sort}, headers=AUTH
        )
        assert response.status_code == 422, (forged, response.text)


async def test_bulk_filter_needs_a_criterion(http: httpx.AsyncClient) -> None:
    await seed(http, 2)
    response = await http.post("/api/prospects/bulk", json={"action": "delete", "filter": {}}, headers=AUTH)
    assert response.status_code == 422
    response = await http.post("/api/prospects/bulk", json={"action": "delete", "filter": {"tag": "x" * 500}},
                               headers=AUTH)  # fmt: skip
    assert response.status_code == 422
    assert len((await http.get("/api/prospects", headers=AUTH)).json()["items"]) == 2
