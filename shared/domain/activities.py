"""Timeline entries: everything that happened to a prospect, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Activity(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    prospect_id: str
    type: str
    summary: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    actor: str | None = None
    occurred_at: datetime
