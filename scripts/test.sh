#!/usr/bin/env bash
# The test command of the README: installs what the tests need from the project's own lockfiles
# (npm: anvil, solc-js and OpenZeppelin for the L1 bridge tests; idempotent), then runs every
# Rust test of the workspace. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v npm >/dev/null || { echo "npm (Node.js) is needed for the L1 tests: apt-get install nodejs npm"; exit 1; }
(cd contracts && npm ci --no-audit --no-fund --loglevel=error)
cargo test --workspace --locked "$@"
