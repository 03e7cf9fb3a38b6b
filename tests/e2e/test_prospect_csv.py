"""CSV import and export end to end: the sample file, re-import, bad rows, unreadable files, formula injection."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from local.runtime import LocalRuntime
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
CSV = {**AUTH, "Content-Type": "text/csv"}
SAMPLE = (CSV_SAMPLES / "prospects_sample.csv").read_bytes()


async def import_csv(http: httpx.AsyncClient, body: bytes, headers: dict[str, str] = CSV) -> httpx.Response:
    return await http.post("/api/prospects/import", content=body, headers=headers)


@BOTH_D1_BACKENDS
async def test_sample_imports_with_its_duplicate_and_reimport_creates_nothing(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    data_rows = len(list(csv.reader(io.StringIO(SAMPLE.decode())))) - 1
    first = await import_csv(http, SAMPLE)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["duplicates"] == 1  # same person, different casing
    assert report["created"] + report["duplicates"] + report["skipped"] == data_rows
    assert len(await rows(runtime, "SELECT id FROM prospects")) == report["created"]
    again = (await import_csv(http, SAMPLE)).json()
    assert (again["created"], again["updated"], again["duplicates"]) == (0, 0, data_rows)
    timeline = await rows(runtime, "SELECT DISTINCT type FROM activities")
    assert timeline == [{"type": "imported"}]


async def test_reimport_fills_only_empty_fields(http: httpx.AsyncClient) -> None:
    await import_csv(http, b"email,first_name\nanna@hotel.example,Anna\n")
    report = (await import_csv(http, b"email,first_name,job_title\nanna@hotel.example,Annette,Owner\n")).json()
    assert report["updated"] == 1
    [prospect] = (await http.get("/api/prospects", headers=AUTH)).json()["items"]
    assert (prospect["first_name"], prospect["job_title"]) == ("Anna", "Owner")  # a user's value is never overwritten


async def test_semicolons_latin1_and_a_bad_row_do_not_stop_the_rest(http: httpx.AsyncClient) -> None:
    body = "E-mail;Vorname;Nachname;Hotel;Location\r\n" \
           "jorg@hotel-muller.example;Jörg;Müller;Hotel Müller;Wien, Austria\r\n" \
           "not-an-email;;;;\r\n" \
           "zoe@alpen.example;Zoë;Weiß;Alpenhof;Innsbruck, Tirol, Austria\r\n"  # fmt: skip
    report = (await import_csv(http, body.encode("cp1252"))).json()
    assert (report["created"], report["skipped"]) == (2, 1)
    assert report["errors"][0]["row"] == 3
    names = {p["last_name"] for p in (await http.get("/api/prospects", headers=AUTH)).json()["items"]}
    assert names == {"Müller", "Weiß"}


async def test_role_addresses_are_imported_but_never_sendable(http: httpx.AsyncClient) -> None:
    await import_csv(http, b"email,company\ninfo@grand.example,Grand Hotel\n")
    [prospect] = (await http.get("/api/prospects", headers=AUTH)).json()["items"]
    assert prospect["email_is_role"] is True
    assert prospect["tier"] == "cold"


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00binary-xlsx\x00\x00", CSV, 415),
        (b"", CSV, 400),
        (b"colour,size\nred,big\n", CSV, 400),  # no identity column
        (SAMPLE, {**AUTH, "Content-Type": "application/json"}, 415),
        (SAMPLE, {**AUTH, "Content-Type": "image/png"}, 415),
        (SAMPLE, {"Content-Type": "text/csv"}, 401),
    ],
)
async def test_unreadable_or_unauthorised_uploads_change_nothing(
    http: httpx.AsyncClient, runtime: LocalRuntime, body: bytes, headers: dict[str, str], status: int
) -> None:
    response = await import_csv(http, body, headers)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert await rows(runtime, "SELECT id FROM prospects") == []


async def test_multipart_upload(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/prospects/import", files={"file": ("prospects.csv", SAMPLE, "text/csv")}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] > 0


async def test_export_streams_everything_with_formulas_neutralised(http: httpx.AsyncClient) -> None:
    await import_csv(http, SAMPLE)
    evil = {"first_name": "=HYPERLINK(\"http://x\")", "last_name": "+1", "email": "evil@x.example",
            "company_name": "@SUM(A1)", "job_title": "-2"}  # fmt: skip
    assert (await http.post("/api/prospects", json=evil, headers=AUTH)).status_code == 201
    response = await http.get("/api/prospects/export", params={"sort": "name"}, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    total = len((await http.get("/api/prospects", params={"limit": 500}, headers=AUTH)).json()["items"])
    assert len(exported) == total
    [row] = [r for r in exported if r["email"] == "evil@x.example"]
    assert row["first_name"].startswith("'=") and row["last_name"] == "'+1"
    assert row["company_name"] == "'@SUM(A1)" and row["job_title"] == "'-2"


async def test_export_honours_filters(http: httpx.AsyncClient) -> None:
    await import_csv(http, SAMPLE)
    italy = (await http.get("/api/prospects/export", params={"country": "IT"}, headers=AUTH)).content.decode(
        "utf-8-sig"
    )
    countries = {r["country"] for r in csv.DictReader(io.StringIO(italy))}
    assert countries <= {"IT"}
    assert (await http.get("/api/prospects/export", params={"stage": "nope"}, headers=AUTH)).status_code == 422


async def test_property_only_rows_are_recognised_on_reimport(http: httpx.AsyncClient) -> None:
    body = b"First Name,Last Name,Property Name\nJane,Doe,Seaview\n"
    assert (await import_csv(http, body)).json()["created"] == 1
    assert (await import_csv(http, body)).json()["created"] == 0


async def test_an_archived_prospect_is_not_revived_by_a_reimport(http: httpx.AsyncClient) -> None:
    await import_csv(http, b"email,first_name\nanna@hotel.example,Anna\n")
    [prospect] = (await http.get("/api/prospects", headers=AUTH)).json()["items"]
    await http.post("/api/prospects/bulk", json={"action": "archive", "ids": [prospect["id"]]}, headers=AUTH)
    report = (await import_csv(http, b"email,first_name\nanna@hotel.example,Anna\n")).json()
    assert report["created"] == 0
    assert (await http.get("/api/prospects", headers=AUTH)).json()["items"] == []


async def test_a_row_matching_two_prospects_is_an_error_not_a_guess(http: httpx.AsyncClient) -> None:
    await import_csv(http, b"email,linkedin_url\na@hotel.example,\n,https://linkedin.com/in/bee\n")
    report = (await import_csv(http, b"email,linkedin_url\na@hotel.example,https://linkedin.com/in/bee\n")).json()
    assert report["skipped"] == 1
    assert "more than one existing prospect" in report["errors"][0]["message"]


async def test_dropped_values_are_reported_as_warnings(http: httpx.AsyncClient) -> None:
    report = (await import_csv(http, b"email,linkedin_url,rooms\nbad-address,https://linkedin.com/in/x,lots\n")).json()
    assert report["created"] == 1
    assert {w["field"] for w in report["warnings"]} >= {"email"}
