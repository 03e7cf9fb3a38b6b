"""RateLimiter Durable Object (sharded by key: token buckets and daily quotas)."""
