#!/usr/bin/env bash
# numo's web app in a real browser (tests/web/README.md): Debian's Chromium (scripts/web-deps.sh)
# driven by playwright-core (npm, tests/web/package-lock.json; never a browser download) against a
# real `numo node --dev` started by the harness on free ports. Idempotent installs.
#   tests/web/run.sh [node --test args…]        e.g. tests/web/run.sh --test-name-pattern=cancel
#   tests/web/run.sh tests/web/reconnect.test.mjs
# NUMO_BIN: the numo binary (default: built with `cargo build -p numo`). Screenshots and
# measurements go to target/web-screenshots/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
files=()
args=()
for arg in "$@"; do
  if [[ "$arg" == *.test.mjs ]]; then files+=("$(realpath "$arg")"); else args+=("$arg"); fi
done
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

scripts/web-deps.sh
if [ ! -d tests/web/node_modules/playwright-core ] || ! cmp -s tests/web/package-lock.json tests/web/node_modules/.package-lock.json.ci; then
  (cd tests/web && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.package-lock.json.ci)
fi
if [ -z "${NUMO_BIN:-}" ]; then
  cargo build -p numo
  export NUMO_BIN="$TARGET/debug/numo"
fi

# this run's artifacts: a previous run's failures and measurements go, screenshots are overwritten
mkdir -p "$ROOT/target/web-screenshots"
rm -f "$ROOT"/target/web-screenshots/failed-* "$ROOT/target/web-screenshots/measurements.json"
cd tests/web
if ((${#files[@]} == 0)); then files=(*.test.mjs); fi
exec timeout 900 node --test --test-concurrency=1 --test-reporter=spec "${args[@]}" "${files[@]}"
