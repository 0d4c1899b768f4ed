#!/usr/bin/env bash
# A local devnet: anvil (1 s blocks, chain 31337) on 127.0.0.1:8545 and `numo node --dev` linked
# to it (HTTP on 127.0.0.1:8080, data in ./numo-devnet). The node deploys the dev tokens and the
# bridge on first start. Prints the addresses and a copy-paste walk-through
# (deposit → trade → withdraw → claim) with the numo CLI. Ctrl-C stops both.
#
# anvil keeps its chain in memory, so every run starts a fresh L1 and a fresh ./numo-devnet
# (a numo data dir is bound to the bridge it deployed): running it again is always safe.
#
#   scripts/devnet.sh                    NUMO_BIN=… L1_PORT=… HTTP=… DATA_DIR=… to override
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
L1_PORT="${L1_PORT:-8545}"
HTTP="${HTTP:-127.0.0.1:8080}"
DATA_DIR="${DATA_DIR:-./numo-devnet}"
ANVIL="${ANVIL:-$ROOT/contracts/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
NUMO="${NUMO_BIN:-$TARGET/debug/numo}"
VENV="$ROOT/target/e2e-venv"

busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$L1_PORT" "${HTTP##*:}"; do
  if busy "$port"; then
    echo "port $port is in use (another devnet?): stop it first, or set L1_PORT / HTTP" >&2
    exit 1
  fi
done
if [ ! -x "$ANVIL" ]; then
  echo "installing anvil (npm ci in contracts/)…"
  (cd "$ROOT/contracts" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ -z "${NUMO_BIN:-}" ]; then
  (cd "$ROOT" && cargo build -p numo)
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV (web3.py for the walk-through)…"
  mkdir -p "$ROOT/target"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/tests/e2e/requirements.txt"
fi

rm -rf "$DATA_DIR"
mkdir -p "$DATA_DIR"
ANVIL_PID=""
NODE_PID=""
stop() {
  set +e
  trap - INT TERM EXIT
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null; wait "$NODE_PID" 2>/dev/null; fi
  if [ -n "$ANVIL_PID" ]; then kill "$ANVIL_PID" 2>/dev/null; wait "$ANVIL_PID" 2>/dev/null; fi
  echo "devnet stopped"
  exit 0
}
trap stop INT TERM EXIT

"$ANVIL" --host 127.0.0.1 --port "$L1_PORT" --block-time 1 >"$DATA_DIR/anvil.log" 2>&1 &
ANVIL_PID=$!
L1="http://127.0.0.1:$L1_PORT"
for _ in $(seq 100); do
  curl -sf -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$L1" >/dev/null && break
  kill -0 "$ANVIL_PID" 2>/dev/null || { cat "$DATA_DIR/anvil.log" >&2; exit 1; }
  sleep 0.1
done

"$NUMO" node --dev --data-dir "$DATA_DIR" --http "$HTTP" --l1-rpc "$L1" >"$DATA_DIR/node.log" 2>&1 &
NODE_PID=$!
NODE="http://$HTTP"
for _ in $(seq 600); do
  curl -sf "$NODE/v1/l1" >/dev/null && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$DATA_DIR/node.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf "$NODE/v1/l1" >/dev/null || { echo "numo did not come up; see $DATA_DIR/node.log" >&2; exit 1; }

PY="$VENV/bin/python"
L1_JSON="$(curl -s "$NODE/v1/l1")"
"$PY" - "$L1_JSON" <<'EOF'
import json, sys
l1 = json.loads(sys.argv[1])
print("\nnumo devnet is up")
print(f"  bridge     {l1['bridge']}   (L1 chain {l1['chainId']}, deployed in block {l1['deployBlock']})")
print(f"  verifier   {l1['verifier']}")
for symbol, address in l1["tokens"].items():
    print(f"  {symbol:<10} {address}")
print(f"  confirmations {l1['confirmations']}, funding domain {l1['fundingDomain']}")
EOF
cat <<EOF

  anvil  $L1  (log $DATA_DIR/anvil.log, pid $ANVIL_PID)
  numo   $NODE  (log $DATA_DIR/node.log, pid $NODE_PID)

anvil's accounts 1–9 hold 1,000,000 of each dev token on L1 (account 0 is the operator);
numo's genesis dev accounts (\`$NUMO dev accounts\`) hold balances on numo.

Walk-through, in another shell (the python is $PY):

# anvil account 1 (its L1 key is also its numo key: same secp256k1 address on both sides)
export NUMO_NODE=$NODE NUMO_L1_RPC=$L1
export NUMO_L1_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
export NUMO_KEY=\$NUMO_L1_KEY

# 1. deposit 10,000 USDC on L1 (approve + deposit); credited once 2 L1 blocks are on top
$NUMO deposit --asset USDC --amount 10000 --wait

# 2. trade: a genesis dev account sells 1 WETH at 3000, anvil account 1 buys it
$NUMO order place --key \$($NUMO dev accounts --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["privateKey"])') --market WETH-USDC --side sell --price 3000 --qty 1
$NUMO order place --market WETH-USDC --side buy --price 3000 --qty 1
$NUMO account

# 3. withdraw 0.5 WETH to L1 (a signed Withdraw, docs/PROTOCOL.md F2); settled within ~5 s
$NUMO withdraw --asset WETH --amount 0.5 --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
$NUMO withdrawals

# 4. once it shows "settled": claim it on L1 (anyone may send the claim)
$NUMO withdraw claim --id 0

Ctrl-C stops anvil and numo.
EOF
wait "$NODE_PID" || true
echo "numo exited; see $DATA_DIR/node.log" >&2
