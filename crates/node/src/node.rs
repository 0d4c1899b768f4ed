//! Wires a node together: opens the store, restores and checks the chain, re-admits pending
//! messages, and starts the log writer, block producer, verifier and HTTP server.

use crate::admission::Admission;
use crate::chain::ChainState;
use crate::config::NodeConfig;
use crate::genesis::{MarketSpec, VenueGenesis};
use crate::metrics::Metrics;
use crate::records::{AdmissionEntry, MessageRecord, TradeRecord};
use crate::store::{Store, StoreError};
use crate::stream::StreamHub;
use alloy_primitives::{Address, B256};
use numo_chain::block::DropReason;
use numo_chain::Venue;
use numo_host::FullState;
use numo_stf::keys::nonce_key;
use numo_stf::values::NextNonce;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::oneshot;

/// What a sequenced message's sender learns once its block commits.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Block height.
    pub block_height: u64,
    /// Batch number.
    pub batch_seq: u64,
    /// The message as executed (global index, outcome, reason).
    pub record: MessageRecord,
    /// Its fills.
    pub fills: Vec<TradeRecord>,
}

/// The answer promised to a waiting submitter: a receipt, or why its block dropped it.
pub type Outcome = Result<Receipt, DropReason>;

/// Why the node cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data dir belongs to another genesis.
    #[error("data dir belongs to genesis root {stored}, this genesis has root {configured}")]
    WrongGenesis {
        /// Root recorded in the data dir.
        stored: B256,
        /// Root of the configured genesis.
        configured: B256,
    },
    /// The node's signing key cannot be read or created.
    #[error("node key: {0}")]
    Key(String),
    /// The stored state does not hash to the last block's root: never serve it.
    #[error("stored state root {computed} does not match block {height} root {expected}")]
    RootMismatch {
        /// Block height.
        height: u64,
        /// Root in the header.
        expected: B256,
        /// Root of the stored leaves.
        computed: B256,
    },
}

/// A running node's shared parts.
pub struct Node {
    /// Settings.
    pub config: NodeConfig,
    /// Venue genesis.
    pub genesis: VenueGenesis,
    /// Root of the genesis state, computed once at open (hashing the genesis state is far too
    /// costly to repeat per block).
    pub genesis_root: B256,
    /// Markets by id (ascending: the fixed order batches are cut in).
    pub markets: BTreeMap<B256, MarketSpec>,
    /// The markets' contexts, as the block function takes them.
    pub venue: Venue,
    /// Durable storage.
    pub store: Arc<Store>,
    /// Committed chain.
    pub chain: RwLock<ChainState>,
    /// Admission checks and the log writer.
    pub admission: Admission,
    /// Durable messages waiting for a block, in admission order.
    pub mempool: Arc<Mutex<VecDeque<AdmissionEntry>>>,
    /// Submitters waiting for their block, by mempool sequence number.
    pub waiters: Mutex<HashMap<u64, oneshot::Sender<Outcome>>>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Set when the node can no longer admit (the log failed).
    pub failure: Arc<Mutex<Option<String>>>,
    /// Live streams: the block producer publishes each committed block here.
    pub streams: StreamHub,
    /// The SP1 prover's live state (idle unless `--prover sp1`).
    pub prover: crate::prover::ProverState,
    /// Deposits, forced withdrawals and signed withdrawals waiting for a block.
    pub funding: Mutex<crate::funding::FundingQueue>,
    /// The L1 bridge, when the node runs with `--l1-rpc` (set once at start).
    pub l1: std::sync::OnceLock<crate::l1::L1Link>,
    /// This node's Lamport clock (K7, seed 003): ticks when a client's message is admitted (and
    /// gossiped), jumps past every peer's stamp; orders the mempool causally, never execution.
    pub lamport: numo_gossip::LamportClock,
    /// The mempool network, on a consensus venue (set once at start).
    pub broadcast: std::sync::OnceLock<Box<dyn crate::ingress::Broadcast>>,
    /// The consensus engine's view, on a consensus venue (set once at start).
    pub consensus: std::sync::OnceLock<crate::consensus::ConsensusLink>,
    /// The key this node signs receipts with (K6): its validator key, or a key of its own kept
    /// in the data dir.
    pub signer: crate::signer::NodeSigner,
    /// The EVM's pool and its durable log (`eth_sendRawTransaction`, issue 12).
    pub evm: crate::evm_admission::EvmAdmission,
    /// How the node runs, for `GET /v1/info` (set once by its starter; unset, the node
    /// describes itself from what it knows).
    pub run_info: std::sync::OnceLock<crate::config::RunInfo>,
}

/// The state from the last tree snapshot plus the keys written since (no full rehash), or,
/// without a usable snapshot, from the leaves alone.
fn restore_state(loaded: &mut crate::store::Loaded) -> FullState {
    let entries = std::mem::take(&mut loaded.state);
    let started = std::time::Instant::now();
    if let Some(bytes) = loaded.tree_snapshot.take() {
        let restored = numo_smt::SparseMerkleTree::decode_snapshot(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|tree| FullState::restore(entries.iter().cloned(), tree, &loaded.dirty));
        match restored {
            Ok(full) => {
                tracing::info!(
                    keys = full.len(),
                    dirty = loaded.dirty.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "tree restored from snapshot"
                );
                return full;
            }
            Err(error) => tracing::warn!(%error, "tree snapshot unusable; rehashing every leaf"),
        }
    }
    let full = FullState::from_entries(entries);
    tracing::info!(keys = full.len(), ms = started.elapsed().as_millis() as u64, "tree rebuilt from leaves");
    full
}

/// The EVM genesis block (E8) as stored: block 0 over the root after the alloc, no transactions.
pub fn evm_genesis_block(genesis: &VenueGenesis) -> crate::stored_evm::StoredEvmBlock {
    let (_, header) = genesis.initial_state_and_evm_header();
    crate::stored_evm::StoredEvmBlock {
        number: 0,
        hash: header.hash_slow(),
        exchange_height: 0,
        header_rlp: alloy_rlp::encode(&header),
        tx_hashes: Vec::new(),
    }
}

impl Node {
    /// Opens the data dir, restores and checks the chain, and re-admits pending messages.
    pub fn open(config: NodeConfig, genesis: VenueGenesis) -> Result<Arc<Self>, StartError> {
        let store = Arc::new(Store::open(&config.data_dir)?);
        let signer = match config.signer_key {
            Some(key) => crate::signer::NodeSigner::new(key),
            None => crate::signer::NodeSigner::load_or_create(&config.data_dir)
                .map_err(|e| StartError::Key(e.to_string()))?,
        };
        let genesis_root = genesis.genesis_root();
        let mut loaded = store.load()?;
        match loaded.genesis_root {
            None => {
                let state = genesis.initial_state();
                let entries: Vec<(B256, Vec<u8>)> = state.entries().map(|(k, v)| (*k, v.clone())).collect();
                store.initialise(&genesis.to_toml(), &genesis_root, &entries)?;
                loaded = store.load()?;
            }
            Some(stored) if stored != genesis_root => {
                return Err(StartError::WrongGenesis { stored, configured: genesis_root });
            }
            Some(_) => {}
        }
        store.put_evm_genesis(&evm_genesis_block(&genesis))?;
        let full = restore_state(&mut loaded);
        let (height, expected) = loaded.last_block.as_ref().map_or((0, genesis_root), |b| (b.height, b.state_root));
        if full.root() != expected {
            return Err(StartError::RootMismatch { height, expected, computed: full.root() });
        }
        let mut chain = ChainState::new(full, loaded.last_block, loaded.counters, &genesis);
        chain.dirty_since_snapshot = loaded.dirty.len();
        // The markets' recent trades live in memory: refill them from the newest stored batches,
        // so a restarted node's tape is what it was.
        for (market, trade) in store.recent_trades(crate::limits::RECENT_TRADES_RESTORE_BATCHES)? {
            chain.push_trades(market, [trade]);
        }
        let mut pending_nonces = HashMap::new();
        let mut next_seq = loaded.counters.last_executed_seq + 1;
        let mut lamport = 0;
        for entry in &loaded.pending {
            lamport = lamport.max(entry.lamport);
            let pair = (entry.signed.message.trader(), entry.market_id);
            pending_nonces.insert(pair, entry.signed.message.nonce() + 1);
            next_seq = next_seq.max(entry.seq + 1);
        }
        tracing::info!(height, root = %expected, pending = loaded.pending.len(), "chain restored");
        let mempool = Arc::new(Mutex::new(VecDeque::from(loaded.pending)));
        let metrics = Arc::new(Metrics::default());
        let failure: Arc<Mutex<Option<String>>> = Arc::default();
        let on_failure = {
            let failure = failure.clone();
            move |reason: String| *failure.lock().expect("failure lock") = Some(reason)
        };
        let admission = Admission::start(store.clone(), mempool.clone(), next_seq, pending_nonces, on_failure);
        let (evm_pool, evm_next_seq, obsolete) =
            crate::evm_admission::restore_pool(&loaded.evm_pending, genesis.chain_id);
        if !obsolete.is_empty() {
            store.append_evm_admissions(&[], &obsolete)?;
        }
        tracing::info!(pending = evm_pool.len(), "EVM pool restored");
        let evm = crate::evm_admission::EvmAdmission::start(store.clone(), evm_pool, evm_next_seq);
        let markets: BTreeMap<B256, MarketSpec> =
            genesis.markets.iter().map(|m| (m.context.market_id, m.clone())).collect();
        let streams = StreamHub::new(height, markets.keys().copied());
        let venue = Venue::new(markets.values().map(|m| m.context));
        Ok(Arc::new(Self {
            config,
            genesis,
            genesis_root,
            markets,
            venue,
            store,
            chain: RwLock::new(chain),
            admission,
            mempool,
            waiters: Mutex::default(),
            metrics,
            failure,
            streams,
            prover: crate::prover::ProverState::default(),
            funding: Mutex::default(),
            l1: std::sync::OnceLock::new(),
            lamport: numo_gossip::LamportClock::new(lamport),
            broadcast: std::sync::OnceLock::new(),
            consensus: std::sync::OnceLock::new(),
            signer,
            evm,
            run_info: std::sync::OnceLock::new(),
        }))
    }

    /// The committed `nextNonce` of a trader in a market (C9).
    pub fn committed_nonce(&self, trader: &Address, market: &B256) -> u64 {
        self.chain.read().expect("chain lock").read::<NextNonce>(&nonce_key(trader, market)).0
    }

    /// After a block executed on `chain`: takes out of the mempool the entries it executed
    /// (`executed`, when the block was not cut from the mempool's front: a consensus venue) and
    /// those it made stale — their nonce is below the `(trader, market)`'s committed one, because
    /// another message with that nonce was decided. Returns the stale ones with the committed
    /// nonce, for their submitters, and the seqs of entries the block holds although they were
    /// not matched to it (`in_block`: a message gossiped, decided and committed before this
    /// node's own log write put it in the mempool) — executed, not stale.
    pub fn take_stale(
        &self,
        chain: &ChainState,
        executed: &[u64],
        in_block: &std::collections::HashSet<(B256, numo_stf::Signature)>,
    ) -> (Vec<(AdmissionEntry, u64)>, Vec<u64>) {
        let executed: std::collections::HashSet<u64> = executed.iter().copied().collect();
        let mut mempool = self.mempool.lock().expect("mempool lock");
        let (mut stale, mut late) = (Vec::new(), Vec::new());
        mempool.retain(|entry| {
            if executed.contains(&entry.seq) {
                return false;
            }
            let message = &entry.signed.message;
            let committed = chain.read::<NextNonce>(&nonce_key(&message.trader(), &entry.market_id)).0;
            if message.nonce() >= committed {
                return true;
            }
            if in_block.contains(&(entry.market_id, entry.signed.signature)) {
                late.push(entry.seq);
            } else {
                stale.push((entry.clone(), committed));
            }
            false
        });
        (stale, late)
    }

    /// How the node runs: what its starter set, else a node of a consensus venue (`home`) or
    /// of a genesis file, without dev accounts or a known EVM JSON-RPC.
    pub fn run_info(&self) -> crate::config::RunInfo {
        use crate::config::{RunInfo, RunMode};
        self.run_info.get().cloned().unwrap_or_else(|| RunInfo {
            mode: if self.consensus.get().is_some() { RunMode::Home } else { RunMode::Genesis },
            dev_accounts: 0,
            evm_rpc: None,
        })
    }

    /// Why the node stopped admitting, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().expect("failure lock").clone()
    }
}
