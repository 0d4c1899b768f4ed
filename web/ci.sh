#!/usr/bin/env bash
# The web app's bundle in CI: install from the lockfile, rebuild, and fail if the committed
# web/dist differs (its unit tests run in scripts/test.sh) (the node embeds web/dist, so a stale
# bundle would ship old code). Run from anywhere; needs Node >= 20.19 with npm.
set -euo pipefail
cd "$(dirname "$0")"
node --version
npm ci --no-audit --no-fund
npm run build
git diff --exit-code --stat -- dist || {
  echo "web/dist is stale: run 'npm run build' in web/ and commit web/dist"
  exit 1
}
untracked=$(git ls-files --others --exclude-standard -- dist)
if [ -n "$untracked" ]; then
  echo "web/dist has files not committed: $untracked"
  exit 1
fi
