//! Runs a numo exchange: admits signed messages durably, cuts them into 100 ms blocks of
//! per-market batches executed by the one transition, stores everything in redb, re-verifies
//! every batch with the guest, and serves it all over HTTP.
//!
//! Start here: [`start`] opens a [`node::Node`] and runs it. A message goes
//! [`submission`] (parse) → [`admission`] (checks, durable log) → mempool → [`sequencer`]
//! (blocks of per-market batches) → [`store`] (one atomic commit per block); [`api`] serves the
//! views from [`chain`] and [`stream`] pushes each committed block to WebSocket subscribers;
//! [`verifier`] re-runs the guest on every stored witness; [`prover`] (optional) proves batches
//! with SP1. The same commit keeps the web app's indexes — [`candles`] and each account's
//! [`history`] — which [`api_market`] and [`api_history`] serve in human units ([`units`]);
//! [`web`] serves the embedded app itself.
//!
//! On a consensus venue ([`start_consensus`], `numo node --home`; docs/CONSENSUS.md) the block
//! loop is replaced by [`consensus_app`]: Malachite (`numo-consensus`) asks it to propose from
//! the mempool in the fair order, to validate others' proposals, and to commit decided blocks
//! through the same [`sequencer::commit_block`]; the mempool is shared over `numo-gossip`
//! ([`ingress::Broadcast`]), and [`home`] holds the per-node configuration and testnet layout.

pub mod admission;
pub mod api;
pub mod api_funding;
pub mod api_history;
pub mod api_market;
pub mod candles;
pub mod chain;
pub mod config;
pub mod consensus;
pub mod consensus_app;
pub mod error;
pub mod evm_admission;
pub mod evm_block;
pub mod evm_pool;
pub mod evm_rpc;
pub mod evm_state;
pub mod funding;
pub mod genesis;
pub mod history;
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
pub mod stored_evm;
pub mod stored_funding;
pub mod stream;
pub mod submission;
pub mod units;
pub mod verifier;
pub mod web;
pub mod witness;

use config::NodeConfig;
use genesis::VenueGenesis;
use node::{Node, StartError};
use numo_consensus::Application;
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

/// Why a consensus node cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ConsensusStartError {
    /// The node itself (store, genesis, key).
    #[error(transparent)]
    Node(#[from] StartError),
    /// The genesis has no usable validator set.
    #[error("validator set: {0}")]
    Validators(String),
    /// The mempool network.
    #[error("mempool network: {0}")]
    Gossip(#[from] numo_gossip::GossipError),
    /// The consensus engine.
    #[error("consensus engine: {0}")]
    Engine(#[from] numo_consensus::StartError),
}

/// Carries admitted messages over the gossip network, stamped with this node's Lamport time.
struct GossipBroadcast(numo_gossip::Gossip);

impl ingress::Broadcast for GossipBroadcast {
    fn publish(&self, lamport: u64, payload: Vec<u8>) {
        if let Err(error) = self.0.publish_stamped(lamport, payload) {
            tracing::warn!(%error, "mempool gossip refused a message; it stays in this node's mempool");
        }
    }
}

/// Opens the node of a consensus venue from its `home` and starts its verifier, the mempool
/// network (K7) and Malachite (docs/CONSENSUS.md). Must run inside a tokio runtime; serve the
/// API with [`serve`].
pub async fn start_consensus(config: NodeConfig, home: &home::Home) -> Result<Arc<Node>, ConsensusStartError> {
    start_consensus_with(config, home, |app| app).await
}

/// [`start_consensus`] with the node's [`Application`] wrapped by `wrap` (tests run a byzantine
/// proposer this way; a node passes it through).
pub async fn start_consensus_with(
    config: NodeConfig,
    home: &home::Home,
    wrap: impl FnOnce(Arc<consensus_app::ConsensusApp>) -> Arc<dyn Application>,
) -> Result<Arc<Node>, ConsensusStartError> {
    let Some(set) = &home.genesis.consensus else {
        return Err(ConsensusStartError::Validators("the genesis has no [consensus] section".into()));
    };
    let validators = set
        .validators
        .iter()
        .map(|v| numo_consensus::Validator::new(v.public_key, v.power))
        .collect::<Result<Vec<_>, _>>()
        .and_then(numo_consensus::ValidatorSet::new)
        .map_err(|e| ConsensusStartError::Validators(e.to_string()))?;
    let key = match home.validator_key {
        Some(key) => Some(
            numo_consensus::ValidatorKey::from_bytes(key.to_secret_bytes())
                .map_err(|e| ConsensusStartError::Validators(e.to_string()))?,
        ),
        None => None,
    };
    let data_dir = config.data_dir.clone();
    let block_interval = std::time::Duration::from_millis(config.block_interval_ms.max(1));
    let node = Node::open(config, home.genesis.clone())?;
    let verify = spawn_verifier(&node)?;
    node.consensus.get_or_init(|| consensus::ConsensusLink::new(key.is_some()));

    let gossip_config = numo_gossip::GossipConfig {
        key: home.p2p_key,
        listen: home.config.mempool.listen,
        peers: home.config.mempool.peers.clone(),
        limits: numo_gossip::GossipLimits::default(),
    };
    let (gossip, mut received) = numo_gossip::Gossip::start(gossip_config).await?;
    let _ = node.broadcast.set(Box::new(GossipBroadcast(gossip.clone())));
    let receiver = node.clone();
    tokio::spawn(async move {
        while let Some(message) = received.recv().await {
            let node = receiver.clone();
            let lamport = message.message.lamport;
            // Signature recovery is CPU work: off the async workers.
            let payload = message.message.payload;
            let _ = tokio::task::spawn_blocking(move || {
                if let Err(reason) = consensus_app::admit_gossip(&node, lamport, &payload) {
                    node.metrics.refuse("gossip_refused");
                    tracing::debug!(reason, "gossiped message not admitted");
                }
            })
            .await;
        }
    });
    let regossip = node.clone();
    tokio::spawn(async move {
        // Messages admitted before a restart: peers may not have them.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if let Some(broadcast) = regossip.broadcast.get() {
            consensus_app::regossip_pending(&regossip, broadcast.as_ref());
        }
    });

    let timeouts = numo_consensus::Timeouts {
        propose: std::time::Duration::from_millis(limits::PROPOSE_TIMEOUT_MS),
        ..numo_consensus::Timeouts::for_block_time(block_interval)
    };
    let consensus_config = numo_consensus::ConsensusConfig {
        chain_id: home.genesis.chain_id,
        home: data_dir,
        key,
        p2p_key: home.p2p_key,
        listen: home.config.consensus.listen,
        peers: home.config.consensus.peers.clone(),
        validators,
        timeouts,
        max_value_bytes: numo_consensus::DEFAULT_MAX_VALUE_BYTES,
    };
    let app = wrap(Arc::new(consensus_app::ConsensusApp::new(node.clone(), verify)));
    let handle = numo_consensus::start(consensus_config, app).await?;
    let watcher = node.clone();
    tokio::spawn(async move {
        // Holds the engine for the life of the process and copies its peer counts to /health.
        loop {
            if let Some(link) = watcher.consensus.get() {
                link.peers.store(handle.status().peers as u64, std::sync::atomic::Ordering::Relaxed);
                link.mempool_peers.store(gossip.peers() as u64, std::sync::atomic::Ordering::Relaxed);
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
    Ok(node)
}
