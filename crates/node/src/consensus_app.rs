//! The node's side of BFT consensus (docs/CONSENSUS.md): what a validator proposes, what it
//! refuses, and how a decided block is executed and committed. `numo_consensus` runs Malachite
//! and calls these methods; everything here is the same block function, store and views the
//! single-operator node uses — only the source of the proposal changes.
//!
//! - **Propose** (K2, K8): wait until messages are pending and a block interval has passed since
//!   the parent (or the heartbeat is due), take the mempool's executable messages (per
//!   `(trader, market)`, the committed nonce onwards), sort them into the fair order, and bind
//!   the parent's hash (K1). Nothing executes at proposal time.
//! - **Validate** (K3): `numo_chain::validate_value` against the committed tip and state.
//! - **Commit**: execute the decided proposal with the block function and commit it with its
//!   certificate in one transaction, matching its entries to this node's mempool (their
//!   submitters are answered) and dropping the mempool entries it made stale.

use crate::consensus::ConsensusLink;
use crate::ingress::{self, Broadcast, Origin};
use crate::limits::{HEARTBEAT_MS, MAX_MESSAGES_PER_BLOCK};
use crate::node::Node;
use crate::sequencer::{commit_block, now_ms, BlockInput, Local};
use crate::store::ChainStore;
use crate::submission::Submission;
use alloy_primitives::{Address, B256};
use numo_chain::order::sort_canonical;
use numo_chain::{validate_value, BlockOptions, BlockValue, ClobEntry, Entry, Proposal, ValidationRules};
use numo_consensus::{Application, Certificate};
use numo_stf::{Message, Signature, SignedMessage};
use std::collections::HashMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// [`Application`] over a [`Node`].
pub struct ConsensusApp {
    node: Arc<Node>,
    verify: Mutex<Sender<u64>>,
    /// When the current height's first round started (decide latency).
    height_started: Mutex<Option<(u64, Instant)>>,
}

impl ConsensusApp {
    /// The app of `node`; committed batch numbers go to `verify` (the background verifier).
    pub fn new(node: Arc<Node>, verify: Sender<u64>) -> Self {
        Self { node, verify: Mutex::new(verify), height_started: Mutex::new(None) }
    }

    /// The venue the app validates against (for wrappers, e.g. a test's byzantine proposer).
    pub fn venue(&self) -> &numo_chain::Venue {
        &self.node.venue
    }

    fn link(&self) -> Option<&ConsensusLink> {
        self.node.consensus.get()
    }

    /// K3 against the committed tip; `now_ms` is `None` for a value that came with its
    /// certificate (sync).
    pub fn check(&self, value: &[u8], now_ms: Option<u64>) -> Result<BlockValue, String> {
        let value = BlockValue::decode(value).map_err(|e| format!("malformed: {e}"))?;
        // Entries this node admitted itself had their signatures recovered at admission.
        let admitted: HashMap<(B256, Signature), Message> = {
            let mempool = self.node.mempool.lock().expect("mempool lock");
            mempool.iter().map(|e| ((e.market_id, e.signed.signature), e.signed.message)).collect()
        };
        let chain = self.node.chain.read().expect("chain lock");
        let tip = chain.tip(self.node.genesis_root);
        let rules = ValidationRules { now_ms, max_entries: MAX_MESSAGES_PER_BLOCK, funding_allowed: false };
        let next_nonce = |trader: &Address, market: &B256| {
            chain.read::<numo_stf::values::NextNonce>(&numo_stf::keys::nonce_key(trader, market)).0
        };
        let verified =
            |entry: &ClobEntry| admitted.get(&(entry.market_id, entry.signed.signature)) == Some(&entry.signed.message);
        validate_value(&self.node.venue, &tip, &value, rules, next_nonce, verified).map_err(|e| {
            if let Some(link) = self.link() {
                link.refused_proposals.fetch_add(1, Relaxed);
            }
            format!("{}: {e}", e.code())
        })?;
        Ok(value)
    }

    /// The entries an honest proposer takes now: per `(trader, market)`, the mempool's messages
    /// from the committed nonce on without a gap, in admission order, at most a block's worth.
    fn executable(&self) -> Vec<ClobEntry> {
        let chain = self.node.chain.read().expect("chain lock");
        let mempool = self.node.mempool.lock().expect("mempool lock");
        let mut next: HashMap<(Address, B256), u64> = HashMap::new();
        let mut taken = Vec::new();
        for entry in mempool.iter() {
            if taken.len() == MAX_MESSAGES_PER_BLOCK {
                break;
            }
            let message = &entry.signed.message;
            let pair = (message.trader(), entry.market_id);
            let expected = *next.entry(pair).or_insert_with(|| {
                chain.read::<numo_stf::values::NextNonce>(&numo_stf::keys::nonce_key(&pair.0, &pair.1)).0
            });
            if message.nonce() == expected {
                next.insert(pair, expected + 1);
                taken.push(ClobEntry { market_id: entry.market_id, signed: entry.signed });
            }
        }
        taken
    }

    /// Which proposal entries this node admitted: `(trader, market, nonce)` with the same
    /// signature as a mempool entry.
    fn local_parts(&self, proposal: &Proposal) -> Vec<Local> {
        let mempool = self.node.mempool.lock().expect("mempool lock");
        let mine: HashMap<(Address, B256, u64), (u64, Signature, Message)> = mempool
            .iter()
            .map(|e| {
                let m = &e.signed.message;
                ((m.trader(), e.market_id, m.nonce()), (e.seq, e.signed.signature, *m))
            })
            .collect();
        proposal
            .entries
            .iter()
            .map(|entry| match entry {
                Entry::Clob(c) => {
                    let m = &c.signed.message;
                    match mine.get(&(m.trader(), c.market_id, m.nonce())) {
                        Some((seq, signature, message)) if *signature == c.signed.signature && message == m => {
                            Local::Admitted(*seq)
                        }
                        _ => Local::None,
                    }
                }
                Entry::Funding(_) | Entry::Evm(_) => Local::None,
            })
            .collect()
    }
}

impl Application for ConsensusApp {
    fn start_height(&self) -> u64 {
        self.node.chain.read().expect("chain lock").tip(self.node.genesis_root).height + 1
    }

    fn propose(&self, height: u64, round: u32, deadline: Instant) -> Vec<u8> {
        let interval = self.node.config.block_interval_ms;
        loop {
            let parent_ms = self.node.chain.read().expect("chain lock").tip(self.node.genesis_root).timestamp_ms;
            let now = now_ms();
            // An executable EVM transaction or a due system batch (E1, E7) counts as pending.
            let pending =
                !self.node.mempool.lock().expect("mempool lock").is_empty() || crate::evm_block::block_due(&self.node);
            let due = (pending && now >= parent_ms + interval) || now >= parent_ms + HEARTBEAT_MS;
            // Leave a margin before the engine's deadline: a late value is a lost round.
            if due || Instant::now() + Duration::from_millis(20) >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let chain = self.node.chain.read().expect("chain lock");
        let tip = chain.tip(self.node.genesis_root);
        drop(chain);
        let entries = sort_canonical(&self.node.venue, &tip.hash, self.executable())
            .expect("mempool entries name known markets and carry increasing nonces");
        // E1, K2: at an EVM height this node's executable pool transactions, after every CLOB
        // entry. EVM transactions are not gossiped: only the proposer's own pool is proposed.
        let evm = crate::evm_block::proposal_entries(&self.node, height);
        let proposal = Proposal {
            height,
            timestamp_ms: now_ms().max(tip.timestamp_ms),
            entries: entries.into_iter().map(Entry::Clob).chain(evm).collect(),
        };
        tracing::debug!(height, round, entries = proposal.entries.len(), "proposing");
        BlockValue { parent_hash: tip.hash, proposal }.encode()
    }

    fn validate(&self, _height: u64, proposer: Address, value: &[u8]) -> Result<(), String> {
        self.check(value, Some(now_ms())).map(|_| ()).inspect_err(|reason| {
            tracing::warn!(%proposer, reason, "refusing a proposal");
        })
    }

    fn validate_synced(&self, _height: u64, proposer: Address, value: &[u8]) -> Result<(), String> {
        self.check(value, None).map(|_| ()).inspect_err(|reason| {
            tracing::warn!(%proposer, reason, "refusing a synced value");
        })
    }

    fn commit(&self, value: &[u8], certificate: &Certificate) -> Result<(), String> {
        let value = BlockValue::decode(value).map_err(|e| format!("decided value does not decode: {e}"))?;
        let tip = self.node.chain.read().expect("chain lock").tip(self.node.genesis_root);
        let height = value.proposal.height;
        if height <= tip.height {
            // Replayed after a crash: committed already (the store holds it with its block).
            return Ok(());
        }
        if height != tip.height + 1 || value.parent_hash != tip.hash {
            return Err(format!(
                "decided block {height} on {} does not extend the tip {} ({})",
                value.parent_hash, tip.height, tip.hash
            ));
        }
        let local = self.local_parts(&value.proposal);
        let input = BlockInput {
            proposal: value.proposal,
            local,
            // Every value reaching commit passed `check` here (proposals and synced values alike)
            // or was built by this node from its own admitted mempool: every signature is
            // verified already.
            options: BlockOptions::ADMITTED,
            certificate: Some(certificate.encode()),
        };
        let batches = match commit_block(&self.node, input) {
            Ok(batches) => batches,
            Err(error) => {
                // The node never serves a chain it could not persist.
                tracing::error!("block commit failed, stopping: {error}");
                std::process::exit(70)
            }
        };
        let verify = self.verify.lock().expect("verify lock");
        for seq in batches {
            let _ = verify.send(seq);
        }
        let started = self.height_started.lock().expect("height lock").take();
        if let (Some(link), Some((h, at))) = (self.link(), started) {
            if h == height {
                link.record_decide(at.elapsed().as_millis() as u64);
            }
        }
        Ok(())
    }

    fn update_certificate(&self, certificate: &Certificate) {
        if let Err(error) = self.node.store.set_certificate(certificate.height, &certificate.encode()) {
            tracing::warn!(%error, height = certificate.height, "could not store the finalized certificate");
        }
    }

    fn decided(&self, height: u64) -> Option<(Vec<u8>, Certificate)> {
        let header = self.node.store.block(height).ok()??;
        let proposal = self.node.store.proposal(height).ok()??;
        let certificate = Certificate::decode(&self.node.store.certificate(height).ok()??).ok()?;
        Some((BlockValue { parent_hash: header.parent_hash, proposal }.encode(), certificate))
    }

    fn history_min_height(&self) -> u64 {
        self.node.store.first_block_height().ok().flatten().unwrap_or(1)
    }

    fn on_round(&self, height: u64, round: u32, proposer: Address) {
        let mut started = self.height_started.lock().expect("height lock");
        if started.is_none_or(|(h, _)| h != height) {
            *started = Some((height, Instant::now()));
        }
        if let Some(link) = self.link() {
            link.height.store(height, Relaxed);
            link.round.store(u64::from(round), Relaxed);
            *link.proposer.lock().expect("proposer lock") = Some(proposer);
        }
    }
}

/// Admits a peer's gossiped message through the one ingress (K7). Refusals are expected (the
/// same message admitted here already, a nonce another message took) and only counted.
pub fn admit_gossip(node: &Node, lamport: u64, payload: &[u8]) -> Result<(), String> {
    let entry = Entry::decode(&[&[numo_chain::EntryKind::Clob as u8][..], payload].concat())
        .map_err(|e| format!("malformed mempool payload: {e}"))?;
    let Entry::Clob(clob) = entry else { return Err("not a CLOB message".into()) };
    let submission = Submission { market: Some(clob.market_id), signed: clob.signed };
    ingress::submit_from(node, submission, false, Origin::Peer { lamport }).map(|_| ()).map_err(|r| r.message)
}

/// Re-gossips this node's pending messages (after a restart, or for peers that missed them):
/// their Lamport stamps are kept.
pub fn regossip_pending(node: &Node, broadcast: &dyn Broadcast) {
    let pending: Vec<(u64, B256, SignedMessage)> =
        node.mempool.lock().expect("mempool lock").iter().map(|e| (e.lamport, e.market_id, e.signed)).collect();
    for (lamport, market_id, signed) in pending {
        broadcast.publish(lamport, ingress::mempool_payload(&market_id, &signed));
    }
}
