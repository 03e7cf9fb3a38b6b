#!/usr/bin/env bash
# Fetch the pinned, hash-checked wheels of the real-Pyodide test tier (tests/pyodide/wheels.txt) from PyPI into
# .local/pyodide/wheels. Idempotent: does nothing when every pinned wheel is already there with its pinned hash.
# Uses pip's own download (hash-checked with --require-hashes): the system python3's pip if it has one, else pip
# run through uv (`uv tool run`), which every machine that ran bootstrap has.
set -euo pipefail
cd "$(dirname "$0")/.."

PINS="tests/pyodide/wheels.txt"
DEST=".local/pyodide/wheels"
UV="${UV:-}"

have_all() {
  local name version hash file
  while read -r req hashopt _; do
    [[ -z "$req" || "$req" == \#* ]] && continue
    name="${req%%==*}"; version="${req##*==}"; hash="${hashopt#--hash=sha256:}"
    file="$(ls "$DEST"/"${name//-/_}"-"$version"-*.whl 2>/dev/null | head -n1 || true)"
    [ -n "$file" ] || return 1
    [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$hash" ] || return 1
  done < "$PINS"
}

have_all && exit 0
echo "bootstrap: fetching the Pyodide test tier's wheels into $DEST" >&2
mkdir -p "$DEST"
ARGS=(download --quiet --no-deps --require-hashes --only-binary=:all: --python-version 3.13 -d "$DEST" -r "$PINS")
if python3 -m pip --version >/dev/null 2>&1; then
  python3 -m pip "${ARGS[@]}"
else
  [ -n "$UV" ] || UV="$(command -v uv || echo .local/tools/bin/uv)"
  "$UV" tool run --quiet --from "pip==25.2" pip "${ARGS[@]}"
fi
have_all || { echo "bootstrap: the wheels in $DEST do not match $PINS" >&2; exit 1; }
