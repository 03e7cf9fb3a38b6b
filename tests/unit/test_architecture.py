"""Import rules that keep the deployable code deployable (architecture.md §2–3), checked by walking the AST."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOYABLE = [ROOT / "workers", ROOT / "shared", ROOT / "durable_objects"]
PLATFORM_MODULES = {"workers", "js", "pyodide", "asgi"}
# Only the entry shell, the DO shells and one platform module may touch the Pyodide-only modules.
PLATFORM_ALLOWED = {"workers/entry.py", "shared/platform/cloudflare.py"}


def deployable_files() -> list[Path]:
    return sorted(p for root in DEPLOYABLE for p in root.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_workers_folder_is_a_source_root_not_a_package() -> None:
    assert not (ROOT / "workers" / "__init__.py").exists()
    spec = importlib.util.find_spec("workers")
    assert spec is not None and spec.origin is not None
    assert Path(spec.origin).resolve() != (ROOT / "workers").resolve()
    assert "local/sdk" in spec.origin  # the SDK stand-in, as the vendored SDK in production
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("workers.api")


@pytest.mark.parametrize("path", deployable_files(), ids=rel)
def test_deployable_code_never_imports_local_tests_or_our_workers_folder(path: Path) -> None:
    for name in imports_of(path):
        top = name.split(".")[0]
        assert top not in {"local", "tests", "scripts", "bench"}, f"{rel(path)} imports {name}"
        assert not name.startswith("workers."), f"{rel(path)} imports {name}: `workers` is the SDK"


@pytest.mark.parametrize("path", deployable_files(), ids=rel)
def test_platform_modules_are_quarantined(path: Path) -> None:
    used = {n.split(".")[0] for n in imports_of(path)} & PLATFORM_MODULES
    allowed = rel(path) in PLATFORM_ALLOWED or (path.name == "shell.py" and "durable_objects" in path.parts)
    assert not used or allowed, f"{rel(path)} imports {sorted(used)}"


def test_entry_adapters_never_import_each_other() -> None:
    packages = {"api", "scheduler", "consumers"}
    for package in packages:
        for path in (ROOT / "workers" / package).rglob("*.py"):
            others = {n.split(".")[0] for n in imports_of(path)} & (packages - {package})
            assert not others, f"{rel(path)} imports {others}"


IMPURE = {"asyncio", "os", "io", "sqlite3", "socket", "httpx", "urllib.request", "http.client", "fastapi", "starlette",
          "time",
          "random", "uuid", "secrets", "logging", "sys"} | PLATFORM_MODULES  # fmt: skip


def test_domain_is_pure() -> None:
    for path in (ROOT / "shared" / "domain").rglob("*.py"):
        for name in imports_of(path):
            assert not any(name == m or name.startswith(m + ".") for m in IMPURE), f"{rel(path)} imports {name}"
            if name.startswith("shared"):
                assert name.startswith("shared.domain"), f"{rel(path)} imports {name}"


def test_every_module_has_a_docstring() -> None:
    for path in deployable_files() + sorted((ROOT / "local").rglob("*.py")):
        tree = ast.parse(path.read_text())
        if path.name == "__init__.py" and not tree.body:
            continue
        assert ast.get_docstring(tree), f"{rel(path)} has no module docstring"
