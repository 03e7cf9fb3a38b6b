"""`jengu import`: upload, job progress as plain lines off a TTY, the summary, the errors CSV and exit 4."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cli import TEST_API_KEY, Jengu, cli_runtime
from tests.samples import CSV_SAMPLES

GOOD = (CSV_SAMPLES / "prospects_sample.csv").read_text(encoding="utf-8")
BAD_ROW = "Nobody,,,,,,,\n"  # no email, no LinkedIn, no name with a company: refused


@pytest.fixture
async def jengu(tmp_path: Path) -> AsyncIterator[Jengu]:
    async with cli_runtime(tmp_path) as runtime:
        yield Jengu(runtime, TEST_API_KEY, tmp_path)


def _file(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_with_row_errors_writes_the_errors_csv_and_exits_4(jengu: Jengu, tmp_path: Path) -> None:
    leads = _file(tmp_path, GOOD + BAD_ROW + BAD_ROW)
    result = await jengu("import", str(leads), "--lead-source", "fair_2026")
    assert result.code == 4, result.err
    errors = list(csv.DictReader((tmp_path / "leads.csv.errors.csv").read_text(encoding="utf-8").splitlines()))
    last_row = len(GOOD.splitlines()) + 2  # the header is line 1
    assert [int(e["row"]) for e in errors] == [last_row - 1, last_row]
    assert all("no valid email" in e["message"] for e in errors)
    assert f"2 row errors written to {tmp_path / 'leads.csv.errors.csv'}" in result.err
    assert re.search(r"│ errors\s+│ 2\s+│", result.out), result.out
    listed = await jengu("prospects", "list", "--json")
    items = listed.json()["items"]
    assert items and {p["lead_source"] for p in items} == {"fair_2026"}


async def test_clean_import_exits_0_and_removes_a_stale_errors_file(jengu: Jengu, tmp_path: Path) -> None:
    leads = _file(tmp_path, GOOD)
    (tmp_path / "leads.csv.errors.csv").write_text("row,field,message\n1,,old\n")
    result = await jengu("import", str(leads), "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["state"] == "done" and report["errors_count"] == 0
    assert report["created"] == len(GOOD.splitlines()) - 1 - report["duplicates"] - report["skipped"]
    assert not (tmp_path / "leads.csv.errors.csv").exists()


async def test_progress_off_a_tty_is_plain_periodic_lines(jengu: Jengu, tmp_path: Path) -> None:
    header, *rows = GOOD.splitlines()
    many = "\n".join([header, *(r.replace("@", f"+{i}@", 1) for i in range(40) for r in rows)]) + "\n"
    leads = _file(tmp_path, many)
    result = await jengu("import", str(leads), "--interval", "0.5")
    assert result.code in (0, 4), result.err
    lines = result.err.splitlines()
    assert not any("\x1b" in line or "\r" in line for line in lines), "no control characters off a TTY"
    assert re.fullmatch(r"upload: \d+\.\d KiB/\d+\.\d KiB \(100%\)", next(x for x in lines if x.startswith("upload")))
    progress = [line for line in lines if line.startswith("import: ")]
    assert progress, result.err
    last = re.fullmatch(r"import: (\d+)/(\d+) rows \(100%\)(, (\d+) rows/s)?", progress[-1])
    assert last and last[1] == last[2]
    assert "\x1b" not in result.out


async def test_an_unreadable_file_is_a_usage_error(jengu: Jengu, tmp_path: Path) -> None:
    result = await jengu("import", str(tmp_path / "missing.csv"))
    assert result.code == 2
    assert result.err.startswith("error: bad_file: ") and result.err.count("\n") == 1


async def test_a_binary_file_is_the_apis_error_line(jengu: Jengu, tmp_path: Path) -> None:
    sheet = tmp_path / "leads.xlsx"
    sheet.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    result = await jengu("import", str(sheet))
    assert result.code == 1
    assert result.err.splitlines()[-1].startswith("error: unreadable_csv: This is not a CSV text file")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_live_bar_and_a_pipe_never_does() -> None:
    from cli.output import Output

    clock = iter(float(t) for t in range(100))
    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        bar = Output(err=stream, env={}, clock=lambda: next(clock)).progress("import", "rows")
        for done, total in ((0, None), (10, 100), (100, 100)):
            bar.update(done, total)
        bar.close()
    assert "\x1b[" in tty.getvalue() and "import" in tty.getvalue()
    assert "\x1b" not in pipe.getvalue() and pipe.getvalue().splitlines()[-1].startswith("import: 100/100 rows (100%)")
