//! Admission: the checks that keep every sequenced message valid (C11), the pending-nonce
//! book, and the group-committed durable log that makes an acknowledged message survive
//! `kill -9`.
//!
//! A submission is decoded, its market found and its signature verified on the calling
//! worker (both cores verify in parallel), then, under one short lock, its nonce is checked
//! against the trader's *pending* nonce for the market and it gets the next mempool sequence
//! number. The log writer thread makes queued entries durable in groups (one fsync each) and
//! only then hands them to the mempool and acknowledges them.

pub use crate::error::{Refusal, RefusalCode};
use crate::genesis::MarketSpec;
use crate::limits::LOG_GROUP_MAX;
use crate::records::AdmissionEntry;
use crate::store::Store;
use crate::store::StoreError;
use alloy_primitives::{Address, B256};
use numo_stf::exec::place::check_fields;
use numo_stf::signature::recover_signer;
use numo_stf::{Message, SignedMessage};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// A message that passed every check, before it is durable.
pub struct Checked {
    /// Its market.
    pub market_id: B256,
    /// The message and signature.
    pub signed: SignedMessage,
}

/// Finds the market whose domain the signature is under (`market` when the client says) and
/// checks the signature (C11) and the stateless C12 rules.
pub fn check(
    markets: &BTreeMap<B256, MarketSpec>,
    market: Option<B256>,
    signed: SignedMessage,
) -> Result<Checked, Refusal> {
    let trader = signed.message.trader();
    let candidates: Vec<&MarketSpec> = match market {
        Some(id) => {
            vec![markets.get(&id).ok_or_else(|| Refusal::new(RefusalCode::UnknownMarket, format!("no market {id}")))?]
        }
        None => markets.values().collect(),
    };
    let mut last_error = None;
    for spec in candidates {
        let digest = signed.message.hash(&spec.context.domain_separator());
        match recover_signer(&digest, &signed.signature) {
            Ok(recovered) if recovered == trader => {
                check_stateless(spec, &signed.message)?;
                return Ok(Checked { market_id: spec.context.market_id, signed });
            }
            Ok(recovered) => last_error = Some(format!("signature recovers {recovered}, not the trader {trader}")),
            Err(error) => last_error = Some(error.to_string()),
        }
    }
    Err(Refusal::new(RefusalCode::BadSignature, last_error.unwrap_or_else(|| "no market".to_string())))
}

/// The C12 rules that need no state, refused up front so clients learn at once. The one copy
/// of those checks is the transition's own ([`numo_stf::exec::place::check_fields`]), so
/// admission and execution cannot disagree.
fn check_stateless(spec: &MarketSpec, message: &Message) -> Result<(), Refusal> {
    let Message::Place(place) = message else { return Ok(()) };
    check_fields(&spec.context.rules, place)
        .map(|_| ())
        .map_err(|reason| Refusal::new(RefusalCode::Rejected(reason), "the message would be rejected (C12)"))
}

/// Acknowledgement of durability, or why the log could not be written.
pub type Durable = Result<(), StoreError>;

struct Queued {
    entry: AdmissionEntry,
    ack: oneshot::Sender<Durable>,
}

/// Pending nonces and the sequence counter, guarded together so sequence order equals the
/// order entries reach the log writer.
pub struct Admission {
    inner: Mutex<AdmissionInner>,
}

struct AdmissionInner {
    next_seq: u64,
    pending_nonces: HashMap<(Address, B256), u64>,
    log: mpsc::Sender<Queued>,
}

impl Admission {
    /// Starts the log writer thread; durable entries go to `mempool`. `on_failure` is called
    /// once if the log cannot be written (the node must stop admitting).
    pub fn start(
        store: Arc<Store>,
        mempool: Arc<Mutex<VecDeque<AdmissionEntry>>>,
        next_seq: u64,
        pending_nonces: HashMap<(Address, B256), u64>,
        on_failure: impl Fn(String) + Send + 'static,
    ) -> Self {
        let (log, queue) = mpsc::channel::<Queued>();
        std::thread::Builder::new()
            .name("numo-admission-log".into())
            .spawn(move || write_log(&store, &mempool, &queue, on_failure))
            .expect("spawn the admission log writer");
        Self { inner: Mutex::new(AdmissionInner { next_seq, pending_nonces, log }) }
    }

    /// Checks the nonce against the pending one (`committed` gives the on-chain value when the
    /// pair has nothing pending), reserves it, assigns the mempool sequence number and queues
    /// the entry for the log, stamped with `lamport()` (called only when the entry is admitted).
    /// Returns the sequence number and the durability receipt.
    pub fn admit(
        &self,
        checked: Checked,
        admitted_ms: u64,
        lamport: impl FnOnce() -> u64,
        committed: impl FnOnce(&Address, &B256) -> u64,
        before_queue: impl FnOnce(u64),
    ) -> Result<(u64, oneshot::Receiver<Durable>), Refusal> {
        let trader = checked.signed.message.trader();
        let nonce = checked.signed.message.nonce();
        let mut inner = self.inner.lock().expect("admission lock");
        let pair = (trader, checked.market_id);
        let expected = match inner.pending_nonces.get(&pair) {
            Some(next) => *next,
            None => committed(&trader, &checked.market_id),
        };
        if nonce != expected {
            let code = if nonce < expected { RefusalCode::NonceUsed } else { RefusalCode::NonceGap };
            return Err(Refusal::new(code, format!("nonce {nonce}, expected {expected} (C9)")));
        }
        let next = nonce
            .checked_add(1)
            .ok_or_else(|| Refusal::new(RefusalCode::NonceOverflow, "nonce increment overflows (C11)"))?;
        let seq = inner.next_seq;
        let (ack, durable) = oneshot::channel();
        // Stamped only once admitted: a refusal leaves the Lamport clock as it was.
        let lamport = lamport();
        let entry = AdmissionEntry { seq, market_id: checked.market_id, admitted_ms, lamport, signed: checked.signed };
        before_queue(seq);
        inner
            .log
            .send(Queued { entry, ack })
            .map_err(|_| Refusal::new(RefusalCode::LogUnavailable, "admission log stopped"))?;
        inner.pending_nonces.insert(pair, next);
        inner.next_seq += 1;
        Ok((seq, durable))
    }

    /// The nonce the next message of `trader` on `market` must carry when some of its messages
    /// are admitted but not yet executed; `None` means "the committed one".
    pub fn pending_nonce(&self, trader: &Address, market: &B256) -> Option<u64> {
        self.inner.lock().expect("admission lock").pending_nonces.get(&(*trader, *market)).copied()
    }

    /// Forgets pending nonces so they are read again from committed state (after a batch was
    /// dropped, C11 safety net).
    pub fn reset_pending_nonces(&self) {
        self.inner.lock().expect("admission lock").pending_nonces.clear();
    }
}

/// The log writer: drain the queue, one durable commit per group, then mempool + acks.
fn write_log(
    store: &Store,
    mempool: &Mutex<VecDeque<AdmissionEntry>>,
    queue: &mpsc::Receiver<Queued>,
    on_failure: impl Fn(String),
) {
    let mut failed: Option<StoreError> = None;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < LOG_GROUP_MAX {
            match queue.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        if failed.is_none() {
            let entries: Vec<AdmissionEntry> = group.iter().map(|q| q.entry.clone()).collect();
            match store.append_admissions(&entries) {
                Ok(()) => mempool.lock().expect("mempool lock").extend(entries),
                Err(error) => {
                    let reason = format!("admission log write failed: {error}");
                    tracing::error!("{reason}");
                    on_failure(reason);
                    failed = Some(error);
                }
            }
        }
        for queued in group {
            let _ = queued.ack.send(failed.clone().map_or(Ok(()), Err));
        }
    }
}
