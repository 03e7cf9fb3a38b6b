"""Import roots for running the Worker's source tree in CPython (the bundle's names, plus the SDK stand-ins)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def ensure_import_paths(root: Path = REPO_ROOT) -> None:
    """Make `entry`, `api`, `scheduler`, `consumers` and the SDK stand-ins (`workers`, `asgi`, `js`) importable.

    `workers/` itself is never a package: `local/sdk/workers` (a regular package) wins over the namespace
    candidate, exactly as the vendored SDK does in production.
    """
    for path in (root, root / "workers", root / "local" / "sdk"):
        text = str(path)
        if text not in sys.path:
            sys.path.append(text)
