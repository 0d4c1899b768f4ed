//! `numo verify` against the real node binary: it passes an honest chain of more than 100
//! batches anchored at the dev genesis root, and raises a fraud alert (exit 1) when the
//! node's stored batch was tampered with: a changed outcome, a changed root, a dropped message.

mod common;

use alloy_primitives::{hex, B256, U256};
use common::RunningNode;
use numo_node::genesis::{dev_accounts, VenueGenesis};
use numo_node::stored::StoredBatch;
use numo_stf::signature::sign_digest;
use numo_stf::{Message, MessageOutcome, Place, PublicInputs, RejectReason};
use redb::ReadableTable;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const BATCHES: u64 = 110;

/// A dev node on `dir/data` with 5 ms blocks and no background verifier (the test is the
/// verifier), logging to `dir/node.log`.
fn start(dir: &Path) -> RunningNode {
    RunningNode::start(&dir.join("data"), &["--block-interval-ms", "5", "--verify", "off"], &dir.join("node.log"))
}

fn verify(node: &RunningNode) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_numo"))
        .args(["verify", "--node", &node.url, "--dev", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}"));
    (output.status.code().unwrap(), report)
}

/// One crossing order per batch: accounts 0 and 1 alternate sells and buys at one price. Returns
/// each order's `batchSeq`: one trading batch per message, with the empty EVM block of every
/// 10th height (E1, a kind-3 batch) taking a `batchSeq` between them.
fn submit_orders(node: &RunningNode) -> Vec<u64> {
    let genesis = VenueGenesis::dev();
    let market = genesis.markets.iter().find(|m| m.symbol == "WETH/USDC").unwrap().context;
    let client = reqwest::blocking::Client::new();
    let mut seqs: Vec<u64> = Vec::new();
    for i in 0..BATCHES {
        let account = (i % 2) as usize;
        let message = Message::Place(Place {
            trader: dev_accounts()[account].address,
            nonce: i / 2,
            order_id: B256::left_padding_from(&(i + 1).to_be_bytes()),
            side: account as u8,
            tif: 0,
            tick: 300_000,
            qty: U256::from(10u64.pow(17)),
        });
        let signature = sign_digest(&dev_accounts()[account].secret, &message.hash(&market.domain_separator()));
        let body = json!({ "message": hex::encode_prefixed(message.encode()), "signature": hex::encode_prefixed(signature.0) });
        let answer: Value =
            client.post(format!("{}/v1/messages", node.url)).json(&body).send().unwrap().json().unwrap();
        let seq = answer["batchSeq"].as_u64().unwrap();
        assert!(seqs.last().is_none_or(|last| seq > *last), "one batch per message: {answer}");
        seqs.push(seq);
    }
    seqs
}

/// Rewrites batch `seq`'s stored record with `edit` (the node must be stopped).
fn tamper(data_dir: &Path, seq: u64, edit: impl FnOnce(&mut StoredBatch)) -> Vec<u8> {
    let db = redb::Database::create(data_dir.join("numo.redb")).unwrap();
    let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("batches");
    let txn = db.begin_write().unwrap();
    let original = {
        let mut batches = txn.open_table(table).unwrap();
        let original = batches.get(seq).unwrap().unwrap().value().to_vec();
        let mut record = StoredBatch::decode(&original).unwrap();
        edit(&mut record);
        batches.insert(seq, record.encode().as_slice()).unwrap();
        original
    };
    txn.commit().unwrap();
    original
}

fn restore(data_dir: &Path, seq: u64, original: &[u8]) {
    let db = redb::Database::create(data_dir.join("numo.redb")).unwrap();
    let table: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("batches");
    let txn = db.begin_write().unwrap();
    txn.open_table(table).unwrap().insert(seq, original).unwrap();
    txn.commit().unwrap();
}

#[test]
fn honest_chain_passes_and_tampered_batches_raise_fraud_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let node = start(dir.path());
    let seqs = submit_orders(&node);
    let (code, report) = verify(&node);
    assert_eq!(code, 0, "{report}");
    let verified = report["batchesVerified"].as_u64().unwrap();
    assert!(verified >= *seqs.last().unwrap(), "every batch, the EVM blocks' included: {report}");
    assert!(verified > BATCHES, "the chain passed EVM heights, whose kind-3 batches verify too: {report}");
    assert_eq!(report["anchoredAtGenesis"], true);
    drop(node);

    type Edit = Box<dyn FnOnce(&mut StoredBatch)>;
    let cases: Vec<(u64, &str, Edit)> = vec![
        (
            seqs[16],
            "outcome of message 0",
            Box::new(|r| r.messages[0].outcome = MessageOutcome::Rejected(RejectReason::InsufficientBalance)),
        ),
        (seqs[41], "record newRoot differs", Box::new(|r| r.new_root = B256::repeat_byte(7))),
        (seqs[62], "message count differs", Box::new(|r| r.messages.clear())),
        (
            seqs[79],
            "public inputs differ",
            Box::new(|r| {
                let mut pi = r.public_inputs.encode();
                pi[34] ^= 1;
                r.public_inputs = PublicInputs::decode(&pi).unwrap();
            }),
        ),
    ];
    for (seq, what, edit) in cases {
        let original = tamper(&dir.path().join("data"), seq, edit);
        let node = start(dir.path());
        let (code, alert) = verify(&node);
        assert_eq!(code, 1, "tampered batch {seq} must be caught: {alert}");
        assert_eq!(alert["fraud"], true);
        assert_eq!(alert["batchSeq"], seq);
        assert!(alert["what"].as_str().unwrap().contains(what), "{alert}");
        drop(node);
        restore(&dir.path().join("data"), seq, &original);
    }
    let node = start(dir.path());
    assert_eq!(verify(&node).0, 0, "restored chain is honest again");
}
