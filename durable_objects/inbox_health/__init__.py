"""InboxHealth Durable Object (per inbox: bounce and complaint rates, auto-pause, circuit breaker)."""
