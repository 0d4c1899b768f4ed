//! Runs a numo exchange: admits signed messages durably, cuts them into 100 ms blocks of
//! per-market batches executed by the one transition, stores everything in redb, re-verifies
//! every batch with the guest, and serves it all over HTTP.
//!
//! Start here: [`start`] opens a [`node::Node`] and runs it. A message goes
//! [`submission`] (parse) → [`admission`] (checks, durable log) → mempool → [`sequencer`]
//! (blocks of per-market batches) → [`store`] (one atomic commit per block); [`api`] serves the
//! views from [`chain`] and [`stream`] pushes each committed block to WebSocket subscribers;
//! [`verifier`] re-runs the guest on every stored witness; [`prover`] (optional) proves batches
//! with SP1.

pub mod admission;
pub mod api;
pub mod api_funding;
pub mod chain;
pub mod config;
pub mod consensus;
pub mod error;
pub mod funding;
pub mod genesis;
pub mod home;
pub mod ingress;
pub mod l1;
pub mod limits;
pub mod metrics;
pub mod node;
pub mod prover;
pub mod records;
pub mod replay;
pub mod sequencer;
pub mod signer;
pub mod store;
pub mod stored;
pub mod stored_funding;
pub mod stream;
pub mod submission;
pub mod verifier;
pub mod witness;

use config::NodeConfig;
use genesis::VenueGenesis;
use node::{Node, StartError};
use sequencer::LocalSequencer;
use std::sync::Arc;

/// Opens the node and starts its block producer and verifier threads. Serve the API with
/// [`serve`].
pub fn start(config: NodeConfig, genesis: VenueGenesis) -> Result<Arc<Node>, StartError> {
    let node = Node::open(config, genesis)?;
    let verify_tx = spawn_verifier(&node)?;
    let producer = node.clone();
    std::thread::Builder::new()
        .name("numo-blocks".into())
        .spawn(move || sequencer::run_block_loop(producer, LocalSequencer::default(), verify_tx))
        .expect("spawn the block producer");
    Ok(node)
}

/// Starts the verifier thread and hands it the batches committed before a crash but not
/// checked yet; returns where to send the numbers of newly committed batches.
fn spawn_verifier(node: &Arc<Node>) -> Result<std::sync::mpsc::Sender<u64>, StartError> {
    let (verify_tx, verify_rx) = std::sync::mpsc::channel();
    if node.config.verify != config::VerifyMode::Off {
        let unchecked = node.store.last_verified_batch()?.unwrap_or(0) + 1;
        let next = node.chain.read().expect("chain lock").counters.next_batch_seq;
        for batch_seq in unchecked..next {
            let _ = verify_tx.send(batch_seq);
        }
    }
    let verifier = node.clone();
    std::thread::Builder::new()
        .name("numo-verifier".into())
        .spawn(move || verifier::run_verifier(verifier, verify_rx))
        .expect("spawn the verifier");
    Ok(verify_tx)
}

/// Serves the HTTP API on `listener` until the process ends.
pub async fn serve(node: Arc<Node>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, api::router(node)).await
}
