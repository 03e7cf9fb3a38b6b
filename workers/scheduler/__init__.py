"""Cron scheduler: decides what is due and enqueues it. Never sends anything itself."""
