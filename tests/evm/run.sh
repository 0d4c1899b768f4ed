#!/usr/bin/env bash
# numo's EVM through outside tools, unchanged (tests/evm/README.md): cast and forge from npm
# (tests/evm/package.json), web3.py from PyPI (a venv under target/evm-venv), solc-js from
# contracts/node_modules behind tests/evm/solc, against a real `numo node --dev`. Idempotent
# installs; nothing downloads binaries at test time.
#   tests/evm/run.sh [pytest args…]        e.g. tests/evm/run.sh -k composition -x
# NUMO_BIN: the numo binary (default: built with `cargo build -p numo`).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$ROOT/target/evm-venv"
TOOLS="$ROOT/tests/evm/node_modules/@foundry-rs"

if [ ! -x "$TOOLS/cast-linux-amd64/bin/cast" ] || [ ! -x "$TOOLS/forge-linux-amd64/bin/forge" ]; then
  (cd tests/evm && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -f contracts/node_modules/solc/soljson.js ] || [ ! -d contracts/node_modules/@openzeppelin/contracts ]; then
  (cd contracts && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$ROOT/target"
  python3 -m venv "$VENV"
fi
if ! cmp -s tests/evm/requirements.txt "$VENV/.evm-requirements"; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/evm/requirements.txt
  cp tests/evm/requirements.txt "$VENV/.evm-requirements"
fi
if [ -z "${NUMO_BIN:-}" ]; then
  cargo build -p numo
  export NUMO_BIN="$TARGET/debug/numo"
fi

cd tests/evm
exec timeout 600 "$VENV/bin/python" -m pytest -q -rfE "$@"
