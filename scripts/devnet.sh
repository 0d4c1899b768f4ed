#!/usr/bin/env bash
# A local devnet: anvil (1 s blocks, chain 31337) on 127.0.0.1:8545 and `numo node --dev` linked
# to it (HTTP on 127.0.0.1:8080, data in ./numo-devnet). The node deploys the dev tokens and the
# bridge on first start. Prints the addresses and a copy-paste walk-through
# (deposit → trade → withdraw → claim). Ctrl-C stops both.
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

# 1. deposit 10,000 USDC from anvil account 1 (approve + deposit; credited after 2 L1 blocks)
$PY - <<'PY'
import json, requests
from web3 import Web3
from eth_account import Account
w3, node = Web3(Web3.HTTPProvider("$L1")), "$NODE"
l1 = requests.get(node + "/v1/l1").json()
abi = lambda n: json.load(open("$ROOT/contracts/artifacts/" + n + ".json"))["abi"]
bridge = w3.eth.contract(address=Web3.to_checksum_address(l1["bridge"]), abi=abi("NumoBridge"))
usdc = w3.eth.contract(address=Web3.to_checksum_address(l1["tokens"]["USDC"]), abi=abi("DevToken"))
me = Account.from_key("${ANVIL_KEY1:-0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d}").address
for fn in (usdc.functions.approve(bridge.address, 10_000 * 10**6), bridge.functions.deposit(usdc.address, 10_000 * 10**6, me)):
    print(w3.eth.wait_for_transaction_receipt(fn.transact({"from": me})).status)
PY
curl -s "$NODE/v1/deposits?owner=0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

# 2. trade: a genesis dev account sells 1 WETH at 3000, anvil account 1 buys it
$NUMO order place --node $NODE --key \$($NUMO dev accounts --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["privateKey"])') --market WETH-USDC --side sell --price 3000 --qty 1
$NUMO order place --node $NODE --key 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d --market WETH-USDC --side buy --price 3000 --qty 1
$NUMO account --node $NODE 0x70997970C51812dc3A010C7d01b50e0d17dc79C8

# 3. withdraw 0.5 WETH back to L1 (signed Withdraw, F2) and wait until it is settled
$PY - <<'PY'
import requests, time
from eth_account import Account
from eth_hash.auto import keccak
node, acct = "$NODE", Account.from_key("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
l1 = requests.get(node + "/v1/l1").json()
account = requests.get(node + "/v1/accounts/" + acct.address).json()
asset = next(b["assetId"] for b in account["balances"] if b["symbol"] == "WETH")
nonce, amount, me = account["fundingNonce"]["pendingNonce"], 5 * 10**17, bytes.fromhex(acct.address[2:])
msg = b"\x03" + me + nonce.to_bytes(8, "big") + bytes.fromhex(asset[2:]) + amount.to_bytes(32, "big") + me
sig = acct.unsafe_sign_hash(keccak(b"\x19\x01" + bytes.fromhex(l1["fundingDomain"][2:]) + keccak(msg)))
body = {"owner": acct.address, "nonce": nonce, "asset": "WETH", "amount": str(amount), "recipient": acct.address,
        "signature": "0x" + (sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v])).hex()}
w = requests.post(node + "/v1/withdrawals", json=body).json(); print(w)
while (w := requests.get(node + f"/v1/withdrawals/{w['id']}").json())["status"] == "pending": time.sleep(1)
print(w["status"], w["claim"])
PY

# 4. claim on L1 (anyone may send it; anvil's accounts are unlocked, so plain JSON-RPC does)
W=\$(curl -s "$NODE/v1/withdrawals?owner=0x70997970C51812dc3A010C7d01b50e0d17dc79C8" | $PY -c 'import json,sys; print(json.dumps([w for w in json.load(sys.stdin) if w["status"]=="settled"][-1]["claim"]))')
curl -s -H 'content-type: application/json' $L1 -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendTransaction\",\"params\":[{\"from\":\"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\",\"to\":\$($PY -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])['to']))" "\$W"),\"data\":\$($PY -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])['data']))" "\$W")}]}"
sleep 8; curl -s "$NODE/v1/withdrawals?owner=0x70997970C51812dc3A010C7d01b50e0d17dc79C8"   # status: claimed

Ctrl-C stops anvil and numo.
EOF
wait "$NODE_PID" || true
echo "numo exited; see $DATA_DIR/node.log" >&2
