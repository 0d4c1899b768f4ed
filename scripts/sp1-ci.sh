#!/usr/bin/env bash
# SP1 checks of CI: SP1 execution of the spec's vector batches, a funding batch and EVM blocks
# must commit exactly each expected public inputs (with cycles per EVM transfer printed), and
# batch-invalid blobs (a bad signature, a wrong header commitment, a tampered EVM witness)
# must make the program fail. Needs the program (scripts/build-sp1-program.sh) and the prover
# host (cargo build --profile sp1 -p numo --features sp1) built first; .ci/run does both.
set -euo pipefail
cd "$(dirname "$0")/.."

numo=target/sp1/numo
elf=target/sp1/numo-sp1-batch.elf
vectors=../shared/spec/vectors/batches
[[ -x $numo ]] || { echo "missing $numo: cargo build --profile sp1 -p numo --features sp1"; exit 1; }
[[ -f $elf ]] || { echo "missing $elf: scripts/build-sp1-program.sh"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

failures=0
for vector in "$vectors"/batch_*.json; do
    name=$(basename "$vector" .json)
    field "$vector" guestInput > "$work/$name.hex"
    expected=$(field "$vector" expectedPublicInputs)
    "$numo" prove --elf "$elf" --mode execute --input "$work/$name.hex" > "$work/$name.out"
    committed=$(head -n1 "$work/$name.out")
    if [[ $committed == "$expected" ]]; then
        echo "ok   $name: $(grep -E '^(cycles|keccak|secp256k1|uint256)' "$work/$name.out" | paste -sd, -)"
    else
        echo "FAIL $name: committed $committed, expected $expected"
        failures=$((failures + 1))
    fi
done

# Batch-invalid blobs, derived from vector 1: the program must fail (exit 1, `invalid:`), as the
# native guest does.
python3 - "$vectors/batch_1_plain_cross.json" "$work" <<'PY'
import json, sys
vector, work = json.load(open(sys.argv[1])), sys.argv[2]
blob = bytearray.fromhex(vector["guestInput"][2:])
signature = bytes.fromhex(vector["messages"][0]["signature"][2:])
at = blob.find(signature)
assert at > 0 and blob.count(signature) == 1, "signature not found once in the blob"
bad_signature = bytearray(blob)
bad_signature[at + 31] ^= 0x01  # last byte of r: here no curve point has that x
open(f"{work}/bad_signature.hex", "w").write("0x" + bad_signature.hex())
bad_signer = bytearray(blob)
bad_signer[at + 63] ^= 0x01  # last byte of s (still low): recovers another key
open(f"{work}/bad_signer.hex", "w").write("0x" + bad_signer.hex())
bad_header = bytearray(blob)
bad_header[40] ^= 0x01  # inside the header's batchDigest
open(f"{work}/bad_header.hex", "w").write("0x" + bad_header.hex())
PY
for name in bad_signature bad_signer bad_header; do
    set +e
    "$numo" prove --elf "$elf" --mode execute --input "$work/$name.hex" > "$work/$name.out" 2> "$work/$name.err"
    status=$?
    set -e
    if [[ $status -eq 1 ]] && grep -q '^invalid: ' "$work/$name.err"; then
        echo "ok   $name fails: $(grep -m1 '^invalid: ' "$work/$name.err" | cut -c1-160)"
    else
        echo "FAIL $name: exit $status, stdout $(head -c 200 "$work/$name.out"), stderr $(head -c 300 "$work/$name.err")"
        failures=$((failures + 1))
    fi
done

# A funding batch (F12: a deposit, a signed withdrawal, a forced withdrawal): the program reads
# the kind byte first and must commit the 400-byte public inputs the native guest computes
# (the fixture is kept current by crates/cli/tests/guest_funding.rs).
fixtures=testing/fixtures
"$numo" prove --elf "$elf" --mode execute --kind funding --input "$fixtures/funding_batch.hex" > "$work/funding.out"
committed=$(head -n1 "$work/funding.out")
expected=$(tr -d '[:space:]' < "$fixtures/funding_batch.public_inputs.hex")
if [[ $committed == "$expected" ]]; then
    echo "ok   funding_batch: $(grep -E '^(cycles|keccak|secp256k1|uint256)' "$work/funding.out" | paste -sd, -)"
else
    echo "FAIL funding_batch: committed $committed, expected $expected"
    failures=$((failures + 1))
fi

# EVM blocks (E11, kind 3): 1 and 6 simple value transfers, 1 and 6 ERC20 transfers (an
# OpenZeppelin token), built deterministically and kept current by
# crates/host/tests/evm_fixtures.rs. The program must commit the 225-byte public inputs the
# native guest computes; the cost of one transfer is (cycles(6) − cycles(1)) / 5, which leaves
# out what every block pays once (decoding, the header, the roots, loading the token's code).
evm_fixtures=crates/host/tests/fixtures/evm
declare -A evm_cycles
for name in value_1 value_6 erc20_1 erc20_6; do
    "$numo" prove --elf "$elf" --mode execute --kind evm --input "$evm_fixtures/$name.hex" > "$work/evm_$name.out" || true
    committed=$(head -n1 "$work/evm_$name.out")
    expected=$(tr -d '[:space:]' < "$evm_fixtures/$name.public_inputs.hex")
    evm_cycles[$name]=$(sed -n 's/^cycles: //p' "$work/evm_$name.out")
    if [[ $committed == "$expected" ]]; then
        echo "ok   evm $name: $(grep -E '^(cycles|keccak|secp256k1|uint256)' "$work/evm_$name.out" | paste -sd, -)"
    else
        echo "FAIL evm $name: committed $committed, expected $expected"
        failures=$((failures + 1))
    fi
done
for kind in value erc20; do
    one=${evm_cycles[${kind}_1]:-}
    six=${evm_cycles[${kind}_6]:-}
    if [[ -n $one && -n $six ]]; then
        echo "evm cycles per $kind transfer: $(((six - one) / 5)) ((cycles(6) $six - cycles(1) $one) / 5)"
    fi
done

# Invalid EVM blobs: a proven value changed (committed, proof_mismatch in the native guest) and
# a truncated blob (malformed). The program must fail as the native guest does.
cp "$evm_fixtures/erc20_1_bad_proof.hex" "$work/evm_bad_proof.hex"
python3 - "$evm_fixtures/erc20_1.hex" "$work/evm_truncated.hex" <<'PY'
import sys
blob = bytes.fromhex(open(sys.argv[1]).read().strip()[2:])
open(sys.argv[2], "w").write("0x" + blob[:-1].hex())
PY
for name in evm_bad_proof evm_truncated; do
    set +e
    "$numo" prove --elf "$elf" --mode execute --kind evm --input "$work/$name.hex" > "$work/$name.out" 2> "$work/$name.err"
    status=$?
    set -e
    if [[ $status -eq 1 ]] && grep -q '^invalid: ' "$work/$name.err"; then
        echo "ok   $name fails: $(grep -m1 '^invalid: ' "$work/$name.err" | cut -c1-160)"
    else
        echo "FAIL $name: exit $status, stdout $(head -c 200 "$work/$name.out"), stderr $(head -c 300 "$work/$name.err")"
        failures=$((failures + 1))
    fi
done

if ((failures)); then
    echo "$failures SP1 check(s) failed"
    exit 1
fi
echo "SP1 checks passed"
