"""Create `.dev.vars` from `.dev.vars.example` if missing, and fill an empty API_KEY with a fresh random key.

Idempotent: an existing `.dev.vars` keeps its values; only an empty API_KEY is generated.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_dev_vars(root: Path = ROOT) -> tuple[Path, bool]:
    target = root / ".dev.vars"
    if not target.exists():
        target.write_text((root / ".dev.vars.example").read_text())
    lines = target.read_text().splitlines()
    generated = False
    for i, line in enumerate(lines):
        if line.strip() in ("API_KEY=", 'API_KEY=""', "API_KEY=''"):
            lines[i] = f"API_KEY=jengu_{secrets.token_urlsafe(32)}"
            generated = True
    if not any(line.startswith("API_KEY=") for line in lines):
        lines.append(f"API_KEY=jengu_{secrets.token_urlsafe(32)}")
        generated = True
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    return target, generated


def main() -> int:
    path, generated = ensure_dev_vars()
    print(f"{path.name}: {'generated a new API_KEY' if generated else 'kept existing values'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
