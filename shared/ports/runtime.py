"""Time and identity: injected so tests control them and nothing random happens at import time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class IdFactory(Protocol):
    def new_id(self) -> str:
        """A new unique id (32 lowercase hex characters)."""
        ...
