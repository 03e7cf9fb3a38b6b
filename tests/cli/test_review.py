"""What a person's review of `jengu` found, pinned: an import names its file (the dashboard's imports page shows it)
and lists the warnings of rows it changed; an export of non-Latin names survives characters split across chunks; an
unknown inbox is not_found (not a blank inbox's figures); an unknown reply intent is a usage error; ids in tables stay
whole so they can be copied into the next command."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from local.server import create_dev_app
from tests.cli import TEST_API_KEY, Jengu, cli_runtime

HEADER = "email,first_name,last_name,company_name,country\n"
PEOPLE = [
    ("li@beijing-hotel.example", "李", "小龙", "北京饭店", "CN"),
    ("m.ali@cairo-hotel.example", "محمد", "العلي", "فندق القاهرة", "EG"),
    ("v.ivanov@moskva-hotel.example", "Владимир", "Иванов", "Гостиница Москва", "RU"),
    ("eleni@athens-hotel.example", "Ἐλένη", "Παπαδοπούλου", "Ξενοδοχεῖο Ἀθῆναι", "GR"),
]


class OneByteAtATime(httpx.AsyncBaseTransport):
    """The runtime's answers, their bodies cut into 1-byte chunks (every multi-byte character is split)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()

        async def pieces() -> AsyncIterator[bytes]:
            for i in range(len(body)):
                yield body[i : i + 1]

        return httpx.Response(response.status_code, headers=response.headers, content=pieces())


@pytest.fixture
async def jengu(tmp_path: Path) -> AsyncIterator[Jengu]:
    async with cli_runtime(tmp_path) as runtime:
        yield Jengu(runtime, TEST_API_KEY, tmp_path)


def _leads(tmp_path: Path, name: str, extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(",".join(p) + "\n" for p in PEOPLE) + extra, encoding="utf-8")
    return path


async def test_an_import_names_its_file_and_lists_its_warnings(jengu: Jengu, tmp_path: Path) -> None:
    leads = _leads(tmp_path, "Liste «été» 2026.csv", extra="not-an-email,Ana,Costa,Casa do Rio,PT\n")

    result = await jengu("import", str(leads))

    assert result.code == 0, result.err
    assert "warnings: imported, but changed" in result.out and "'not-an-email' is not a valid email" in result.out
    jobs = await jengu("import", str(leads), "--json")
    assert jobs.json()["filename"] == "Liste «été» 2026.csv" and jobs.json()["warnings_count"] == 1
    assert "warnings: imported" not in jobs.out  # --json stays the API's JSON alone
    assert jengu.runtime is not None
    transport = httpx.ASGITransport(app=create_dev_app(jengu.runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
        listed = await http.get("/api/imports", headers={"Authorization": f"Bearer {TEST_API_KEY}"})
    assert [j["filename"] for j in listed.json()["items"]] == ["Liste «été» 2026.csv"] * 2


async def test_an_export_of_non_latin_names_survives_split_characters(jengu: Jengu, tmp_path: Path) -> None:
    assert (await jengu("import", str(_leads(tmp_path, "world.csv")))).code == 0
    assert jengu.runtime is not None
    jengu.transport = OneByteAtATime(httpx.ASGITransport(app=create_dev_app(jengu.runtime)))

    exported = await jengu("prospects", "export")

    assert exported.code == 0, exported.err
    rows = list(csv.DictReader(exported.out.lstrip("\ufeff").splitlines()))
    assert sorted((r["first_name"], r["company_name"]) for r in rows) == sorted((p[1], p[3]) for p in PEOPLE)
    to_file = tmp_path / "out.csv"
    assert (await jengu("prospects", "export", "-o", str(to_file))).code == 0
    assert to_file.read_bytes().decode("utf-8-sig") == exported.out.lstrip("\ufeff")


async def test_unknown_inbox_and_intent_are_refused(jengu: Jengu) -> None:
    inbox = await jengu("inboxes", "status", "--inbox", "nope")
    assert inbox.code == 1 and inbox.err.strip() == "error: not_found: inbox nope does not exist" and not inbox.out
    intent = await jengu("replies", "--intent", "intrested")
    assert intent.code == 2 and intent.err.startswith("error: usage: unknown --intent intrested; expected one of")
    assert "interested, meeting_request" in intent.err
    everything = await jengu("replies", "--all", "--intent", "hard")  # bounces' own intents go with --all
    assert everything.code == 0 and "0 replies" in everything.out


async def test_ids_in_tables_stay_whole_on_a_wide_enough_console(jengu: Jengu, tmp_path: Path) -> None:
    assert (await jengu("import", str(_leads(tmp_path, "world.csv")))).code == 0
    ids = [p["id"] for p in (await jengu("prospects", "list", "--json")).json()["items"]]
    jengu.env["COLUMNS"] = "110"

    table = await jengu("prospects", "list")

    assert table.code == 0 and len(ids) == len(PEOPLE)
    assert all(any(f"│ {i} │" in line for line in table.out.splitlines()) for i in ids), table.out
