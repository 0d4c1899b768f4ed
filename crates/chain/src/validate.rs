//! What a validator refuses (docs/PROTOCOL.md K3): the checks on a proposed [`BlockValue`]
//! before it may be voted for. They are exactly what makes execution drop nothing (N4): a value
//! that passes never has a chunk dropped for a bad signature or a nonce gap, so a proposer cannot
//! get honest messages thrown away, and the order is the K2 order, so it cannot front-run. EVM
//! entries come last, in proposal order, and only at heights that run an EVM block (E1); their
//! validity (chain id, signature, nonce, fees) is execution's: a failing one is skipped (E5).
//!
//! Pure like the block function: the clock reading and the parent state's nonces come in as
//! arguments.

use crate::engine::evm::is_evm_height;
use crate::entry::{ClobEntry, Entry};
use crate::order::{canonical_order, OrderError};
use crate::tip::ChainTip;
use crate::value::BlockValue;
use crate::venue::Venue;
use alloy_primitives::{Address, B256};
use numo_core::signature::verify_signer;
use std::collections::BTreeMap;

/// Largest distance, in ms, between a proposal's timestamp and a validator's clock (K3).
pub const MAX_CLOCK_DRIFT_MS: u64 = 1_000;

/// The validator-side parameters of [`validate_value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidationRules {
    /// The validator's clock in Unix ms, or `None` for a value that arrives with its commit
    /// certificate (sync): its signers already bounded the drift.
    pub now_ms: Option<u64>,
    /// Most entries one block may hold.
    pub max_entries: usize,
    /// Whether funding entries may appear (only with an L1 bridge every validator reads).
    pub funding_allowed: bool,
}

/// Why a validator refuses a proposed value. Codes are stable (K3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// The parent hash is not this validator's tip.
    #[error("value builds on {got}, the tip is {expected}")]
    WrongParent {
        /// The tip's hash.
        expected: B256,
        /// The value's parent.
        got: B256,
    },
    /// Not the next height.
    #[error("value for height {got}, the next height is {expected}")]
    WrongHeight {
        /// Tip height + 1.
        expected: u64,
        /// The proposal's height.
        got: u64,
    },
    /// Time went backwards.
    #[error("timestamp {got} ms is before the parent's {parent} ms")]
    TimestampBackwards {
        /// Parent's timestamp.
        parent: u64,
        /// The proposal's.
        got: u64,
    },
    /// Time too far from the validator's clock.
    #[error("timestamp {got} ms is more than {MAX_CLOCK_DRIFT_MS} ms from this validator's clock {now} ms")]
    ClockDrift {
        /// The validator's clock.
        now: u64,
        /// The proposal's.
        got: u64,
    },
    /// More entries than a block may hold.
    #[error("{got} entries, a block holds at most {max}")]
    TooManyEntries {
        /// The bound.
        max: usize,
        /// The count.
        got: usize,
    },
    /// A funding entry where none may be (no L1 bridge, or after a CLOB entry).
    #[error("entry {index}: funding entries are not accepted here")]
    FundingUnavailable {
        /// Position in the proposal.
        index: usize,
    },
    /// A CLOB entry for a market the venue does not have.
    #[error("entry {index} names unknown market {market}")]
    UnknownMarket {
        /// Position in the proposal.
        index: usize,
        /// The market.
        market: B256,
    },
    /// A signature that does not recover the trader (C11).
    #[error("entry {index}: bad signature")]
    BadSignature {
        /// Position in the proposal.
        index: usize,
    },
    /// A nonce out of sequence for its `(trader, market)`.
    #[error("trader {trader}: nonce {got}, expected {expected}")]
    BadNonce {
        /// The trader.
        trader: Address,
        /// The nonce the parent state and the earlier entries call for.
        expected: u64,
        /// The nonce found.
        got: u64,
    },
    /// Two entries of one `(trader, market)` with one nonce.
    #[error("trader {trader}: nonce {nonce} twice")]
    DuplicateNonce {
        /// The trader.
        trader: Address,
        /// The nonce.
        nonce: u64,
    },
    /// The CLOB entries are not in the K2 order, or a CLOB entry follows an EVM entry.
    #[error("entry {index} is out of the fair order")]
    UnfairOrder {
        /// First position that differs from the canonical order.
        index: usize,
    },
    /// An EVM entry at a height that runs no EVM block (E1), or on a venue without an EVM.
    #[error("entry {index}: EVM entries are only executed at every 10th height")]
    EvmNotScheduled {
        /// Position in the proposal.
        index: usize,
    },
}

impl ProposalError {
    /// Stable short code.
    pub const fn code(&self) -> &'static str {
        match self {
            ProposalError::WrongParent { .. } => "wrong_parent",
            ProposalError::WrongHeight { .. } => "wrong_height",
            ProposalError::TimestampBackwards { .. } => "timestamp_backwards",
            ProposalError::ClockDrift { .. } => "clock_drift",
            ProposalError::TooManyEntries { .. } => "too_many_entries",
            ProposalError::FundingUnavailable { .. } => "funding_unavailable",
            ProposalError::UnknownMarket { .. } => "unknown_market",
            ProposalError::BadSignature { .. } => "bad_signature",
            ProposalError::BadNonce { .. } => "bad_nonce",
            ProposalError::DuplicateNonce { .. } => "duplicate_nonce",
            ProposalError::UnfairOrder { .. } => "unfair_order",
            ProposalError::EvmNotScheduled { .. } => "evm_not_scheduled",
        }
    }
}

/// Checks `value` as the next block on `tip` (K3). `next_nonce(trader, market)` reads the
/// parent state's C9 `nextNonce`; `verified(entry)` says whether this validator already
/// recovered that exact entry's signature under its market's domain (its own admission did), so
/// the recovery need not run twice — the answer must only be `true` for such an entry.
pub fn validate_value(
    venue: &Venue,
    tip: &ChainTip,
    value: &BlockValue,
    rules: ValidationRules,
    next_nonce: impl Fn(&Address, &B256) -> u64,
    verified: impl Fn(&ClobEntry) -> bool,
) -> Result<(), ProposalError> {
    let proposal = &value.proposal;
    if value.parent_hash != tip.hash {
        return Err(ProposalError::WrongParent { expected: tip.hash, got: value.parent_hash });
    }
    if proposal.height != tip.height + 1 {
        return Err(ProposalError::WrongHeight { expected: tip.height + 1, got: proposal.height });
    }
    if proposal.timestamp_ms < tip.timestamp_ms {
        return Err(ProposalError::TimestampBackwards { parent: tip.timestamp_ms, got: proposal.timestamp_ms });
    }
    if let Some(now) = rules.now_ms {
        if proposal.timestamp_ms.abs_diff(now) > MAX_CLOCK_DRIFT_MS {
            return Err(ProposalError::ClockDrift { now, got: proposal.timestamp_ms });
        }
    }
    if proposal.entries.len() > rules.max_entries {
        return Err(ProposalError::TooManyEntries { max: rules.max_entries, got: proposal.entries.len() });
    }
    // The canonical layout: funding entries, then CLOB entries (K2 order), then EVM entries
    // (proposal order, E1), each group possibly empty.
    let funding = proposal.entries.iter().take_while(|e| matches!(e, Entry::Funding(_))).count();
    let evm_start = proposal
        .entries
        .iter()
        .skip(funding)
        .position(|e| matches!(e, Entry::Evm(_)))
        .map_or(proposal.entries.len(), |offset| funding + offset);
    let evm_runs = venue.evm.is_some() && is_evm_height(proposal.height);
    let mut clob: Vec<ClobEntry> = Vec::with_capacity(proposal.entries.len() - funding);
    for (index, entry) in proposal.entries.iter().enumerate() {
        match entry {
            Entry::Funding(_) if index < funding && rules.funding_allowed => {}
            Entry::Funding(_) => return Err(ProposalError::FundingUnavailable { index }),
            Entry::Clob(e) if index < evm_start => clob.push(*e),
            Entry::Clob(_) => return Err(ProposalError::UnfairOrder { index }),
            Entry::Evm(_) if evm_runs => {}
            Entry::Evm(_) => return Err(ProposalError::EvmNotScheduled { index }),
        }
    }
    // Markets, signatures (C11) and nonces against the parent state (C9), in proposal order.
    let mut expected: BTreeMap<(Address, B256), u64> = BTreeMap::new();
    let mut by_nonce: Vec<(Address, B256, u64)> = Vec::with_capacity(clob.len());
    for (offset, entry) in clob.iter().enumerate() {
        let index = funding + offset;
        let market =
            venue.market(&entry.market_id).ok_or(ProposalError::UnknownMarket { index, market: entry.market_id })?;
        let message = &entry.signed.message;
        if !verified(entry) {
            let digest = message.hash(&market.domain_separator());
            verify_signer(&digest, &entry.signed.signature, &message.trader())
                .map_err(|_| ProposalError::BadSignature { index })?;
        }
        by_nonce.push((message.trader(), entry.market_id, message.nonce()));
    }
    by_nonce.sort_unstable();
    for (position, &(trader, market, nonce)) in by_nonce.iter().enumerate() {
        if position > 0 && by_nonce[position - 1] == (trader, market, nonce) {
            return Err(ProposalError::DuplicateNonce { trader, nonce });
        }
        let next = expected.entry((trader, market)).or_insert_with(|| next_nonce(&trader, &market));
        if nonce != *next {
            return Err(ProposalError::BadNonce { trader, expected: *next, got: nonce });
        }
        *next += 1;
    }
    let order = canonical_order(venue, &value.parent_hash, &clob).map_err(|error| match error {
        OrderError::UnknownMarket { index, market } => ProposalError::UnknownMarket { index: funding + index, market },
        OrderError::DuplicateNonce { trader, nonce } => ProposalError::DuplicateNonce { trader, nonce },
    })?;
    if let Some(offset) = order.iter().enumerate().position(|(position, index)| position != *index) {
        return Err(ProposalError::UnfairOrder { index: funding + offset });
    }
    Ok(())
}
