"""Time-ordered ids: 32 lowercase hex characters (the IdFactory contract), unique, sorted by creation time."""

from __future__ import annotations

import re
import time

import pytest

from shared.adapters.system import TimeOrderedIds


def test_ids_are_32_hex_unique_and_ordered_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = TimeOrderedIds()
    now = [1_767_600_000_000_000_000]
    monkeypatch.setattr(time, "time_ns", lambda: now[0])
    first = [ids.new_id() for _ in range(1_000)]
    now[0] += 1_000_000  # one millisecond later
    later = [ids.new_id() for _ in range(1_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in first + later)
    assert len(set(first + later)) == 2_000
    assert max(first) < min(later)
    assert first[0][:12] == f"{1_767_600_000_000:012x}"
