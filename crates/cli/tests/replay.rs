//! `numo replay` against a real node's data: after a load run and a `kill -9`, the chain
//! replays from genesis with the block function and matches; a tampered proposal is named by
//! its block; a data dir of another storage format is refused, by replay and by the node, with
//! both versions named.

mod common;

use common::RunningNode;
use numo_chain::Proposal;
use redb::ReadableTable;
use std::path::Path;
use std::process::{Command, Output};

fn numo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_numo")).args(args).output().unwrap()
}

fn replay(data_dir: &Path) -> (i32, String) {
    let output = numo(&["replay", "--data-dir", data_dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap(), text)
}

/// Rewrites a row of one of the store's `u64 → bytes` tables (the node must be stopped).
fn rewrite(data_dir: &Path, table: &str, key: u64, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let db = redb::Database::create(data_dir.join("numo.redb")).unwrap();
    let def: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new(table);
    let txn = db.begin_write().unwrap();
    {
        let mut rows = txn.open_table(def).unwrap();
        let bytes = rows.get(key).unwrap().unwrap().value().to_vec();
        rows.insert(key, edit(bytes).as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

#[test]
fn a_node_s_chain_replays_from_genesis_after_a_load_run_and_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let args = ["--dev-accounts", "20", "--block-interval-ms", "20", "--verify", "off"];
    let mut node = RunningNode::start(&data, &args, &dir.path().join("node.log"));
    let load = numo(&["load", "--node", &node.url, "--rate", "300", "--duration", "2s", "--accounts", "20", "--json"]);
    assert!(load.status.success(), "load failed: {}", String::from_utf8_lossy(&load.stderr));

    // While the node runs, its data dir is locked: replay says so and reads nothing.
    let (code, text) = replay(&data);
    assert_eq!(code, 2, "{text}");
    node.kill();

    let (code, text) = replay(&data);
    assert_eq!(code, 0, "{text}");
    let blocks: u64 = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(text.starts_with("replayed ") && blocks > 5, "{text}");
    assert!(text.contains("every header and PublicInputs match"), "{text}");

    // Block 3's proposal, one second later: the replayed header's time (and hash) differ.
    rewrite(&data, "proposals", 3, |bytes| {
        let mut proposal = Proposal::decode(&bytes).unwrap();
        proposal.timestamp_ms += 1_000;
        proposal.encode()
    });
    let (code, text) = replay(&data);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("block 3 differs: header timestampMs"), "{text}");
}

#[test]
fn a_data_dir_of_another_storage_format_is_refused_with_both_versions_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut node = RunningNode::start(&data, &["--verify", "off"], &dir.path().join("node.log"));
    node.kill();
    {
        let db = redb::Database::create(data.join("numo.redb")).unwrap();
        let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let txn = db.begin_write().unwrap();
        txn.open_table(def).unwrap().insert("format_version", 1u32.to_be_bytes().as_slice()).unwrap();
        txn.commit().unwrap();
    }
    let (code, text) = replay(&data);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("storage format version 1, this numo reads version 5"), "{text}");
    let started = numo(&["node", "--dev", "--http", "127.0.0.1:0", "--data-dir", data.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&started.stderr);
    assert!(!started.status.success());
    assert!(text.contains("storage format version 1, this numo reads version 5"), "{text}");
}
