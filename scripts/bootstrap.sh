#!/usr/bin/env bash
# Idempotent install: uv, a CPython 3.13 virtualenv with every Python dependency, and the npm tools (wrangler,
# miniflare). Safe to run on every `make dev` / `make test`; it only does work when something changed.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"
TOOLS=".local/tools"

find_uv() {
  if [ -x "$TOOLS/bin/uv" ]; then echo "$TOOLS/bin/uv"; return; fi
  if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
  local boot_py
  boot_py="$(command -v python3 || true)"
  [ -n "$boot_py" ] || { echo "bootstrap: need uv or python3 on PATH to install uv" >&2; exit 1; }
  echo "bootstrap: installing uv $UV_VERSION into $TOOLS" >&2
  if "$boot_py" -m venv "$TOOLS" >&2 2>/dev/null; then
    "$TOOLS/bin/python" -m pip install --quiet "uv==$UV_VERSION" >&2
    echo "$TOOLS/bin/uv"
  else  # Debian/Ubuntu without python3-venv
    rm -rf "$TOOLS"
    "$boot_py" -m pip install --quiet --user "uv==$UV_VERSION" >&2
    "$boot_py" -c 'import site, os; print(os.path.join(site.USER_BASE, "bin", "uv"))'
  fi
}

# Cloudflare runs Python 3.13. Prefer an interpreter already on this machine (pyenv keeps one off PATH here),
# and only let uv download one when none is found (a normal machine with internet).
find_python() {
  if [ -n "${JENGU_PYTHON:-}" ]; then echo "$JENGU_PYTHON"; return; fi
  if command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys' >/dev/null 2>&1; then
    command -v python3.13; return
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local root ver
    root="$(pyenv root)"
    ver="$(pyenv latest 3.13 2>/dev/null || true)"
    if [ -n "$ver" ] && [ -x "$root/versions/$ver/bin/python3.13" ]; then
      echo "$root/versions/$ver/bin/python3.13"; return
    fi
  fi
  for p in /usr/local/bin/python3.13 /usr/bin/python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3.13; do
    if [ -x "$p" ]; then echo "$p"; return; fi
  done
  echo ""
}

UV="$(find_uv)"
PY="$(find_python)"
if [ -n "$PY" ]; then
  export UV_PYTHON_DOWNLOADS=never
  "$UV" sync --locked --quiet --no-install-package workers-runtime-sdk -p "$PY"
else
  echo "bootstrap: no local Python 3.13 found; letting uv download one" >&2
  "$UV" sync --locked --quiet --no-install-package workers-runtime-sdk -p 3.13
fi

# npm tools: wrangler (deploy dry-run, d1 migrations) and miniflare (real D1 for conformance tests).
command -v node >/dev/null 2>&1 || { echo "bootstrap: Node.js >= 20.3 is required (node not found)" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=3)?0:1)' \
  || { echo "bootstrap: Node.js >= 20.3 is required (found $(node --version))" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# The dashboard's and /docs' third-party assets (htmx, Swagger UI) from node_modules into public/static/vendor/.
.venv/bin/python scripts/vendor_assets.py

# The `jengu` CLI (cli/, CPython only) as a command of the project's environment: .venv/bin/jengu.
ROOT_DIR="$(pwd)"
cat > .venv/bin/jengu <<EOF_JENGU
#!/bin/sh
# Written by scripts/bootstrap.sh: the jengu CLI from this checkout.
PYTHONPATH="$ROOT_DIR\${PYTHONPATH:+:\$PYTHONPATH}" exec "$ROOT_DIR/.venv/bin/python" -m cli "\$@"
EOF_JENGU
chmod +x .venv/bin/jengu

# The real-Pyodide test tier's pinned wheels (workers-runtime-sdk, micropip), hash-checked, into .local/.
UV="$UV" bash scripts/pyodide_wheels.sh
