"""`/api/suppressions` end to end (local runtime, real D1): add with normalisation and 409 on a duplicate, the keyset
list and its filters, delete under the admin scope with the override an unsubscribe or complaint needs (logged with
who), the CSV import's report and cap, the one-statement check (address, person, domain and parent domains), and an
enrollment refusing a person who is suppressed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
CSV = {**AUTH, "Content-Type": "text/csv"}


async def add(http: httpx.AsyncClient, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
    return await http.post("/api/suppressions", json=body, headers=headers or AUTH)


async def reader_key(http: httpx.AsyncClient) -> dict[str, str]:
    created = await http.post("/api/keys", headers=AUTH, json={"name": "reader", "scopes": []})
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['key']}"}


async def prospect(http: httpx.AsyncClient, email: str) -> str:
    created = await http.post("/api/prospects", headers=AUTH, json={"email": email, "first_name": "Anna"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@BOTH_D1_BACKENDS
async def test_add_normalises_answers_409_for_a_duplicate_and_the_check_finds_it(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    created = await add(http, kind="email", value=" Anna.Berg@Bücher.Example ", reason="complaint", note="by phone")
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/suppressions/{body['id']}"
    assert (body["kind"], body["value"], body["reason"], body["note"]) == (
        "email", "anna.berg@xn--bcher-kva.example", "complaint", "by phone",
    )  # fmt: skip
    assert body["source"] == "api key bootstrap" and body["created_by"] == "bootstrap"

    again = await add(http, kind="email", value="ANNA.BERG@xn--bcher-kva.example")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_suppression"
    assert again.json()["error"]["details"]["existing"]["id"] == body["id"]
    assert (await http.get(f"/api/suppressions/{body['id']}", headers=AUTH)).json() == body

    domain = await add(http, kind="domain", value="https://www.Chain-Hotels.example/about", reason="policy")
    assert domain.status_code == 201 and domain.json()["value"] == "chain-hotels.example"
    services = bootstrap(runtime.env)
    check = services.suppressions.check
    assert (await check(email="anna.berg@bücher.example", prospect_id=None)).id == body["id"]  # type: ignore[union-attr]
    hit = await check(email="sales@mail.eu.chain-hotels.example", prospect_id=None)  # a subdomain: covered
    assert hit is not None and hit.value == "chain-hotels.example"
    assert await check(email="sales@chain-hotels.example.org", prospect_id=None) is None
    assert await check(email="someone@else.example", prospect_id="0" * 32) is None


async def test_a_person_rule_covers_every_address_and_stops_enrollment(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    prospect_id = await prospect(http, "anna@sonnenhof.example")
    unknown = await add(http, kind="person", value="f" * 32)
    assert unknown.status_code == 422 and "no prospect" in unknown.text
    person = await add(http, kind="person", value=prospect_id.upper(), reason="manual")
    assert person.status_code == 201 and person.json()["value"] == prospect_id
    services = bootstrap(runtime.env)
    assert (await services.suppressions.check(email="new-address@elsewhere.example", prospect_id=prospect_id)) == (
        await services.suppressions.get(person.json()["id"])
    )
    # With only the person's id, their stored address and domain are checked too.
    await add(http, kind="domain", value="sonnenhof.example")
    await http.delete(f"/api/suppressions/{person.json()['id']}", headers=AUTH)
    hit = await services.suppressions.check(email=None, prospect_id=prospect_id)
    assert hit is not None and hit.kind == "domain"
    candidates = await services.enrollments.candidates("c" * 32, [prospect_id])
    assert candidates[0]["suppressed"]


async def test_a_suppressed_person_is_refused_enrollment(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    prospect_id = await prospect(http, "olivia@chester-grand.example")
    services = bootstrap(runtime.env)
    assert not (await services.enrollments.candidates("c" * 32, [prospect_id]))[0]["suppressed"]
    await add(http, kind="person", value=prospect_id)
    assert (await services.enrollments.candidates("c" * 32, [prospect_id]))[0]["suppressed"]


async def test_the_list_pages_newest_first_with_filters(http: httpx.AsyncClient) -> None:
    for i in range(5):
        assert (await add(http, kind="email", value=f"guest{i}@hotel.example")).status_code == 201
    for value in ("hotel.example", "motel.example"):
        assert (await add(http, kind="domain", value=value, reason="policy")).status_code == 201
    first = (await http.get("/api/suppressions?limit=3", headers=AUTH)).json()
    assert [s["value"] for s in first["items"]] == ["motel.example", "hotel.example", "guest4@hotel.example"]
    second = (await http.get(f"/api/suppressions?limit=3&cursor={first['next_cursor']}", headers=AUTH)).json()
    third = (await http.get(f"/api/suppressions?limit=3&cursor={second['next_cursor']}", headers=AUTH)).json()
    assert [s["value"] for s in second["items"] + third["items"]] == [f"guest{i}@hotel.example" for i in (3, 2, 1, 0)]
    assert third["next_cursor"] is None
    domains = (await http.get("/api/suppressions?kind=domain", headers=AUTH)).json()["items"]
    assert [s["value"] for s in domains] == ["motel.example", "hotel.example"]
    policy = (await http.get("/api/suppressions?reason=policy&q=HO", headers=AUTH)).json()["items"]
    assert [s["value"] for s in policy] == ["hotel.example"]
    prefixed = (await http.get("/api/suppressions?q=guest3", headers=AUTH)).json()["items"]
    assert [s["value"] for s in prefixed] == ["guest3@hotel.example"]
    bad = await http.get("/api/suppressions?cursor=forged", headers=AUTH)
    assert bad.status_code == 422
    assert (await http.get("/api/suppressions?kind=phone", headers=AUTH)).status_code == 422


async def test_delete_needs_admin_and_an_override_for_a_persons_objection(
    http: httpx.AsyncClient, runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    manual = (await add(http, kind="email", value="a@hotel.example")).json()
    unsubscribe = (await add(http, kind="email", value="b@hotel.example", reason="unsubscribe")).json()
    reader = await reader_key(http)
    assert (await add(http, reader, kind="email", value="c@hotel.example")).status_code == 201  # any key adds
    refused = await http.delete(f"/api/suppressions/{manual['id']}", headers=reader)
    assert refused.status_code == 403

    assert (await http.delete(f"/api/suppressions/{manual['id']}", headers=AUTH)).status_code == 204
    assert (await http.delete(f"/api/suppressions/{manual['id']}", headers=AUTH)).status_code == 404

    blocked = await http.delete(f"/api/suppressions/{unsubscribe['id']}", headers=AUTH)
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "override_required"
    assert blocked.json()["error"]["details"] == {
        "id": unsubscribe["id"],
        "reason": "unsubscribe",
        "override": "required",
    }
    capsys.readouterr()
    overridden = await http.delete(f"/api/suppressions/{unsubscribe['id']}?override=true", headers=AUTH)
    assert overridden.status_code == 204
    logged = [line for line in capsys.readouterr().out.splitlines() if "removed with an override" in line]
    assert len(logged) == 1 and '"by":"bootstrap"' in logged[0] and '"level":"warning"' in logged[0]
    assert [r["value"] for r in await rows(runtime, "SELECT value FROM suppressions")] == ["c@hotel.example"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "email", "value": "not-an-address"},
        {"kind": "domain", "value": "anna@hotel.example"},
        {"kind": "domain", "value": "10.0.0.1"},
        {"kind": "email", "value": "a@hotel.example", "reason": "because"},
        {"kind": "fax", "value": "a@hotel.example"},
        {"kind": "email", "value": "a@hotel.example", "created_by": "me"},
        {"kind": "email", "value": "a@hotel.example", "note": "x" * 501},
        {"kind": "email"},
    ],
)
async def test_bad_input_is_refused_with_422(http: httpx.AsyncClient, body: dict[str, Any]) -> None:
    refused = await add(http, **body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "validation_failed"


async def test_csv_import_reports_added_existing_and_invalid_rows(http: httpx.AsyncClient) -> None:
    await add(http, kind="email", value="known@hotel.example")
    data = (
        "Email,Reason,Note\n"
        "known@hotel.example,,\n"
        "New@Hotel.example,complaint,from the feedback loop\n"
        "new@hotel.example,,repeated in the file\n"
        "not an address,,\n"
        "x@hotel.example,sometimes,\n"
    )
    report = await http.post("/api/suppressions/import", content=data.encode(), headers=CSV)
    assert report.status_code == 200, report.text
    assert report.json() == {
        "added": 1, "existing": 2, "invalid_total": 2,
        "invalid": [
            {"row": 5, "value": "not an address", "error": "'not an address' is not an email address"},
            {"row": 6, "value": "x@hotel.example", "error": report.json()["invalid"][1]["error"]},
        ],
    }  # fmt: skip
    listed = (await http.get("/api/suppressions?q=new@", headers=AUTH)).json()["items"]
    assert [(s["value"], s["reason"], s["note"], s["source"]) for s in listed] == [
        ("new@hotel.example", "complaint", "from the feedback loop", "csv upload")
    ]

    files = {"file": ("blocklist.csv", b"chain.example\nsolo@inn.example\n", "text/csv")}
    multipart = await http.post("/api/suppressions/import", files=files, headers=AUTH)
    assert multipart.status_code == 200 and multipart.json()["added"] == 2
    sources = (await http.get("/api/suppressions?kind=domain", headers=AUTH)).json()["items"]
    assert [(s["value"], s["reason"], s["source"]) for s in sources] == [
        ("chain.example", "import", "csv blocklist.csv")
    ]


@pytest.mark.parametrize(
    ("content", "headers", "status"),
    [
        (b"", CSV, 400),
        (b"name,company\nAnna,Hotel\n", CSV, 400),
        (b"PK\x03\x04" + b"\x00" * 64, CSV, 415),
        (b"a@hotel.example\n", {**AUTH, "Content-Type": "application/json"}, 415),
        (b"email\n" + b"guest@hotel.example\n" * 120_000, CSV, 413),  # over 2 MiB
    ],
)
async def test_csv_import_refusals(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int
) -> None:
    refused = await http.post("/api/suppressions/import", content=content, headers=headers)
    assert refused.status_code == status, refused.text
    assert "error" in refused.json()


async def test_every_route_needs_a_key(http: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/api/suppressions"), ("POST", "/api/suppressions"),
                         ("DELETE", "/api/suppressions/x"), ("POST", "/api/suppressions/import")]:  # fmt: skip
        assert (await http.request(method, path)).status_code == 401
