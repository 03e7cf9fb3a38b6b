"""The versions we test are the versions a deploy installs.

pywrangler resolves `[project].dependencies` against PyPI plus the Pyodide package index with `--no-build`, so a
compiled package (pydantic-core, markupsafe, …) can only be a version Pyodide built. The npm `pyodide` package we pin
ships `pyodide-lock.json`, the list of those builds; every compiled package in the deployable closure of `uv.lock`
must match it, and every direct deployable dependency is pinned exactly (decision 0010).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Python Workers' runtime for a compatibility date (workerd build/python_metadata.bzl, pywrangler metadata.py).
PYODIDE_FOR_PYTHON_313 = "0.28.3"
PYTHON_313_SINCE = "2025-09-29"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def uv_lock() -> dict[str, dict[str, Any]]:
    data = tomllib.loads((ROOT / "uv.lock").read_text())
    return {canonical(p["name"]): p for p in data["package"]}


def deployable_closure(packages: dict[str, dict[str, Any]]) -> set[str]:
    seen: set[str] = set()
    todo = [canonical(d["name"]) for d in packages["jengu"].get("dependencies", [])]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(canonical(d["name"]) for d in packages[name].get("dependencies", []))
    return seen


def is_compiled(package: dict[str, Any]) -> bool:
    wheels = [w["url"].rsplit("/", 1)[-1] for w in package.get("wheels", [])]
    return bool(wheels) and not any(w.endswith("-none-any.whl") for w in wheels)


def pyodide_lock() -> dict[str, Any]:
    path = ROOT / "node_modules" / "pyodide" / "pyodide-lock.json"
    if not path.exists():
        pytest.fail("node_modules/pyodide is missing: run `make install` (npm ci installs the pinned pyodide)")
    return json.loads(path.read_text())


def test_the_pinned_pyodide_is_the_one_our_compatibility_date_runs() -> None:
    wrangler = tomllib.loads((ROOT / "wrangler.toml").read_text())
    flags = wrangler["compatibility_flags"]
    assert "python_workers" in flags
    assert "python_workers_20260610" not in flags, "3.14 opted in: move the pyodide pin to 314.x (decision 0010)"
    assert wrangler["compatibility_date"] >= PYTHON_313_SINCE
    npm = json.loads((ROOT / "package.json").read_text())
    assert npm["devDependencies"]["pyodide"] == PYODIDE_FOR_PYTHON_313
    assert pyodide_lock()["info"]["python"].startswith("3.13.")


def test_every_compiled_deployable_dependency_has_a_matching_pyodide_build() -> None:
    locked = uv_lock()
    builds = {canonical(name): entry for name, entry in pyodide_lock()["packages"].items()}
    closure = deployable_closure(locked)
    assert "pydantic-core" in closure  # the check below must have something to bite on
    problems = []
    for name in sorted(closure):
        version = locked[name]["version"]
        build = builds.get(name)
        compiled_in_pyodide = build is not None and not build["file_name"].endswith("-none-any.whl")
        if compiled_in_pyodide and build["version"] != version:
            problems.append(f"{name}: uv.lock has {version}, Pyodide built only {build['version']}")
        elif is_compiled(locked[name]) and not compiled_in_pyodide:
            problems.append(f"{name} {version} is compiled and Pyodide has no build of it")
    assert problems == []


def test_direct_deployable_dependencies_are_pinned_to_the_locked_versions() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = uv_lock()
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^;\s]+)", requirement.strip())
        assert match, f"deployable dependency not pinned exactly: {requirement!r}"
        name, version = canonical(match[1]), match[2]
        assert locked[name]["version"] == version, f"{name}: pyproject pins {version}, uv.lock has another"


def test_the_pyodide_tier_installs_the_sdk_version_a_deploy_vendors() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deployed = next(r for r in project["dependencies"] if r.startswith("workers-runtime-sdk=="))
    tier = (ROOT / "tests" / "pyodide" / "wheels.txt").read_text()
    assert re.search(rf"^{re.escape(deployed)}\s", tier, re.MULTILINE), f"tests/pyodide/wheels.txt must pin {deployed}"
