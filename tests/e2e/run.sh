#!/usr/bin/env bash
# numo's end-to-end and fault suite (tests/e2e/README.md): a venv under target/e2e-venv, the
# debug `numo` binary (built if needed), anvil from contracts/node_modules, then pytest.
#   tests/e2e/run.sh [pytest args…]        e.g. tests/e2e/run.sh -k kill9 -x
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/target/e2e-venv"
ANVIL="$ROOT/contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

if [ ! -x "$ANVIL" ]; then
  (cd contracts && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$ROOT/target"
  python3 -m venv "$VENV"
fi
if ! cmp -s tests/e2e/requirements.txt "$VENV/.e2e-requirements"; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
  cp tests/e2e/requirements.txt "$VENV/.e2e-requirements"
fi
if [ -z "${NUMO_BIN:-}" ]; then
  cargo build -p numo
  export NUMO_BIN="$TARGET/debug/numo"
fi

cd tests/e2e
exec timeout 900 "$VENV/bin/python" -m pytest -q -rfE "$@"
