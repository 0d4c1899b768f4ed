#!/usr/bin/env bash
# Consensus benchmark (docs/CONSENSUS.md, "Figures"): a 4-validator testnet of release-built
# `numo node --home` processes on this machine, driven by `numo load` (open loop, signed orders,
# every answer waits for its finalized block) against validator 0, which gossips to the others.
#
# For each rate in RATES it prints the load report (achieved rate, p50/p99 submit→finalized) and
# the median block interval of the blocks made during the run. Not part of CI (minutes of
# release build and load); run it by hand:
#
#   scripts/bench-testnet.sh                 RATES="500 1000 1500" DURATION=20s ACCOUNTS=1000
#                                            VERIFY=off (the nodes' guest re-execution; default sample)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RATES="${RATES:-500 1000 1500 2000}"
DURATION="${DURATION:-20s}"
ACCOUNTS="${ACCOUNTS:-1000}"
VERIFY="${VERIFY:-sample}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
NUMO="${NUMO_BIN:-$TARGET/release/numo}"
[ -n "${NUMO_BIN:-}" ] || (cd "$ROOT" && cargo build --release -p numo)

DIR="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
"$NUMO" testnet init --validators 4 --dev-accounts "$ACCOUNTS" --out "$DIR/tn" >/dev/null
for n in v0 v1 v2 v3; do
  RUST_LOG=warn "$NUMO" node --home "$DIR/tn/$n" --verify "$VERIFY" >"$DIR/$n.log" 2>&1 &
  PIDS+=("$!")
done
URL="http://$(python3 -c "import json,sys; print(json.load(open('$DIR/tn/testnet.json'))['validators'][0]['http'])")"
for _ in $(seq 1 600); do
  h=$(curl -sf "$URL/health" | python3 -c "import json,sys; print(json.load(sys.stdin)['height'])" 2>/dev/null || echo 0)
  [ "$h" -ge 2 ] && break
  sleep 0.1
done
echo "testnet up: 4 validators, $ACCOUNTS dev accounts, load against $URL; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

median_interval() { # median ms between consecutive blocks in heights [$1, $2]
  python3 - "$URL" "$1" "$2" <<'PY'
import json, sys, urllib.request
url, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ts = [json.load(urllib.request.urlopen(f"{url}/v1/blocks/{h}"))["timestampMs"] for h in range(lo, hi + 1)]
gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
print(gaps[len(gaps) // 2] if gaps else "n/a", f"({len(gaps)} intervals)")
PY
}
height() { curl -sf "$URL/health" | python3 -c "import json,sys; print(json.load(sys.stdin)['height'])"; }

for rate in $RATES; do
  from=$(height)
  echo "== rate $rate orders/s for $DURATION =="
  "$NUMO" load --node "$URL" --rate "$rate" --duration "$DURATION" --accounts "$ACCOUNTS" --seed "$rate"
  to=$(height)
  echo "blocks $from..$to, median block interval ms: $(median_interval "$((from + 1))" "$to")"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
