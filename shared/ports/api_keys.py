"""Storage of API keys (hashed; the plaintext is never stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from shared.domain.api_keys import ApiKey


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey, key_hash: str) -> None: ...

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this SHA-256 hash, revoked or not."""
        ...

    async def get(self, key_id: str) -> ApiKey | None: ...

    async def list(self) -> list[ApiKey]:
        """Every key, newest first (revoked ones included)."""
        ...

    async def revoke(self, key_id: str, at: datetime) -> bool:
        """False when the key does not exist or is already revoked."""
        ...

    async def touch(self, key_id: str, at: datetime, *, not_since: datetime) -> None:
        """Set last_used_at = `at` unless it is already later than `not_since` (a conditional, idempotent write)."""
        ...
