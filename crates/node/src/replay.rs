//! Offline replay (`numo replay --data-dir DIR`): re-executes every stored block from the
//! genesis recorded in the data dir with the chain's one block function, checking signatures as
//! any outsider must, and compares each header, each batch's PublicInputs, outcomes, trades and
//! witness, and the final state with what the node stored. The node must be stopped (redb holds
//! a lock on an open data dir).

use crate::genesis::{GenesisError, VenueGenesis};
use crate::store::{ChainStore, Store, StoreError};
use alloy_primitives::B256;
use numo_chain::{execute_block, BlockError, BlockOptions, BlockOutput, ChainTip, Proposal, Venue};
use numo_host::FullState;
use std::ops::ControlFlow;
use std::path::Path;

/// What a replay that found every block as stored went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Blocks re-executed.
    pub blocks: u64,
    /// Batches compared.
    pub batches: u64,
    /// Entries re-executed.
    pub entries: u64,
    /// State root after the last block.
    pub final_root: B256,
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The data dir has no database.
    #[error("no numo data in {0} (expected numo.redb)")]
    NoData(String),
    /// Storage failed, or the data dir is of another format (or still open by a node).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data dir does not record its genesis (it was never initialised).
    #[error("the data dir records no genesis")]
    NoGenesis,
    /// The recorded genesis does not parse.
    #[error("the recorded genesis is invalid: {0}")]
    Genesis(#[from] GenesisError),
    /// A record the chain needs is missing.
    #[error("block {height}: {what} is not stored")]
    Missing {
        /// Block height.
        height: u64,
        /// What is missing.
        what: String,
    },
    /// The block function refused a stored proposal.
    #[error("block {height}: the block function refused its proposal: {error}")]
    Refused {
        /// Block height.
        height: u64,
        /// Why.
        error: BlockError,
    },
    /// No block of the data dir has this state root.
    #[error("no block of the data dir has state root {0}")]
    RootNotFound(B256),
    /// Re-execution disagrees with what was stored: the first difference found.
    #[error("block {height} differs: {what}")]
    Differs {
        /// Block height (0 for the genesis or the final state).
        height: u64,
        /// What differs, with both values.
        what: String,
    },
}

/// A stored chain opened for re-execution: its store, recorded genesis and last height.
struct StoredChain {
    store: Store,
    genesis: VenueGenesis,
    loaded: crate::store::Loaded,
}

impl StoredChain {
    fn open(dir: &Path) -> Result<Self, ReplayError> {
        if !dir.join("numo.redb").is_file() {
            return Err(ReplayError::NoData(dir.display().to_string()));
        }
        let store = Store::open(dir)?;
        let genesis = VenueGenesis::from_toml(&store.genesis_toml()?.ok_or(ReplayError::NoGenesis)?)?;
        genesis.validate()?;
        let loaded = store.load()?;
        Ok(Self { store, genesis, loaded })
    }

    fn last_height(&self) -> u64 {
        self.loaded.last_block.as_ref().map_or(0, |h| h.height)
    }

    /// Re-executes stored blocks from genesis with the block function (signatures checked),
    /// comparing each header, and hands each block's output to `visit` until it breaks; returns
    /// the state and the tip after the last block executed.
    fn walk(
        &self,
        mut visit: impl FnMut(u64, &Proposal, &BlockOutput, &FullState) -> Result<ControlFlow<()>, ReplayError>,
    ) -> Result<(FullState, ChainTip), ReplayError> {
        let venue = Venue::new(self.genesis.markets.iter().map(|m| m.context));
        let mut state = self.genesis.initial_state();
        let mut tip = ChainTip::genesis(state.root());
        for height in 1..=self.last_height() {
            let missing = |what: &str| ReplayError::Missing { height, what: what.to_string() };
            let header = self.store.block(height)?.ok_or_else(|| missing("header"))?;
            let proposal = self.store.proposal(height)?.ok_or_else(|| missing("proposal"))?;
            let output = execute_block(&venue, &mut state, &tip, &proposal, BlockOptions::VERIFYING)
                .map_err(|error| ReplayError::Refused { height, error })?;
            if output.header != header {
                return Err(differs(height, header_difference(&header, &output.header)));
            }
            tip = output.tip;
            if visit(height, &proposal, &output, &state)?.is_break() {
                break;
            }
        }
        Ok((state, tip))
    }
}

/// Rebuilds the state of the data dir `dir` as of the block whose state root is `root` (the
/// genesis counts as block 0): what an owner needs to prove a balance against the bridge's last
/// settled root after a freeze (F14; epochs hold whole blocks, so a settled root is a block's).
/// Every block up to it is re-executed with signatures checked and its header compared.
pub fn state_at_root(dir: &Path, root: B256) -> Result<(FullState, u64), ReplayError> {
    let chain = StoredChain::open(dir)?;
    if chain.genesis.genesis_root() == root {
        return Ok((chain.genesis.initial_state(), 0));
    }
    let mut found = None;
    let (state, _) = chain.walk(|height, _, output, _| {
        if output.header.state_root == root {
            found = Some(height);
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    })?;
    found.map(|height| (state, height)).ok_or(ReplayError::RootNotFound(root))
}

fn differs(height: u64, what: impl Into<String>) -> ReplayError {
    ReplayError::Differs { height, what: what.into() }
}

/// Replays the data dir `dir` from genesis.
pub fn replay(dir: &Path) -> Result<ReplaySummary, ReplayError> {
    let chain = StoredChain::open(dir)?;
    let genesis_root = chain.genesis.genesis_root();
    if chain.loaded.genesis_root != Some(genesis_root) {
        let stored = chain.loaded.genesis_root.map_or("none".to_string(), |r| r.to_string());
        return Err(differs(0, format!("genesis root: stored {stored}, recorded genesis gives {genesis_root}")));
    }
    let store = &chain.store;
    let mut summary = ReplaySummary { blocks: 0, batches: 0, entries: 0, final_root: genesis_root };
    let last = chain.last_height();
    let (state, tip) = chain.walk(|height, proposal, output, _| {
        let missing = |what: &str| ReplayError::Missing { height, what: what.to_string() };
        for batch in &output.batches {
            let seq = batch.batch_seq;
            let stored = store.batch(seq)?.ok_or_else(|| missing(&format!("batch {seq}")))?;
            if stored.public_inputs != batch.public_inputs {
                return Err(differs(height, format!("batch {seq} PublicInputs")));
            }
            let outcomes: Vec<_> = stored.messages.iter().map(|m| m.outcome).collect();
            if outcomes != batch.report.outcomes {
                return Err(differs(height, format!("batch {seq} message outcomes")));
            }
            let trades: Vec<_> = stored.trades.iter().map(|(_, t)| *t).collect();
            if trades != batch.report.trades {
                return Err(differs(height, format!("batch {seq} trades")));
            }
            if store.witness(seq)?.as_deref() != Some(batch.witness.as_slice()) {
                return Err(differs(height, format!("batch {seq} witness")));
            }
        }
        for batch in &output.funding {
            let seq = batch.batch_seq;
            let stored = store.funding_batch(seq)?.ok_or_else(|| missing(&format!("funding batch {seq}")))?;
            if stored.public_inputs != batch.public_inputs {
                return Err(differs(height, format!("funding batch {seq} public inputs")));
            }
            let outcomes: Vec<_> = stored.messages.iter().map(|(_, outcome)| *outcome).collect();
            if outcomes != batch.report.outcomes || stored.withdrawals != batch.report.withdrawals {
                return Err(differs(height, format!("funding batch {seq} outcomes or withdrawals")));
            }
            if store.witness(seq)?.as_deref() != Some(batch.witness.as_slice()) {
                return Err(differs(height, format!("funding batch {seq} witness")));
            }
        }
        for batch in &output.evm {
            let seq = batch.batch_seq;
            let stored = store.evm_batch(seq)?.ok_or_else(|| missing(&format!("EVM batch {seq}")))?;
            if stored.public_inputs != batch.public_inputs {
                return Err(differs(height, format!("EVM batch {seq} public inputs")));
            }
            if store.witness(seq)?.as_deref() != Some(batch.witness.as_slice()) {
                return Err(differs(height, format!("EVM batch {seq} witness")));
            }
            match &batch.report {
                numo_guest::evm::EvmBatchReport::System(report) => {
                    let expected = crate::stored_evm::EvmBatchFacts::System {
                        messages: report.messages.clone(),
                        outcomes: report.outcomes.clone(),
                        trades: report.trades.clone(),
                    };
                    if stored.facts != expected {
                        return Err(differs(height, format!("EVM batch {seq} messages, outcomes or trades")));
                    }
                }
                numo_guest::evm::EvmBatchReport::Block(report) => {
                    let number = report.header.number;
                    let block = store.evm_block(number)?.ok_or_else(|| missing(&format!("EVM block {number}")))?;
                    let hashes: Vec<B256> = report.executed.iter().map(|t| t.tx.hash()).collect();
                    if block.hash != report.hash
                        || block.header_rlp != alloy_rlp::encode(&report.header)
                        || block.tx_hashes != hashes
                    {
                        return Err(differs(height, format!("EVM block {number} header or transactions")));
                    }
                }
            }
        }
        summary.blocks += 1;
        summary.batches += (output.batches.len() + output.funding.len() + output.evm.len()) as u64;
        summary.entries += proposal.entries.len() as u64;
        Ok(ControlFlow::Continue(()))
    })?;
    summary.final_root = state.root();
    let loaded = chain.loaded;
    let stored_state = FullState::from_entries(loaded.state);
    if stored_state.root() != state.root() {
        return Err(differs(
            last,
            format!("final state: stored leaves hash to {}, replay gives {}", stored_state.root(), state.root()),
        ));
    }
    let counters = (loaded.counters.next_batch_seq, loaded.counters.next_global_index);
    if counters != (tip.next_batch_seq, tip.next_global_index) {
        return Err(differs(
            last,
            format!("counters: stored {counters:?}, replay gives ({}, {})", tip.next_batch_seq, tip.next_global_index),
        ));
    }
    Ok(summary)
}

/// The first header field that differs, with both values.
fn header_difference(stored: &numo_chain::BlockHeader, replayed: &numo_chain::BlockHeader) -> String {
    // In header order, so the cause comes before what it changed (a time before the roots).
    let fields = [
        ("height", stored.height.to_string(), replayed.height.to_string()),
        ("parentHash", stored.parent_hash.to_string(), replayed.parent_hash.to_string()),
        ("timestampMs", stored.timestamp_ms.to_string(), replayed.timestamp_ms.to_string()),
        ("stateRoot", stored.state_root.to_string(), replayed.state_root.to_string()),
        ("batchesRoot", stored.batches_root.to_string(), replayed.batches_root.to_string()),
        ("batchSeqs", format!("{:?}", stored.batch_seqs), format!("{:?}", replayed.batch_seqs)),
        ("hash", stored.hash.to_string(), replayed.hash.to_string()),
    ];
    let (name, a, b) = fields.into_iter().find(|(_, a, b)| a != b).unwrap_or(("header", String::new(), String::new()));
    format!("header {name}: stored {a}, replayed {b}")
}
