//! Live streams over WebSocket (`GET /v1/ws`): the block producer publishes one
//! [`BlockEvent`] per committed block into a broadcast channel, and every connection
//! ([`session`]) filters it down to its subscriptions (`book`, `trades`, `blocks`, `account`).
//!
//! The producer never waits for a client: publishing is a non-blocking broadcast send, and what
//! only subscribers need (top of a book, an account's updates) is computed only while someone
//! subscribes to it. Each connection buffers a bounded number of bytes for its client; one
//! that falls behind is closed with a "slow consumer" close frame. The protocol is documented in
//! `docs/CLIENTS.md`.

pub mod event;
pub mod protocol;
pub mod session;

use crate::chain::ChainState;
use crate::records::{BatchRecord, BlockHeader};
use alloy_primitives::{Address, B256};
pub use event::BlockEvent;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::broadcast;

pub use crate::limits::{
    DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_QUEUE_BYTES,
    EVENT_BACKLOG_BLOCKS, MIN_QUEUE_BYTES,
};

/// Per-connection bounds. The defaults suit the public API; operators change them with
/// `numo node --ws-…` flags, tests lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Bytes of frames queued for one client (not yet handed to its socket) before it is
    /// closed as a slow consumer.
    pub queue_bytes: usize,
    /// Subscriptions one connection may hold at once.
    pub max_subscriptions: usize,
    /// Largest frame (and message) a client may send.
    pub max_request_bytes: usize,
    /// How long the closing handshake of a connection the node closes may take (its close
    /// frame handed to the socket and the client's answer read) before the socket is dropped.
    pub close_timeout: Duration,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            queue_bytes: DEFAULT_QUEUE_BYTES,
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            close_timeout: Duration::from_millis(DEFAULT_CLOSE_TIMEOUT_MS),
        }
    }
}

/// Who listens to what, so the producer only computes what some connection will send.
#[derive(Default)]
struct Interest {
    /// Depths of the `book` subscriptions per market (a multiset: depth → count).
    book_depths: HashMap<B256, BTreeMap<usize, usize>>,
    /// `account` subscriptions per address.
    accounts: HashMap<Address, usize>,
}

/// Counters of the streams, for operators and tests.
#[derive(Debug, Default)]
pub struct StreamCounters {
    /// Connections opened.
    pub connections: AtomicU64,
    /// Connections ended, for any reason (so `connections - closed` are open now).
    pub closed: AtomicU64,
    /// Connections closed because their client fell behind.
    pub slow_consumers: AtomicU64,
    /// Block events published.
    pub events: AtomicU64,
}

/// The producer's end of the streams, shared by every connection.
pub struct StreamHub {
    sender: broadcast::Sender<Arc<BlockEvent>>,
    /// Per market, the height of the last block that executed a batch of it: the `seq` of its
    /// book. Written under the chain write lock, so a snapshot read under the chain read lock
    /// pairs with the right `seq`.
    book_seqs: Mutex<HashMap<B256, u64>>,
    interest: Mutex<Interest>,
    limits: RwLock<StreamLimits>,
    /// Counters.
    pub counters: StreamCounters,
}

impl StreamHub {
    /// A hub for `markets` at chain height `height` (the `seq` of every book until its next
    /// batch).
    pub fn new(height: u64, markets: impl IntoIterator<Item = B256>) -> Self {
        let (sender, _) = broadcast::channel(EVENT_BACKLOG_BLOCKS);
        Self {
            sender,
            book_seqs: Mutex::new(markets.into_iter().map(|m| (m, height)).collect()),
            interest: Mutex::default(),
            limits: RwLock::new(StreamLimits::default()),
            counters: StreamCounters::default(),
        }
    }

    /// The bounds new connections get.
    pub fn limits(&self) -> StreamLimits {
        *self.limits.read().expect("limits lock")
    }

    /// Changes the bounds of connections opened from now on.
    pub fn set_limits(&self, limits: StreamLimits) {
        *self.limits.write().expect("limits lock") = limits;
    }

    /// Called by the block producer, holding the chain write lock, once the block is durable and
    /// applied to `chain`: advances the book `seq` of every market with a batch, and, if anyone is
    /// connected, broadcasts the block's event. Never blocks on a client.
    pub fn publish<'a>(
        &self,
        chain: &ChainState,
        header: &BlockHeader,
        batches: impl IntoIterator<Item = &'a BatchRecord>,
        funding: &[crate::stored_funding::StoredFundingBatch],
    ) {
        let batches: Vec<&BatchRecord> = batches.into_iter().collect();
        let mut seqs = self.book_seqs.lock().expect("book seqs lock");
        let mut book_seqs = BTreeMap::new();
        for batch in &batches {
            let seq = seqs.entry(batch.market_id).or_insert(0);
            if *seq != header.height {
                book_seqs.insert(batch.market_id, (*seq, header.height));
                *seq = header.height;
            }
        }
        drop(seqs);
        if self.sender.receiver_count() == 0 {
            return;
        }
        let (book_depths, accounts) = {
            let interest = self.interest.lock().expect("interest lock");
            let depths: HashMap<B256, usize> =
                interest.book_depths.iter().filter_map(|(m, d)| d.keys().next_back().map(|max| (*m, *max))).collect();
            (depths, interest.accounts.keys().copied().collect::<Vec<_>>())
        };
        let event = BlockEvent::build(chain, header, &batches, &book_seqs, &book_depths, &accounts, funding);
        self.counters.events.fetch_add(1, Relaxed);
        let _ = self.sender.send(Arc::new(event));
    }

    /// A receiver of every block event published from now on.
    pub fn receiver(&self) -> broadcast::Receiver<Arc<BlockEvent>> {
        self.sender.subscribe()
    }

    /// The book `seq` of `market`; read it under the chain read lock to pair it with a snapshot.
    pub fn book_seq(&self, market: &B256) -> u64 {
        self.book_seqs.lock().expect("book seqs lock").get(market).copied().unwrap_or(0)
    }

    fn watch_book(&self, market: B256, depth: usize) {
        let mut interest = self.interest.lock().expect("interest lock");
        *interest.book_depths.entry(market).or_default().entry(depth).or_default() += 1;
    }

    fn unwatch_book(&self, market: B256, depth: usize) {
        let mut interest = self.interest.lock().expect("interest lock");
        if let Some(depths) = interest.book_depths.get_mut(&market) {
            if let Some(count) = depths.get_mut(&depth) {
                *count -= 1;
                if *count == 0 {
                    depths.remove(&depth);
                }
            }
            if depths.is_empty() {
                interest.book_depths.remove(&market);
            }
        }
    }

    fn watch_account(&self, address: Address) {
        *self.interest.lock().expect("interest lock").accounts.entry(address).or_default() += 1;
    }

    fn unwatch_account(&self, address: Address) {
        let mut interest = self.interest.lock().expect("interest lock");
        if let Some(count) = interest.accounts.get_mut(&address) {
            *count -= 1;
            if *count == 0 {
                interest.accounts.remove(&address);
            }
        }
    }
}
