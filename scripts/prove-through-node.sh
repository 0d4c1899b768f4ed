#!/usr/bin/env bash
# A real SP1 proof through the node hook, end to end: starts `numo node --dev --prover sp1` on a
# free port with a fresh data dir, sends a crossing pair of orders (batch 1 is the first block's
# batch: the maker alone, or both when they land in one block), waits until the node's prover
# has proved batch 1, downloads the proof and the witness over the public API and
# checks them with `numo proof verify`. Prints the wall time of each part.
#
# Not part of CI: a core proof takes ~30 minutes and ~11 GB here (docs/PROVING.md). Needs the
# prover host and the program:
#   cargo build --locked --profile sp1 -p numo --features sp1 && scripts/build-sp1-program.sh
#
# Usage: scripts/prove-through-node.sh [core|compressed]   (default core)
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-core}"
numo="$PWD/target/sp1/numo"
elf="$PWD/target/sp1/numo-sp1-batch.elf"
for file in "$numo" "$elf"; do
    [ -e "$file" ] || { echo "missing $file: build it first (see the header of $0)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/numo-node-proof.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
echo "data dir and files: $work"

"$numo" node --dev --http "127.0.0.1:$port" --data-dir "$work/data" --prover sp1 --prover-mode "$mode" \
    --sp1-elf "$elf" > "$work/node.log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
    curl -sf "$url/health" > /dev/null && break
    sleep 0.1
done
curl -sf "$url/health" > /dev/null || { echo "the node did not start:" >&2; cat "$work/node.log" >&2; exit 1; }

keys="$("$numo" dev accounts --json)"
key() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[$1]['privateKey'])" "$keys"; }
# A maker and a taker (--no-wait: each returns at admission).
"$numo" order place --node "$url" --key "$(key 0)" --market WETH/USDC --side sell --price 3000 --qty 0.5 --no-wait
"$numo" order place --node "$url" --key "$(key 1)" --market WETH/USDC --side buy --price 3000 --qty 0.5 --no-wait

status() { curl -sf "$url/v1/batches/1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["proof"]["status"])'; }
started=$SECONDS
until [ "$(status 2>/dev/null || echo none)" != "none" ]; do sleep 0.2; done
echo "batch 1 committed: $(curl -sf "$url/v1/batches/1" | python3 -c 'import json,sys; b=json.load(sys.stdin); print(len(b["messages"]), "messages, newRoot", b["newRoot"])')"
last=""
while true; do
    now="$(status)"
    [ "$now" != "$last" ] && echo "$(date +%T) proof status: $now" && last="$now"
    case "$now" in
        proved) break ;;
        failed) curl -s "$url/v1/batches/1" >&2; echo >&2; exit 1 ;;
    esac
    sleep 5
done
echo "proved in $((SECONDS - started)) s; node peak memory: $(awk '/VmHWM/ {printf "%.1f GB", $2 / 1048576}' "/proc/$node_pid/status")"

curl -sf "$url/v1/batches/1/proof" -o "$work/batch1.proof"
curl -sf "$url/v1/batches/1/witness" -o "$work/batch1.witness"
echo "proof: $(stat -c %s "$work/batch1.proof") bytes; witness: $(stat -c %s "$work/batch1.witness") bytes"
verify_started=$SECONDS
report="$("$numo" proof verify --proof "$work/batch1.proof" --input "$work/batch1.witness" --elf "$elf")"
verified="${report%%$'\n'*}"   # the first line: the proven public values
echo "numo proof verify: ok in $((SECONDS - verify_started)) s; proven public values: $verified"
claimed="$(curl -sf "$url/v1/batches/1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["publicInputs"])')"
if [ "$verified" != "$claimed" ]; then
    echo "the proof's public values differ from the node's publicInputs: $claimed" >&2
    exit 1
fi
echo "they equal the node's publicInputs for batch 1"
