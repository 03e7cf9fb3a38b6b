"""Assemble the deploy bundle: `.bundle/` with the entry module at its root.

Cloudflare imports the main module by its bare name and its siblings as top-level packages, and the SDK owns the
module name `workers`. So our `workers/` folder is a source root: its children (`entry.py`, `api/`, `scheduler/`,
`consumers/`) are copied to the bundle root beside `shared/` and `durable_objects/`. Tests, the local runtime and
dev tools are never copied. The dashboard's jinja2 templates are embedded as a Python module
(`api/dashboard/_templates.py`, one dict of name -> source) instead of shipping as files: Python modules are what the
Worker surely imports, whatever the runtime does with other bundle files. Run by wrangler's `[build]` step; stdlib
only, so any python3 can run it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / ".bundle"

# (source, destination inside the bundle)
SOURCES: tuple[tuple[str, str], ...] = (
    ("workers/entry.py", "entry.py"),
    ("workers/api", "api"),
    ("workers/scheduler", "scheduler"),
    ("workers/consumers", "consumers"),
    ("shared", "shared"),
    ("durable_objects", "durable_objects"),
)

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
TEMPLATES_DIR = Path("api") / "dashboard" / "templates"
EMBEDDED_TEMPLATES = Path("api") / "dashboard" / "_templates.py"


def embed_templates(bundle: Path) -> int:
    """Replace the bundle's template files with one module holding them; returns how many were embedded."""
    folder = bundle / TEMPLATES_DIR
    if not folder.is_dir():
        return 0
    sources = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html"))}
    body = "".join(f"    {name!r}: {text!r},\n" for name, text in sources.items())
    (bundle / EMBEDDED_TEMPLATES).write_text(
        '"""The dashboard\'s templates, embedded by scripts/build_bundle.py (generated: do not edit)."""\n\n'
        f"TEMPLATES: dict[str, str] = {{\n{body}}}\n",
        encoding="utf-8",
    )
    shutil.rmtree(folder)
    return len(sources)


def build(bundle: Path = BUNDLE) -> list[str]:
    """Rebuild the bundle from scratch and return its module paths, sorted."""
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    for src, dest in SOURCES:
        source = ROOT / src
        target = bundle / dest
        if source.is_dir():
            shutil.copytree(source, target, ignore=IGNORE)
        else:
            shutil.copy2(source, target)
    embed_templates(bundle)
    return sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*.py"))


def main() -> int:
    modules = build()
    print(f"bundle: {len(modules)} modules in {BUNDLE.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
