#!/usr/bin/env bash
# Seeds fuzz/corpus/ with the spec vectors: each batch's guest input blob, each signed message's
# bytes, and — built from the same vectors in the layouts of docs/PROTOCOL.md §10 and
# crates/node/src/stored.rs — each message as a chain entry, each batch as a one-block proposal
# and a header record (corpus/chain_records), and each batch as a stored batch record and each
# message as an admission-log entry (corpus/node_records). Seeds only need to decode; values
# the vectors lack (global indexes, mempool numbers, a batches root) are made up. Run from
# anywhere; needs python3 and shared/ next to the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vectors="${NUMO_VECTORS:-$here/../../shared/spec/vectors/batches}"
mkdir -p "$here/corpus/guest_input" "$here/corpus/message" "$here/corpus/chain_records" "$here/corpus/node_records"
python3 - "$vectors" "$here/corpus" <<'PY'
import json, pathlib, struct, sys
vectors, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
h = lambda s: bytes.fromhex(s[2:])
u32, u64, i32 = (lambda v: struct.pack(">I", v)), (lambda v: struct.pack(">Q", v)), (lambda v: struct.pack(">i", v))
u256 = lambda v: int(v).to_bytes(32, "big")
REJECT = {  # RejectReason codes (crates/stf/src/exec/mod.rs) of the vectors' reason texts
    "bad side": 1, "bad tif": 2, "tickIndex <= 0": 3, "qtyBase = 0": 4, "qtyBase not a lot multiple": 5,
    "orderId = 0": 6, "orderId resting": 7, "insufficient balance": 8, "order not resting": 9,
    "order not owned by trader": 10,
}

def outcome(o):
    if o["status"] == "rejected":
        return b"\x02" + bytes([REJECT.get(o["reason"], 1)])
    if o["type"] == "cancel":
        return b"\x01" + u256(0) + u256(0)
    filled = sum(int(f["qtyBase"]) for f in o["fills"])
    return (b"\x00" + u256(filled) + u256(o.get("restedQty", 0)) + u256(0) + u32(len(o["fills"]))
            + bytes([1 if o.get("newTick") else 0]))

def trade(market, t):
    return (market + h(t["makerOrderId"]) + h(t["takerOrderId"]) + h(t["maker"]) + h(t["taker"])
            + bytes([t["sideTaker"]]) + i32(t["makerTickIndex"]) + u256(t["qtyBase"]) + u256(t["quoteAmt"])
            + u256(t["takerFeeQuote"]))

market = h(json.loads((vectors / "genesis.json").read_text())["context"]["marketId"])
for path in sorted(vectors.glob("batch_*.json")):
    batch = json.loads(path.read_text())
    seq, ts, pi = batch["batchSeq"], batch["batchTimestamp"], batch["publicInputsDecoded"]
    (corpus / "guest_input" / f"{path.stem}.bin").write_bytes(h(batch["guestInput"]))
    entries = []
    for i, message in enumerate(batch["messages"]):
        (corpus / "message" / f"{path.stem}_{i}.bin").write_bytes(h(message["bytes"]))
        entries.append(b"\x01" + market + h(message["bytes"]) + h(message["signature"]))
        (corpus / "chain_records" / f"{path.stem}_entry_{i}.bin").write_bytes(entries[-1])
        admission = market + u64(ts) + h(message["bytes"]) + h(message["signature"])
        (corpus / "node_records" / f"{path.stem}_admission_{i}.bin").write_bytes(admission)
    proposal = b"\x01" + u64(seq) + u64(ts) + u32(len(entries)) + b"".join(u32(len(e)) + e for e in entries)
    (corpus / "chain_records" / f"{path.stem}_proposal.bin").write_bytes(proposal)
    header = (b"\x01" + u64(seq) + h(pi["prevRoot"]) + u64(ts) + h(pi["newRoot"]) + h(pi["tradesRoot"])
              + u32(1) + u64(seq))
    (corpus / "chain_records" / f"{path.stem}_header.bin").write_bytes(header)
    first = 100 * seq  # made-up global index of the batch's first message
    messages = b"".join(
        u64(first + i) + u64(first + i) + h(m["bytes"]) + h(m["signature"]) + h(m["msgHash"]) + outcome(o)
        for i, (m, o) in enumerate(zip(batch["messages"], batch["outcomes"])))
    trades = [(first + o["index"], f) for o in batch["outcomes"] for f in o.get("fills", [])]
    record = (b"\x01" + u64(seq) + u64(seq) + market + h(batch["expectedPublicInputs"]) + h(pi["prevRoot"])
              + h(pi["newRoot"]) + u32(len(batch["messages"])) + messages + u32(len(trades))
              + b"".join(u64(i) + trade(market, t) for i, t in trades))
    (corpus / "node_records" / f"{path.stem}_batch.bin").write_bytes(record)
PY
for target in guest_input message chain_records node_records; do
    echo "seeded $(ls "$here/corpus/$target" | wc -l) inputs of $target"
done
