"""What one D1 call of an import job hands to the JS side stays small (decision 0013, "JS strings").

Pyodide 0.28 passes a Python str to JS one character at a time (a V8 rope of ~20-32 bytes a character until D1
reads it) and bytes as one Uint8Array (an Array of byte values once D1's bind() has it): the big values — staged
chunks, the multi-row inserts' JSON — must cross as bytes, and no call may carry more than a budget of them, so a
slice fits a 128 MB isolate whatever the file. Runs the real job service over the local SQLite D1 with every
call's bound values recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from local.d1 import LocalD1, apply_migrations
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.import_jobs import D1ImportJobRepository
from shared.adapters.d1.prospects import D1ProspectRepository
from shared.messages.payloads import ImportSlice
from shared.messages.queues import QueueName
from shared.service_layer.import_jobs import ImportJobService
from tests.fakes import FakeQueuePublisher, FixedClock, SequentialIds, fake_services

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
LARGEST_STR = 64 * 1024  # a str beyond this would be a multi-MB rope on the JS side
CALL_BUDGET = 1_600_000  # bytes of bound values one D1 call (a batch counts once) may carry


class RecordingD1:
    """The local D1, with the bound values of every call (a statement, or a whole batch) recorded."""

    def __init__(self, db: LocalD1) -> None:
        self._db = db
        self.calls: list[list[object]] = []

    def prepare(self, sql: str) -> Any:
        return _Recorded(self, self._db.prepare(sql), [])

    async def batch(self, statements: list[Any]) -> Any:
        self.calls.append([v for s in statements for v in s.values])
        return await self._db.batch([s.inner for s in statements])


class _Recorded:
    def __init__(self, owner: RecordingD1, inner: Any, values: list[object]) -> None:
        self._owner, self.inner, self.values = owner, inner, values

    def bind(self, *values: object) -> _Recorded:
        return _Recorded(self._owner, self.inner.bind(*values), list(values))

    async def all(self) -> Any:
        self._owner.calls.append(self.values)
        return await self.inner.all()

    async def run(self) -> Any:
        self._owner.calls.append(self.values)
        return await self.inner.run()


def wide_file(rows: int) -> bytes:
    """A lead file whose rows are long (notes), so chunks reach their byte cap rather than their row cap."""
    lines = ["email,first_name,last_name,company,notes\r\n"]
    lines += [
        f"p{i}@hotel{i}.example,Zoë{i},Weiß,Hotel {i},{'Meerblick mit Spa und Terrasse. ' * 24}\r\n"
        for i in range(rows)
    ]
    return "".join(lines).encode()


async def pieces(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 256 * 1024):
        yield data[start : start + 256 * 1024]


def size(value: object) -> int:
    return len(value) if isinstance(value, bytes | str) else 8


async def test_staging_and_slices_bind_big_values_as_bytes_within_a_budget_per_call(tmp_path: Path) -> None:
    local = LocalD1(tmp_path / "d1.sqlite")
    try:
        await apply_migrations(local, MIGRATIONS)
        recording = RecordingD1(local)
        db = D1Client(recording)
        publisher = FakeQueuePublisher()
        service = ImportJobService(
            jobs=D1ImportJobRepository(db), prospects=D1ProspectRepository(db), publisher=publisher,
            clock=FixedClock(), ids=SequentialIds(), log=fake_services().log,
        )  # fmt: skip
        data = wide_file(4_000)
        assert len(data) > 2_500_000  # several staging batches and byte-capped chunks
        job = await service.stage(pieces(data), lead_source="t", actor=None, filename=lambda: None, trace_id="t")
        done = 0
        while len(publisher.on(QueueName.IMPORTS)) > done:
            envelope = publisher.on(QueueName.IMPORTS)[done]
            done += 1
            await service.run_slice(ImportSlice.model_validate(envelope.payload), trace_id="t")
        finished = await service.get(job.id)
        assert (finished.state.value, finished.created) == ("done", 4_000)

        largest_call = max(sum(size(v) for v in call) for call in recording.calls)
        largest_str = max((len(v) for call in recording.calls for v in call if isinstance(v, str)), default=0)
        assert largest_str <= LARGEST_STR, largest_str
        assert largest_call <= CALL_BUDGET, largest_call
        assert any(isinstance(v, bytes) and len(v) > LARGEST_STR for call in recording.calls for v in call)
    finally:
        await local.close()
