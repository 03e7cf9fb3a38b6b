"""Create `.dev.vars` from `.dev.vars.example` if missing, and fill an empty API_KEY and UNSUBSCRIBE_SECRET with
fresh random values (every email carries a signed unsubscribe link, so sending needs the secret).

Idempotent: an existing `.dev.vars` keeps its values; only empty or missing generated names are filled.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {
    "API_KEY": lambda: f"jengu_{secrets.token_urlsafe(32)}",
    "UNSUBSCRIBE_SECRET": lambda: secrets.token_urlsafe(48),  # >= 32 characters (unsubscribe_tokens.secrets_from)
}


def ensure_dev_vars(root: Path = ROOT) -> tuple[Path, bool]:
    target = root / ".dev.vars"
    if not target.exists():
        target.write_text((root / ".dev.vars.example").read_text())
    lines = target.read_text().splitlines()
    generated = False
    for name, make in GENERATED.items():
        for i, line in enumerate(lines):
            if line.strip() in (f"{name}=", f'{name}=""', f"{name}=''"):
                lines[i] = f"{name}={make()}"
                generated = True
        if not any(line.startswith(f"{name}=") for line in lines):
            lines.append(f"{name}={make()}")
            generated = True
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    return target, generated


def main() -> int:
    path, generated = ensure_dev_vars()
    print(f"{path.name}: {'generated the missing secrets' if generated else 'kept existing values'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
