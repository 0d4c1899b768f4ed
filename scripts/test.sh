#!/usr/bin/env bash
# The test command of the README: installs what the tests need from the project's own lockfiles
# (npm: anvil, solc-js and OpenZeppelin for the L1 bridge tests; vite, vitest and the app's
# libraries for the web app; idempotent), runs the web app's unit tests (signing against the spec
# vectors, units, book, WebSocket client) and the WebAssembly guest over the vectors in Node, then
# every Rust test of the workspace. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "npm (Node.js) is needed for the L1 tests: apt-get install nodejs npm"; exit 1; }
(cd contracts && npm ci --no-audit --no-fund --loglevel=error)
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm test)
node --test web/test/guest.test.mjs
cargo test --workspace --locked "$@"
