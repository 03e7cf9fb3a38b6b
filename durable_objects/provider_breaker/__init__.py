"""ProviderBreaker Durable Object (per external provider: a circuit breaker every isolate shares)."""
