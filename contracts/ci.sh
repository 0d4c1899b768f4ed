#!/usr/bin/env bash
# Builds and tests the L1 contracts from a clean clone; safe to re-run.
#   npm ci (solc-js, OpenZeppelin, anvil)  →  node build.mjs --check  →  venv + pip  →  pytest on anvil
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error
node build.mjs --check

VENV=../target/contracts-venv
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p ../target
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt

cd test
timeout 900 "../$VENV/bin/python" -m pytest -q -s -p no:cacheprovider "$@"
