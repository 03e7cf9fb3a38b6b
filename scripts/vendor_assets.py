"""Copy the dashboard's and /docs' third-party assets from node_modules into public/static/vendor/ (build output,
git-ignored): htmx (htmx.org) and Swagger UI (swagger-ui-dist). Stdlib only; idempotent (a file whose bytes are
already there is left alone). Run after `npm ci`, before the local runtime or a deploy serves `public/`.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "public" / "static" / "vendor"

# (source under node_modules, file name under public/static/vendor)
ASSETS: tuple[tuple[str, str], ...] = (
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    ("swagger-ui-dist/swagger-ui.css", "swagger-ui.css"),
    ("swagger-ui-dist/favicon-32x32.png", "favicon-32x32.png"),
)


def vendor(root: Path = ROOT, target: Path | None = None) -> list[str]:
    """Copy every asset; returns the names copied now (empty when all were up to date). Missing sources raise."""
    modules = root / "node_modules"
    target = target or root / "public" / "static" / "vendor"
    missing = [src for src, _ in ASSETS if not (modules / src).is_file()]
    if missing:
        raise FileNotFoundError(f"not in node_modules (run `npm ci`): {', '.join(missing)}")
    target.mkdir(parents=True, exist_ok=True)
    copied: list[str] = []
    for src, name in ASSETS:
        source, dest = modules / src, target / name
        if dest.is_file() and filecmp.cmp(source, dest, shallow=False):
            continue
        partial = dest.with_name(f".{name}.partial")
        shutil.copyfile(source, partial)
        partial.replace(dest)  # atomic: a server reading the directory never sees half a file
        copied.append(name)
    return copied


def main() -> int:
    try:
        copied = vendor()
    except FileNotFoundError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1
    where = VENDOR.relative_to(ROOT)
    print(f"vendored into {where}/: {', '.join(copied)}" if copied else f"{where}/ is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
