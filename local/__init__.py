"""Jengu's local runtime: hosts the Worker in CPython with emulated Cloudflare bindings. Never deployed.

Importing this package makes the bundle's import names and the SDK stand-ins importable (see `local.paths`).
"""

from local.paths import ensure_import_paths

ensure_import_paths()
