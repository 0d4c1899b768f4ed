//! The batch driver: for each message, the nonce rule (C9, C11), then the message in its own
//! journal, committed when accepted and dropped when rejected (C12).

use super::hints::HintSource;
use super::journal::Journal;
use super::place::PlaceEffects;
use super::{cancel, place, Fault, MessageOutcome};
use crate::error::BatchError;
use crate::keys::nonce_key;
use crate::message::{Message, SignedMessage};
use crate::records::{fees_root, trades_root, Trade};
use crate::rules::MarketContext;
use crate::state::{State, TouchLog};
use crate::values::NextNonce;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};

/// What executing a batch produced, besides the state writes.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// One outcome per message, in order.
    pub outcomes: Vec<MessageOutcome>,
    /// Every fill of accepted messages, in execution order (C21).
    pub trades: Vec<Trade>,
    /// Fee total per asset over the batch (C21).
    pub fee_totals: BTreeMap<B256, U256>,
    /// Section H log of touched keys.
    pub touched: TouchLog,
}

impl BatchReport {
    /// `tradesRoot` (C21).
    pub fn trades_root(&self) -> B256 {
        trades_root(&self.trades)
    }

    /// `feesRoot` (C21).
    pub fn fees_root(&self) -> B256 {
        fees_root(&self.fee_totals)
    }
}

/// Executes `messages` of one market in order over `state`.
///
/// Signatures, Rules and batch commitments must already be checked ([`crate::validate`]);
/// this applies C9–C18. On `Err` the batch is invalid and `state` may hold writes of the
/// messages before the failing one: callers run it over an [`Overlay`](crate::state::Overlay)
/// they can drop.
pub fn execute_messages<S: State, H: HintSource>(
    ctx: &MarketContext,
    state: &mut S,
    messages: &[SignedMessage],
    hints: &mut H,
    mut touched: TouchLog,
) -> Result<BatchReport, BatchError> {
    let mut report = BatchReport {
        outcomes: Vec::with_capacity(messages.len()),
        trades: Vec::new(),
        fee_totals: BTreeMap::new(),
        touched: TouchLog::digest_only(),
    };
    for (index, signed) in messages.iter().enumerate() {
        consume_nonce(state, &mut touched, ctx, index, &signed.message)?;
        let outcome = execute_one(state, &mut touched, ctx, index, &signed.message, hints, &mut report)?;
        report.outcomes.push(outcome);
    }
    report.touched = touched;
    Ok(report)
}

/// C9: the nonce must equal `nextNonce`, which then increments whatever the outcome.
fn consume_nonce<S: State>(
    state: &mut S,
    touched: &mut TouchLog,
    ctx: &MarketContext,
    index: usize,
    message: &Message,
) -> Result<(), BatchError> {
    let mut j = Journal::new(state, touched);
    let key = nonce_key(&message.trader(), &ctx.market_id);
    let NextNonce(expected) = j.read(&key)?;
    if message.nonce() != expected {
        return Err(BatchError::NonceMismatch { index, expected, got: message.nonce() });
    }
    let next = expected.checked_add(1).ok_or(BatchError::NonceOverflow { index })?;
    j.write(&key, &NextNonce(next))?;
    Ok(j.commit()?)
}

/// Runs one message in a fresh journal: commit on success, roll back on rejection.
fn execute_one<S: State, H: HintSource>(
    state: &mut S,
    touched: &mut TouchLog,
    ctx: &MarketContext,
    index: usize,
    message: &Message,
    hints: &mut H,
    report: &mut BatchReport,
) -> Result<MessageOutcome, BatchError> {
    let mut j = Journal::new(state, touched);
    let mut effects = PlaceEffects::default();
    let result = match message {
        Message::Place(p) => place::execute(&mut j, ctx, index, p, hints, &mut effects),
        Message::Cancel(c) => cancel::execute(&mut j, ctx, c),
    };
    let result = result
        .and_then(|outcome| add_fees(report, &ctx.rules.quote_asset, effects.fees).map(|totals| (outcome, totals)));
    match result {
        Ok((outcome, fee_total)) => {
            j.commit()?;
            if !effects.fees.is_zero() {
                report.fee_totals.insert(ctx.rules.quote_asset, fee_total);
            }
            report.trades.append(&mut effects.trades);
            Ok(outcome)
        }
        Err(Fault::Reject(reason)) => Ok(MessageOutcome::Rejected(reason)),
        Err(Fault::Invalid(error)) => Err(error),
    }
}

/// The batch fee total of `asset` after adding `fees`, checked (C16).
fn add_fees(report: &BatchReport, asset: &B256, fees: U256) -> Result<U256, Fault> {
    let current = report.fee_totals.get(asset).copied().unwrap_or_default();
    Ok(super::math::add(current, fees)?)
}
