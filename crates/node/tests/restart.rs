//! Restarts on the same data dir: the tree comes back from its snapshot plus the keys written
//! since (or from the leaves when there is no snapshot), the root matches the last block, the
//! counters continue, pending admissions are re-admitted, and a damaged snapshot stops the
//! node with a clear error instead of being trusted.

mod common;

use common::{weth, Trader};
use numo_node::config::{NodeConfig, VerifyMode};
use numo_node::genesis::VenueGenesis;
use numo_node::node::Node;
use numo_node::records::AdmissionEntry;
use numo_node::sequencer::produce_block;
use numo_stf::{Message, Signature, SignedMessage};
use redb::ReadableTable;
use std::sync::Arc;
use std::time::Duration;

fn config(dir: &std::path::Path, snapshot_dirty_keys: usize) -> NodeConfig {
    NodeConfig {
        http: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        block_interval_ms: 100,
        verify: VerifyMode::Off,
        snapshot_dirty_keys,
        signer_key: None,
    }
}

fn entry(t: &mut Trader, seq: u64, account: usize, order: u64, side: u8, tick: i32) -> AdmissionEntry {
    let market = t.market("WETH/USDC");
    let signed = t.place(account, market, order, side, 0, tick, weth(1));
    let hex = |v: &serde_json::Value| alloy_primitives::hex::decode(v.as_str().unwrap()).unwrap();
    let message = Message::decode(&hex(&signed["message"])).unwrap();
    let signature = Signature(hex(&signed["signature"]).try_into().unwrap());
    AdmissionEntry {
        seq,
        market_id: market,
        admitted_ms: 0,
        lamport: seq,
        signed: SignedMessage { message, signature },
    }
}

/// Drops the node and waits until its threads (the log writer among them) have closed the
/// database, so it can be opened again: the lock is free once redb opens the file itself.
fn close(node: Arc<Node>, dir: &std::path::Path) {
    drop(node);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match redb::Database::create(dir.join("numo.redb")) {
            Ok(db) => break drop(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                assert!(std::time::Instant::now() < deadline, "the node closes its database within 30 s");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(other) => panic!("reopening the database: {other}"),
        }
    }
}

#[test]
fn restart_restores_tree_counters_and_pending() {
    for snapshot_dirty_keys in [1, usize::MAX] {
        let dir = tempfile::tempdir().unwrap();
        let genesis = VenueGenesis::dev();
        let mut t = Trader::new(&genesis);
        let node = Node::open(config(dir.path(), snapshot_dirty_keys), genesis.clone()).unwrap();
        produce_block(&node, vec![entry(&mut t, 1, 0, 1, 1, 300_000), entry(&mut t, 2, 1, 2, 0, 299_000)], Vec::new())
            .unwrap();
        produce_block(&node, vec![entry(&mut t, 3, 2, 3, 0, 300_000)], Vec::new()).unwrap();
        let root = node.chain.read().unwrap().full.root();
        let counters = node.chain.read().unwrap().counters;
        let stored = node.store.load().unwrap();
        assert_eq!(stored.tree_snapshot.is_some(), snapshot_dirty_keys == 1, "a snapshot is written when due");
        // One admitted message that no block executed yet.
        node.store.append_admissions(&[entry(&mut t, 4, 3, 4, 1, 301_000)]).unwrap();
        close(node, dir.path());

        let node = Node::open(config(dir.path(), snapshot_dirty_keys), genesis.clone()).unwrap();
        assert_eq!(node.chain.read().unwrap().full.root(), root);
        assert_eq!(node.chain.read().unwrap().counters, counters);
        assert_eq!(counters.next_batch_seq, 3);
        let pending: Vec<u64> = node.mempool.lock().unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(pending, vec![4], "the unexecuted admission is back");
        let book = node.chain.read().unwrap().book_side(&t.market("WETH/USDC"), numo_stf::Side::Buy, 10);
        assert_eq!(book.len(), 1, "open-order and book views are rebuilt");
        close(node, dir.path());
    }
}

#[test]
fn damaged_snapshot_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = VenueGenesis::dev();
    let mut t = Trader::new(&genesis);
    let node = Node::open(config(dir.path(), 1), genesis.clone()).unwrap();
    for seq in 1..=4 {
        produce_block(&node, vec![entry(&mut t, seq, seq as usize, seq, 1, 300_000 + seq as i32)], Vec::new()).unwrap();
    }
    let root = node.chain.read().unwrap().full.root();
    assert!(node.store.load().unwrap().tree_snapshot.is_some());
    close(node, dir.path());
    // Corrupt one byte of the stored snapshot: its checksum no longer matches, so opening fails
    // loudly instead of serving a tree it cannot vouch for.
    {
        let db = redb::Database::create(dir.path().join("numo.redb")).unwrap();
        let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("tree");
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(def).unwrap();
            let mut bytes = table.get("snapshot").unwrap().unwrap().value().to_vec();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            table.insert("snapshot", bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let error = Node::open(config(dir.path(), 1), genesis.clone()).err().expect("a corrupt snapshot stops the node");
    assert!(error.to_string().contains("checksum"), "{error}");
    assert_ne!(root, alloy_primitives::B256::ZERO);
}
