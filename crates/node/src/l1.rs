//! The node's link to its L1 bridge (docs/BRIDGE.md): where the contracts are, and the two tasks
//! that keep numo and L1 in step.
//!
//! - The **listener** reads deposit and forced-withdrawal records from L1 blocks with at least
//!   `confirmations` blocks on top (`numo_l1::Reader`, which checks block-hash continuity), and
//!   queues them for the next block. It keeps no cursor on disk: after a restart it reads the
//!   bridge's records again from the deployment block, and the queue keeps only those at or
//!   past the state's `nextDepositIndex` / `nextForcedIndex` (F4), so nothing is skipped or
//!   credited twice.
//! - The **settler** sends, every `settle_interval`, the next epoch: the contiguous batches after
//!   the bridge's `lastBatchSeq`, each with its public inputs (F13), signed by the operator
//!   (the committee of a dev node). It never includes a batch whose re-execution failed, nor a
//!   funding batch not yet re-executed; it waits for its transaction's confirmations and sends
//!   again when a reorg dropped it.

use crate::node::Node;
use crate::store::{ChainStore, Verification};
use alloy_primitives::{Address, U256};
use numo_funding::{Deposit, ForcedWithdrawal};
use numo_guest::kind::BatchKind;
use numo_l1::{Cursor, Deployment, L1Event, PrivateKeySigner, Reader, Settler};
use std::collections::BTreeSet;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Meta key of the deployment record in the data dir.
pub const META_L1_DEPLOYMENT: &str = "l1_deployment";
/// Batches per epoch, at most (bounds the settle transaction's calldata and gas).
pub const MAX_EPOCH_BATCHES: usize = 64;
/// Longest wait for a settle transaction's confirmations before trying again.
pub const SETTLE_CONFIRM_TIMEOUT: Duration = Duration::from_secs(60);
/// Pause after an L1 error before the next attempt (grows to 8× on repeated errors).
pub const L1_RETRY_BASE: Duration = Duration::from_millis(500);
/// Listener poll interval.
pub const LISTEN_INTERVAL: Duration = Duration::from_millis(250);
/// Forced-withdrawal window of a dev bridge (seconds of L1 time).
pub const DEV_FORCED_WINDOW_S: u64 = 600;

/// How the node talks to its L1.
#[derive(Debug, Clone)]
pub struct L1Config {
    /// JSON-RPC URL.
    pub rpc_url: String,
    /// Blocks on top of a record's block before it counts (dev default 2).
    pub confirmations: u64,
    /// Interval between settlements.
    pub settle_interval: Duration,
    /// Sends settlements and signs epochs (the dev committee of one); dev: anvil's account 0.
    pub operator: PrivateKeySigner,
    /// Deploy dev tokens and a bridge on first start when the data dir has no deployment.
    pub deploy_dev: bool,
    /// Accounts the dev tokens are minted to (anvil's ten default accounts).
    pub mint_to: Vec<Address>,
}

/// What the node knows of its L1 while running.
#[derive(Debug)]
pub struct L1Link {
    /// The L1 JSON-RPC endpoint.
    pub rpc_url: String,
    /// The contracts.
    pub deployment: Deployment,
    /// Blocks on top of a record's block before it counts.
    pub confirmations: u64,
    /// The last `batchSeq` the bridge has settled (read from L1).
    pub last_settled_batch: AtomicU64,
    /// The L1 block the listener has processed up to.
    pub listened_block: AtomicU64,
    /// Withdrawal ids the bridge reports claimed.
    pub claimed: Mutex<BTreeSet<u64>>,
}

impl L1Link {
    /// Whether the bridge has paid withdrawal `id` (as of the settler's last look).
    pub fn is_claimed(&self, id: u64) -> bool {
        self.claimed.lock().expect("claimed lock").contains(&id)
    }
}

/// Why the node cannot link to its L1.
#[derive(Debug, thiserror::Error)]
pub enum L1StartError {
    /// The L1 failed.
    #[error("L1: {0}")]
    L1(#[from] numo_l1::L1Error),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The stored deployment does not parse.
    #[error("stored L1 deployment is corrupt: {0}")]
    Corrupt(String),
    /// No deployment in the data dir and none may be made.
    #[error("neither the data dir nor the genesis names an L1 bridge: start with --dev to deploy a dev one, or run `numo l1 deploy` and add its [l1] section to the genesis")]
    NoDeployment,
    /// The data dir's bridge is not on this L1 (another chain, or a fresh anvil).
    #[error("the L1 at {url} (chain {chain}) has no bridge at {bridge}: the data dir was deployed on another L1")]
    NotDeployedHere {
        /// RPC URL.
        url: String,
        /// Its chain id.
        chain: u64,
        /// The bridge the data dir names.
        bridge: Address,
    },
}

/// The tokens that back the genesis balances, per asset (the bridge must hold them from block 0
/// so that tokens held = numo balances holds at every settled point).
fn genesis_totals(node: &Node) -> Vec<numo_l1::DevAsset> {
    node.genesis
        .assets
        .iter()
        .map(|asset| {
            let total = node
                .genesis
                .balances
                .iter()
                .filter(|b| b.asset_id == asset.asset_id)
                .fold(U256::ZERO, |sum, b| sum.saturating_add(b.available));
            numo_l1::DevAsset {
                asset_id: asset.asset_id,
                symbol: asset.symbol.clone(),
                decimals: asset.decimals,
                genesis_total: total,
            }
        })
        .collect()
}

/// Loads the data dir's deployment (deploying a dev one first if asked), checks it is on this
/// L1, installs the link on `node` and starts the listener and the settler on the current tokio
/// runtime.
pub async fn start(node: Arc<Node>, config: L1Config) -> Result<(), L1StartError> {
    let stored = node.store.meta(META_L1_DEPLOYMENT)?;
    let deployment = match (stored, &node.genesis.l1) {
        (Some(bytes), _) => {
            serde_json::from_slice::<Deployment>(&bytes).map_err(|e| L1StartError::Corrupt(e.to_string()))?
        }
        // A real venue: the genesis names the bridge (`numo l1 deploy` wrote the section).
        (None, Some(l1)) => {
            let deployment = Deployment {
                l1_chain_id: l1.chain_id,
                bridge: l1.bridge,
                verifier: l1.verifier,
                tokens: l1.tokens.clone(),
                deploy_block: l1.deploy_block,
                deployer: Address::ZERO,
            };
            let bytes = serde_json::to_vec(&deployment).expect("deployment serializes");
            node.store.set_meta(META_L1_DEPLOYMENT, &bytes)?;
            deployment
        }
        (None, None) if config.deploy_dev => {
            let funding = node.venue.funding.as_ref().map(|f| f.domain_separator()).unwrap_or_default();
            let params = numo_l1::DevDeployParams {
                assets: genesis_totals(&node),
                committee: vec![config.operator.address()],
                threshold: 1,
                genesis_root: node.genesis_root,
                funding_domain: funding,
                forced_window: DEV_FORCED_WINDOW_S,
                mint_to: config.mint_to.clone(),
            };
            let deployment = numo_l1::deploy_dev(&config.rpc_url, config.operator.clone(), params).await?;
            let bytes = serde_json::to_vec(&deployment).expect("deployment serializes");
            node.store.set_meta(META_L1_DEPLOYMENT, &bytes)?;
            tracing::info!(bridge = %deployment.bridge, "deployed the dev bridge and tokens on L1");
            deployment
        }
        (None, None) => return Err(L1StartError::NoDeployment),
    };
    let settler = Settler::new(&config.rpc_url, config.operator.clone(), deployment.bridge)?;
    let chain = settler.chain_id().await?;
    if chain != deployment.l1_chain_id || !numo_l1::rpc::has_code(&config.rpc_url, deployment.bridge).await? {
        return Err(L1StartError::NotDeployedHere { url: config.rpc_url, chain, bridge: deployment.bridge });
    }
    let last = settler.last_batch_seq().await?;
    let link = L1Link {
        rpc_url: config.rpc_url.clone(),
        deployment: deployment.clone(),
        confirmations: config.confirmations,
        last_settled_batch: AtomicU64::new(last),
        listened_block: AtomicU64::new(deployment.deploy_block),
        claimed: Mutex::default(),
    };
    if node.l1.set(link).is_err() {
        tracing::warn!("L1 link already installed");
    }
    let reader = Reader::new(&config.rpc_url, deployment.bridge, deployment.deploy_block)?;
    tokio::spawn(listen(node.clone(), reader, config.confirmations));
    tokio::spawn(settle_loop(node, settler, config));
    Ok(())
}

async fn listen(node: Arc<Node>, reader: Reader, confirmations: u64) {
    let mut cursor: Option<Cursor> = None;
    let mut failures = 0u32;
    loop {
        match reader.poll(cursor, confirmations).await {
            Ok(poll) => {
                failures = 0;
                let mut deposits = Vec::new();
                let mut forced = Vec::new();
                for event in poll.events {
                    match event {
                        L1Event::Deposit { index, asset_id, from, to, amount, .. } => {
                            deposits.push(Deposit { index, asset_id, from, to, amount });
                        }
                        L1Event::Forced { index, owner, asset_id, amount, .. } => {
                            forced.push(ForcedWithdrawal { index, owner, asset_id, amount });
                        }
                    }
                }
                {
                    let mut queue = node.funding.lock().expect("funding lock");
                    queue.add_deposits(deposits);
                    queue.add_forced(forced);
                }
                cursor = poll.cursor;
                if let (Some(link), Some(c)) = (node.l1.get(), cursor) {
                    link.listened_block.store(c.number, Relaxed);
                }
                if poll.caught_up {
                    tokio::time::sleep(LISTEN_INTERVAL).await;
                }
            }
            Err(error) => {
                // A reorg deeper than the confirmations, or an L1 outage: nothing is credited
                // from uncertain blocks; read again after a pause (a deep reorg needs an operator).
                failures = failures.saturating_add(1);
                tracing::error!(%error, "L1 listener");
                tokio::time::sleep(L1_RETRY_BASE * failures.min(8)).await;
            }
        }
    }
}

/// The epoch to settle after `last_settled`: `U8 kind ‖ public inputs` per batch (F13), and its
/// last `batchSeq`; `None` when no batch is ready.
///
/// An epoch holds whole blocks, so every settled root is a block's state root (an escape proof
/// is then a proof against a block's state, which replay rebuilds): at most
/// [`MAX_EPOCH_BATCHES`] batches, unless one block alone has more.
pub fn next_epoch(node: &Node, last_settled: u64) -> Result<Option<(Vec<u8>, u64)>, crate::store::StoreError> {
    let committed = node.chain.read().expect("chain lock").counters.next_batch_seq.saturating_sub(1);
    let mut epoch = Vec::new();
    // (batchSeq, its block, epoch length after it)
    let mut included: Vec<(u64, u64, usize)> = Vec::new();
    for seq in last_settled + 1..=committed {
        let verification = node.store.verification(seq)?;
        if verification == Verification::Mismatch {
            tracing::error!(batch_seq = seq, "not settling: the batch failed re-execution");
            break;
        }
        let (kind, height, public_inputs) = if let Some(batch) = node.store.batch(seq)? {
            let must_verify = node.config.verify == crate::config::VerifyMode::All;
            if must_verify && verification != Verification::Verified {
                break;
            }
            (BatchKind::Trading, batch.block_height, batch.public_inputs.to_vec())
        } else if let Some(batch) = node.store.funding_batch(seq)? {
            if verification != Verification::Verified {
                break;
            }
            (BatchKind::Funding, batch.block_height, batch.public_inputs.to_vec())
        } else if let Some(batch) = node.store.evm_batch(seq)? {
            // An EVM batch (E10) moves no L1 funds, but its roots chain the settled state: it is
            // settled like the others, once re-executed.
            if verification != Verification::Verified {
                break;
            }
            (BatchKind::Evm, batch.block_height, batch.public_inputs.to_vec())
        } else {
            break;
        };
        let first_block = included.first().map(|(_, h, _)| *h);
        if included.len() >= MAX_EPOCH_BATCHES && first_block != Some(height) {
            break;
        }
        epoch.push(kind as u8);
        epoch.extend_from_slice(&public_inputs);
        included.push((seq, height, epoch.len()));
    }
    // Whole blocks only: drop the trailing batches of a block whose later batches are not in.
    let next_height = |seq: u64| -> Result<Option<u64>, crate::store::StoreError> {
        Ok(match node.store.batch(seq)? {
            Some(batch) => Some(batch.block_height),
            None => match node.store.funding_batch(seq)? {
                Some(batch) => Some(batch.block_height),
                None => node.store.evm_batch(seq)?.map(|b| b.block_height),
            },
        })
    };
    while let Some(&(seq, height, _)) = included.last() {
        if next_height(seq + 1)? == Some(height) {
            included.retain(|(_, h, _)| *h != height);
        } else {
            break;
        }
    }
    Ok(included.last().map(|&(seq, _, len)| {
        epoch.truncate(len);
        (epoch, seq)
    }))
}

async fn settle_loop(node: Arc<Node>, settler: Settler, config: L1Config) {
    let mut failures = 0u32;
    loop {
        tokio::time::sleep(config.settle_interval).await;
        match settle_once(&node, &settler, &config).await {
            Ok(()) => failures = 0,
            Err(error) => {
                failures = failures.saturating_add(1);
                tracing::warn!(%error, "settlement attempt failed; retrying");
                tokio::time::sleep(L1_RETRY_BASE * failures.min(8)).await;
            }
        }
    }
}

async fn settle_once(node: &Node, settler: &Settler, config: &L1Config) -> Result<(), numo_l1::L1Error> {
    let link = node.l1.get().expect("the link is installed before the settler starts");
    let last = settler.last_batch_seq().await?;
    link.last_settled_batch.store(last, Relaxed);
    refresh_claimed(node, link, settler, last).await?;
    let epoch = match next_epoch(node, last) {
        Ok(Some(epoch)) => epoch,
        Ok(None) => return Ok(()),
        Err(error) => {
            tracing::error!(%error, "reading batches to settle");
            return Ok(());
        }
    };
    let (bytes, through) = epoch;
    let digest = numo_l1::epoch_digest(link.deployment.l1_chain_id, link.deployment.bridge, &bytes);
    let proof = numo_l1::committee_proof(digest, std::slice::from_ref(&config.operator));
    let tx = settler.submit(bytes.into(), proof).await?;
    match settler.wait_confirmed(tx, link.confirmations, SETTLE_CONFIRM_TIMEOUT).await {
        Ok(_) => {
            link.last_settled_batch.store(through, Relaxed);
            tracing::info!(first = last + 1, last = through, %tx, "epoch settled on L1");
            Ok(())
        }
        // Dropped by a reorg: the bridge's lastBatchSeq did not move, so the next round sends
        // the same batches again.
        Err(error) => Err(error),
    }
}

/// Marks settled withdrawals the bridge has paid.
async fn refresh_claimed(
    node: &Node,
    link: &L1Link,
    settler: &Settler,
    last_settled: u64,
) -> Result<(), numo_l1::L1Error> {
    let rows = match node.store.withdrawals() {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(%error, "reading withdrawals");
            return Ok(());
        }
    };
    let known: BTreeSet<u64> = link.claimed.lock().expect("claimed lock").clone();
    for row in rows.iter().filter(|r| r.batch_seq <= last_settled && !known.contains(&r.record.id)) {
        if settler.is_claimed(row.record.id).await? {
            link.claimed.lock().expect("claimed lock").insert(row.record.id);
        }
    }
    Ok(())
}
