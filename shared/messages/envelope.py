"""The envelope every queue message travels in: `{id, type, version, trace_id, created_at, payload}`.

Encoded as compact JSON text (no JS-conversion surprises on the way through the Queues binding) and decoded
strictly: anything that is not exactly an envelope raises `MessageDecodeError`, which the consumer dead-letters at
once instead of retrying.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.errors import MessageDecodeError

MAX_MESSAGE_BYTES = 128_000  # Cloudflare Queues message limit (1 KB = 1000 B), metadata included


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    id: str = Field(min_length=1, max_length=64)
    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
    version: int = Field(ge=1)
    trace_id: str = Field(min_length=1, max_length=64)
    created_at: datetime
    payload: dict[str, Any]

    def encode(self) -> str:
        text = self.model_dump_json()
        size = len(text.encode("utf-8"))
        if size > MAX_MESSAGE_BYTES - 1_000:
            raise ValueError(f"envelope {self.type} is too large for a queue message ({size} bytes)")
        return text


def decode(body: object) -> Envelope:
    """Decode a queue message body (JSON text, or an already-parsed dict) into an Envelope."""
    try:
        if isinstance(body, (bytes, bytearray, memoryview)):
            body = bytes(body).decode("utf-8")
        if isinstance(body, str):
            return Envelope.model_validate_json(body, strict=False)
        if isinstance(body, dict):
            return Envelope.model_validate(json.loads(json.dumps(body, default=str)), strict=False)
    except (ValidationError, ValueError, UnicodeDecodeError, TypeError) as exc:
        raise MessageDecodeError(f"not a valid envelope: {_summary(exc)}") from exc
    raise MessageDecodeError(f"not a valid envelope: body of type {type(body).__name__}")


def _summary(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)[:300]
