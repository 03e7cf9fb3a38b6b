"""Jengu's local runtime: hosts the Worker in CPython with emulated Cloudflare bindings. Never deployed."""
