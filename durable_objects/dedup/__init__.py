"""Dedup Durable Object (sharded by key hash: first-claim-wins idempotency keys with TTL)."""
