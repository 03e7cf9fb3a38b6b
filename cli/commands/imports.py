"""`jengu import FILE`: upload a CSV as a background import job, follow it to the end, report it.

The file is streamed to `POST /api/imports` (an upload bar), then `GET /api/imports/{id}` is polled (a bar with
rows/s and ETA) until the job ends; then a summary table, and the row errors in `<file>.errors.csv` beside it.
Exit 0 when every row went in, 4 when some rows were refused, 1 when the job failed or was cancelled.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.client import EXIT_API, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, CliError
from cli.commands import IntervalOpt, JsonOpt, session
from cli.output import Output, Reporter, size

HELP = (
    "Import a CSV file of prospects as a background job: upload, live progress (rows/s, ETA), a summary, and the "
    "row errors written to FILE.errors.csv. Exit 4 when some rows were refused."
)
CHUNK = 256 * 1024
LIVE = ("staging", "queued", "running")


def errors_path(file: Path) -> Path:
    return file.with_name(file.name + ".errors.csv")


WARNINGS_SHOWN = 20


def multipart_frame(filename: str, boundary: str) -> tuple[bytes, bytes]:
    """What goes before and after the file's bytes in a multipart body whose one part is `file`, named `filename`
    (so the job, and the dashboard's imports page, say which file it was); `boundary` is random per upload."""
    name = "".join(c for c in filename if c not in '"\\\r\n')[:255] or "upload.csv"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n")  # fmt: skip
    return head.encode("utf-8"), f"\r\n--{boundary}--\r\n".encode()


async def _chunks(file: Path, reporter: Reporter, total: int, frame: tuple[bytes, bytes]) -> AsyncIterator[bytes]:
    sent = 0
    yield frame[0]
    with file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sent += len(chunk)
            reporter.update(sent, total)
            yield chunk
    yield frame[1]
    reporter.close()


def write_errors(path: Path, report: dict[str, Any]) -> int:
    rows = report.get("errors") or []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "message"])
        for issue in rows:
            writer.writerow([issue.get("row"), issue.get("field") or "", issue.get("message")])
    return len(rows)


def _summary(out: Output, report: dict[str, Any]) -> None:
    out.fields(
        [("job", report["id"]), ("state", report["state"]),
         ("rows", f"{report['rows_done']}/{report['rows_total']}"), ("created", report["created"]),
         ("updated", report["updated"]), ("duplicates", report["duplicates"]), ("skipped", report["skipped"]),
         ("errors", report["errors_count"]), ("warnings", report["warnings_count"]),
         *([("failure", report["failure"])] if report.get("failure") else [])],
        title="import",
    )  # fmt: skip


def file_size(file: Path) -> int:
    try:
        if not file.is_file():
            raise CliError("bad_file", f"{file} is not a file", EXIT_USAGE)
        return file.stat().st_size
    except OSError as exc:
        raise CliError("bad_file", f"cannot read {file}: {exc.strerror or exc}", EXIT_USAGE) from exc


async def run_import(ctx: typer.Context, file: Path, lead_source: str | None, json_mode: bool, interval: float) -> int:
    s = session(ctx)
    out = s.output(json_mode)
    total = file_size(file)
    async with s.client() as client:
        upload = out.progress("upload", "", formatter=size, every_s=interval * 2)
        boundary = f"jengu-cli-{secrets.token_hex(16)}"
        frame = multipart_frame(file.name, boundary)
        job = await client.json(
            "POST", "/api/imports", content=_chunks(file, upload, total, frame), params={"lead_source": lead_source},
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Content-Length": str(total + len(frame[0]) + len(frame[1]))},
        )  # fmt: skip
        upload.close()
        out.note(f"import job {job['id']} {job['state']}: {job['rows_total']} rows")
        rows = out.progress("import", "rows", every_s=interval * 2)
        report = job
        while True:
            report = await client.get(f"/api/imports/{job['id']}")
            rows.update(report["rows_done"], report["rows_total"] or None)
            if report["state"] not in LIVE:
                break
            await s.sleep(interval)
        rows.close()
    written = write_errors(errors_path(file), report) if report.get("errors") else 0
    if not written:
        errors_path(file).unlink(missing_ok=True)  # a previous run's errors no longer describe this file
    out.result(report, lambda: _summary(out, report))
    warnings = report.get("warnings") or []
    if warnings and not json_mode:
        listed = [[w.get("row"), w.get("field"), w.get("message")] for w in warnings[:WARNINGS_SHOWN]]
        more = f" (the first {WARNINGS_SHOWN} of {len(warnings)})" if len(warnings) > WARNINGS_SHOWN else ""
        out.table(("row", "field", "warning"), listed, title=f"warnings: imported, but changed{more}")
    if written:
        more = " (the first ones: the API reports at most 1,000)" if report.get("errors_truncated") else ""
        out.note(f"{written} row errors written to {errors_path(file)}{more}")
    if report["state"] != "done":
        raise CliError(f"import_{report['state']}", report.get("failure") or f"the import job {report['state']}",
                       EXIT_API)  # fmt: skip
    return EXIT_PARTIAL if report["errors_count"] else EXIT_OK


async def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CSV file.", dir_okay=False)],
    lead_source: Annotated[str | None, typer.Option("--lead-source", help="Recorded on each prospect.")] = None,
    json_: JsonOpt = False,
    interval: IntervalOpt = 1.0,
) -> int:
    return await run_import(ctx, file, lead_source, json_, interval)
