//! Fair order (docs/PROTOCOL.md K2): the proposer of a block chooses *which* messages it holds,
//! never their order. Every CLOB entry gets a priority — cancels before places, then
//! `keccak256(msgHash ‖ parentHash)`, a number no one can steer once the parent is fixed — and
//! the canonical order repeatedly takes the smallest priority among the heads of the
//! `(trader, market)` queues, so each trader's nonce order is kept. A validator recomputes it and
//! refuses any other order (`unfair_order`).

use crate::entry::ClobEntry;
use crate::venue::Venue;
use alloy_primitives::{keccak256, Address, B256};
use numo_stf::Message;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// Why a set of entries has no canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// An entry names a market the venue does not have (its hash is undefined).
    #[error("entry {index} names unknown market {market}")]
    UnknownMarket {
        /// Position among the CLOB entries.
        index: usize,
        /// The market it names.
        market: B256,
    },
    /// Two entries of one `(trader, market)` carry the same nonce.
    #[error("entries of trader {trader} carry nonce {nonce} twice")]
    DuplicateNonce {
        /// The trader.
        trader: Address,
        /// The nonce.
        nonce: u64,
    },
}

impl OrderError {
    /// Stable short code (K3).
    pub const fn code(&self) -> &'static str {
        match self {
            OrderError::UnknownMarket { .. } => "unknown_market",
            OrderError::DuplicateNonce { .. } => "duplicate_nonce",
        }
    }
}

/// The K2 priority of one message: `(class, keccak256(msgHash ‖ parentHash))`, class 0 for a
/// Cancel and 1 for a Place; smaller goes first.
pub fn priority(message: &Message, msg_hash: &B256, parent_hash: &B256) -> (u8, B256) {
    let class = match message {
        Message::Cancel(_) => 0,
        Message::Place(_) => 1,
    };
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(msg_hash.as_slice());
    preimage[32..].copy_from_slice(parent_hash.as_slice());
    (class, keccak256(preimage))
}

/// The canonical order of `entries` on a parent: the positions of `entries`, in the order the
/// block must hold them.
pub fn canonical_order(venue: &Venue, parent_hash: &B256, entries: &[ClobEntry]) -> Result<Vec<usize>, OrderError> {
    // Queues per (trader, market), each in ascending nonce; a BTreeMap keeps the build
    // deterministic (N6) although the result does not depend on it.
    let mut queues: BTreeMap<(Address, B256), Vec<(u64, usize)>> = BTreeMap::new();
    let mut priorities = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let market =
            venue.market(&entry.market_id).ok_or(OrderError::UnknownMarket { index, market: entry.market_id })?;
        let message = &entry.signed.message;
        let msg_hash = message.hash(&market.domain_separator());
        priorities.push(priority(message, &msg_hash, parent_hash));
        queues.entry((message.trader(), entry.market_id)).or_default().push((message.nonce(), index));
    }
    let mut queues: Vec<Vec<(u64, usize)>> = queues
        .into_iter()
        .map(|((trader, _), mut queue)| {
            queue.sort_unstable();
            match queue.windows(2).find(|pair| pair[0].0 == pair[1].0) {
                Some(pair) => Err(OrderError::DuplicateNonce { trader, nonce: pair[0].0 }),
                None => Ok(queue),
            }
        })
        .collect::<Result<_, _>>()?;
    for queue in &mut queues {
        queue.reverse(); // pop() takes the lowest nonce
    }
    let mut heads = BinaryHeap::with_capacity(queues.len());
    for (queue_index, queue) in queues.iter().enumerate() {
        if let Some(&(_, entry)) = queue.last() {
            heads.push(Reverse((priorities[entry], queue_index)));
        }
    }
    let mut order = Vec::with_capacity(entries.len());
    while let Some(Reverse((_, queue_index))) = heads.pop() {
        let queue = &mut queues[queue_index];
        let (_, entry) = queue.pop().expect("a queue in the heap is not empty");
        order.push(entry);
        if let Some(&(_, next)) = queue.last() {
            heads.push(Reverse((priorities[next], queue_index)));
        }
    }
    Ok(order)
}

/// Sorts `entries` into the canonical order (what an honest proposer does).
pub fn sort_canonical(
    venue: &Venue,
    parent_hash: &B256,
    entries: Vec<ClobEntry>,
) -> Result<Vec<ClobEntry>, OrderError> {
    let order = canonical_order(venue, parent_hash, &entries)?;
    Ok(order.into_iter().map(|i| entries[i]).collect())
}
