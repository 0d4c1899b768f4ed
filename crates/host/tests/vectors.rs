//! The batch vectors of `shared/spec/vectors/batches`: the guest on each `guestInput` gives
//! `expectedPublicInputs`, and the host builder, from `preState` and the same signed
//! messages, reproduces those PublicInputs, the `postState` root and every entry, with a
//! blob of its own that the guest accepts too. The three batches chain from genesis. The
//! guest's touched-keys log matches each vector's `touchedKeysDigest` and `touchedKeyCount`
//! (C23, C25).

use alloy_primitives::{hex, B256};
use numo_host::json::{self, b256, hex_bytes};
use numo_host::{build_batch, FullState};
use serde_json::Value;
use std::path::PathBuf;

const BATCHES: [&str; 3] = ["batch_1_plain_cross", "batch_2_rejects_and_cancel", "batch_3_multifill_fees_hints"];

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/batches").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn entries(v: &Value) -> Vec<(B256, Vec<u8>)> {
    let list = v["entries"].as_array().unwrap();
    list.iter().map(|e| (b256(&e["key"], "key").unwrap(), hex_bytes(&e["value"], "value").unwrap())).collect()
}

#[test]
fn guest_reproduces_expected_public_inputs() {
    for name in BATCHES {
        let v = load(&format!("{name}.json"));
        let blob = hex_bytes(&v["guestInput"], "guestInput").unwrap();
        let output = numo_guest::run(&blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            hex::encode_prefixed(output.public_inputs.encode()),
            v["expectedPublicInputs"].as_str().unwrap(),
            "{name}"
        );
        let outcomes = v["outcomes"].as_array().unwrap();
        for (ours, theirs) in output.report.outcomes.iter().zip(outcomes) {
            assert_eq!(ours.is_accepted(), theirs["status"] == "accepted", "{name} message {}", theirs["index"]);
        }
        assert_eq!(output.report.trades.len(), v["trades"].as_array().unwrap().len(), "{name}");
    }
}

#[test]
fn guest_reproduces_touched_keys_digest_and_count() {
    // C23/C25: the digest of every access in the C25 order, and the number of accesses
    // (repeats included), are conformance values of each vector's blob.
    for name in BATCHES {
        let v = load(&format!("{name}.json"));
        let blob = hex_bytes(&v["guestInput"], "guestInput").unwrap();
        let output = numo_guest::run(&blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        let touched = &output.report.touched;
        assert_eq!(touched.digest(), b256(&v["touchedKeysDigest"], "touchedKeysDigest").unwrap(), "{name}");
        assert_eq!(Some(touched.count()), v["touchedKeyCount"].as_u64(), "{name}");
    }
}

#[test]
fn host_builder_reproduces_each_batch_from_its_pre_state() {
    let genesis = json::genesis(&load("genesis.json")).unwrap();
    let ctx = genesis.context;
    for name in BATCHES {
        let v = load(&format!("{name}.json"));
        let mut state = FullState::from_entries(entries(&v["preState"]));
        assert_eq!(state.root(), b256(&v["preState"]["root"], "root").unwrap(), "{name} preState root");
        let messages = json::signed_messages(&v["messages"], &ctx.domain_separator()).unwrap();
        let seq = v["batchSeq"].as_u64().unwrap();
        let timestamp = v["batchTimestamp"].as_u64().unwrap();
        let built = build_batch(&mut state, &ctx, seq, timestamp, messages).unwrap_or_else(|e| panic!("{name}: {e}"));

        assert_eq!(
            hex::encode_prefixed(built.public_inputs.encode()),
            v["expectedPublicInputs"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(state.root(), b256(&v["postState"]["root"], "root").unwrap(), "{name} postState root");
        let ours: Vec<(B256, Vec<u8>)> = state.entries().map(|(k, v)| (*k, v.clone())).collect();
        let mut theirs = entries(&v["postState"]);
        theirs.sort();
        assert_eq!(ours, theirs, "{name} postState entries");

        let guest = numo_guest::run(&built.blob).unwrap_or_else(|e| panic!("{name} (our blob): {e}"));
        assert_eq!(guest.public_inputs, built.public_inputs, "{name}: guest on the host's blob");
        assert_eq!(guest.report.touched.digest(), built.report.touched.digest(), "{name}: touched-keys digest");
    }
}

#[test]
fn batches_chain_from_genesis() {
    let genesis = json::genesis(&load("genesis.json")).unwrap();
    let mut state = genesis.state;
    let ctx = genesis.context;
    for name in BATCHES {
        let v = load(&format!("{name}.json"));
        assert_eq!(state.root(), b256(&v["prevRoot"], "prevRoot").unwrap(), "{name}");
        let messages = json::signed_messages(&v["messages"], &ctx.domain_separator()).unwrap();
        let seq = v["batchSeq"].as_u64().unwrap();
        build_batch(&mut state, &ctx, seq, v["batchTimestamp"].as_u64().unwrap(), messages).unwrap();
        assert_eq!(state.root(), b256(&v["postState"]["root"], "root").unwrap(), "{name}");
    }
}

#[test]
fn prechecked_builder_matches_the_full_one() {
    let genesis = json::genesis(&load("genesis.json")).unwrap();
    let ctx = genesis.context;
    for name in BATCHES {
        let v = load(&format!("{name}.json"));
        let messages = json::signed_messages(&v["messages"], &ctx.domain_separator()).unwrap();
        let (seq, ts) = (v["batchSeq"].as_u64().unwrap(), v["batchTimestamp"].as_u64().unwrap());
        let mut full = FullState::from_entries(entries(&v["preState"]));
        let mut prechecked = FullState::from_entries(entries(&v["preState"]));
        let a = build_batch(&mut full, &ctx, seq, ts, messages.clone()).unwrap();
        let b = numo_host::build_batch_verified(&mut prechecked, &ctx, seq, ts, messages).unwrap();
        assert_eq!((a.blob, a.public_inputs, a.writes), (b.blob, b.public_inputs, b.writes), "{name}");
    }
}
