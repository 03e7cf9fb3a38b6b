"""WarmupManager Durable Object (per inbox: daily warmup capacity, reservations and commits)."""
