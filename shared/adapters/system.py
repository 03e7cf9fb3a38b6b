"""The real clock and id factory (called at request time only, never at import)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidIds:
    def new_id(self) -> str:
        return uuid.uuid4().hex


class TimeOrderedIds:
    """32 hex characters: 48 bits of milliseconds since the epoch, then 80 random bits. Ids sort by creation time,
    so primary-key inserts land at the end of the index instead of anywhere in it, and drawing one costs no system
    call (uuid4 reads os.urandom every time; here one seed is read on first use, never at import). Ids are not
    secrets (API keys are made elsewhere)."""

    def __init__(self) -> None:
        self._random: Any = None  # a random.Random, seeded on first use

    def new_id(self) -> str:
        if self._random is None:
            import random  # here, not at import: nothing random happens while the Worker starts

            self._random = random.Random(int.from_bytes(os.urandom(16), "big"))
        return f"{time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF:012x}{self._random.getrandbits(80):020x}"
