"""Structured logging and tracing: one JSON line per event, a trace id that follows the work."""
