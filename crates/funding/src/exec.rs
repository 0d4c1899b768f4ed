//! F7: executing a funding batch over any [`State`], in the one access sequence the node, the
//! guest and replay share. Each message runs in its own journal; a rejected Withdraw or Transfer
//! keeps only its nonce increment (as C12 for orders), a batch-invalid condition aborts the whole
//! batch.

use crate::context::FundingContext;
use crate::error::{FundingError, FundingReject};
use crate::keys::{deposit_queue_key, forced_queue_key, funding_nonce_key, withdrawal_ids_key, Counter, QueueHead};
use crate::message::{Deposit, ForcedWithdrawal, FundingMessage, Withdraw};
use crate::transfer::{credit, execute_transfer};
use crate::withdrawals::{withdrawals_root, WithdrawalRecord};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use numo_core::hash::keccak_concat;
use numo_core::{State, StateError, TouchLog};
use numo_stf::exec::journal::Journal;
use numo_stf::keys::balance_key;
use numo_stf::values::Balance;

/// What one funding message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundingOutcome {
    /// A deposit credited to its `to` account (a zero amount credits nothing).
    Credited,
    /// A deposit that could not be credited (unknown asset, cap or overflow), refunded to its
    /// L1 sender as withdrawal `id`.
    Refunded {
        /// Withdrawal id of the refund.
        id: u64,
    },
    /// A Withdraw debited and recorded as withdrawal `id`.
    Withdrawn {
        /// Withdrawal id.
        id: u64,
    },
    /// A Transfer applied: the owner's available balance moved to `to`'s.
    Transferred,
    /// A Withdraw or Transfer rejected: nonce consumed, nothing else.
    Rejected(FundingReject),
    /// A forced request honoured with what was available: `Some((id, amount))` if anything was
    /// withdrawn.
    Forced(Option<(u64, U256)>),
}

/// What executing a funding batch produced besides the state writes.
#[derive(Debug, Clone)]
pub struct FundingReport {
    /// One outcome per message, in order.
    pub outcomes: Vec<FundingOutcome>,
    /// Withdrawal records appended (withdrawals, refunds, forced), in execution order (F10).
    pub withdrawals: Vec<WithdrawalRecord>,
    /// Deposit queue head before and after the batch (F11).
    pub deposits: (QueueHead, QueueHead),
    /// Forced queue head before and after the batch (F11).
    pub forced: (QueueHead, QueueHead),
    /// Every key touched, in order (C23-style digest; host: the keys to prove).
    pub touched: TouchLog,
}

impl FundingReport {
    /// `withdrawalsRoot` (F10).
    pub fn withdrawals_root(&self) -> B256 {
        withdrawals_root(&self.withdrawals)
    }
}

/// Executes `messages` in order over `state` (F7). Signatures and commitments must already be
/// checked ([`crate::commitments::validate_funding_batch`]). On `Err` the batch is invalid and
/// `state` may hold writes of earlier messages: callers run it over an overlay they can drop.
pub fn execute_funding<S: State>(
    ctx: &FundingContext,
    state: &mut S,
    messages: &[FundingMessage],
    mut touched: TouchLog,
) -> Result<FundingReport, FundingError> {
    // Batch start: the queue heads before (F11), read once and recorded.
    let (deposits_before, forced_before) = {
        let mut j = Journal::new(state, &mut touched);
        let deposits: QueueHead = j.read(&deposit_queue_key())?;
        let forced: QueueHead = j.read(&forced_queue_key())?;
        (deposits, forced)
    };
    let mut report = FundingReport {
        outcomes: Vec::with_capacity(messages.len()),
        withdrawals: Vec::new(),
        deposits: (deposits_before, deposits_before),
        forced: (forced_before, forced_before),
        touched: TouchLog::digest_only(),
    };
    for (index, message) in messages.iter().enumerate() {
        let outcome = match message {
            FundingMessage::Deposit(deposit) => {
                let mut j = Journal::new(state, &mut touched);
                let (outcome, head) = deposit_one(&mut j, ctx, index, deposit, &mut report.withdrawals)?;
                j.commit()?;
                report.deposits.1 = head;
                outcome
            }
            FundingMessage::Forced(forced) => {
                let mut j = Journal::new(state, &mut touched);
                let (outcome, head) = forced_one(&mut j, ctx, index, forced, &mut report.withdrawals)?;
                j.commit()?;
                report.forced.1 = head;
                outcome
            }
            FundingMessage::Withdraw(signed) => {
                consume_nonce(state, &mut touched, index, &signed.withdraw.owner, signed.withdraw.nonce)?;
                let mut j = Journal::new(state, &mut touched);
                match withdraw_one(&mut j, ctx, index, &signed.withdraw)? {
                    Ok(record) => {
                        j.commit()?;
                        report.withdrawals.push(record);
                        FundingOutcome::Withdrawn { id: record.id }
                    }
                    Err(reason) => FundingOutcome::Rejected(reason),
                }
            }
            FundingMessage::Transfer(signed) => {
                let transfer = &signed.transfer;
                consume_nonce(state, &mut touched, index, &transfer.owner, transfer.nonce)?;
                match execute_transfer(ctx, state, &mut touched, &transfer.request())? {
                    Ok(()) => FundingOutcome::Transferred,
                    Err(reason) => FundingOutcome::Rejected(reason),
                }
            }
        };
        report.outcomes.push(outcome);
    }
    report.touched = touched;
    Ok(report)
}

/// F5: `acc' = keccak256(acc ‖ U64 index ‖ B32 assetId ‖ ADDR from ‖ ADDR to ‖ U256 amount)`.
pub fn deposit_acc(acc: &B256, deposit: &Deposit) -> B256 {
    keccak_concat(&[
        acc.as_slice(),
        &deposit.index.to_be_bytes(),
        deposit.asset_id.as_slice(),
        deposit.from.as_slice(),
        deposit.to.as_slice(),
        &deposit.amount.to_be_bytes::<32>(),
    ])
}

/// F5: `acc' = keccak256(acc ‖ U64 index ‖ ADDR owner ‖ B32 assetId ‖ U256 amount)`.
pub fn forced_acc(acc: &B256, forced: &ForcedWithdrawal) -> B256 {
    keccak_concat(&[
        acc.as_slice(),
        &forced.index.to_be_bytes(),
        forced.owner.as_slice(),
        forced.asset_id.as_slice(),
        &forced.amount.to_be_bytes::<32>(),
    ])
}

fn deposit_one<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &FundingContext,
    index: usize,
    deposit: &Deposit,
    withdrawals: &mut Vec<WithdrawalRecord>,
) -> Result<(FundingOutcome, QueueHead), FundingError> {
    let key = deposit_queue_key();
    let head: QueueHead = j.read(&key)?;
    if deposit.index != head.next_index {
        return Err(FundingError::DepositOutOfOrder { index, expected: head.next_index, got: deposit.index });
    }
    let next_index = head.next_index.checked_add(1).ok_or(FundingError::CounterOverflow { index })?;
    let credited = if deposit.amount.is_zero() {
        true
    } else if let Some(cap) = ctx.max_balance(&deposit.asset_id) {
        let bal_key = balance_key(&deposit.to, &deposit.asset_id);
        let balance: Balance = j.read(&bal_key)?;
        match credit(&balance, deposit.amount, cap) {
            Some(next) => {
                j.write(&bal_key, &next)?;
                true
            }
            None => false,
        }
    } else {
        false
    };
    let outcome = if credited {
        FundingOutcome::Credited
    } else {
        let id = append_withdrawal(j, index, deposit.from, deposit.asset_id, deposit.amount, withdrawals)?;
        FundingOutcome::Refunded { id }
    };
    let next = QueueHead { next_index, acc: deposit_acc(&head.acc, deposit) };
    j.write(&key, &next)?;
    Ok((outcome, next))
}

fn forced_one<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &FundingContext,
    index: usize,
    forced: &ForcedWithdrawal,
    withdrawals: &mut Vec<WithdrawalRecord>,
) -> Result<(FundingOutcome, QueueHead), FundingError> {
    let key = forced_queue_key();
    let head: QueueHead = j.read(&key)?;
    if forced.index != head.next_index {
        return Err(FundingError::ForcedOutOfOrder { index, expected: head.next_index, got: forced.index });
    }
    let next_index = head.next_index.checked_add(1).ok_or(FundingError::CounterOverflow { index })?;
    let mut taken = None;
    if ctx.max_balance(&forced.asset_id).is_some() {
        let bal_key = balance_key(&forced.owner, &forced.asset_id);
        let balance: Balance = j.read(&bal_key)?;
        let take = forced.amount.min(balance.available);
        if !take.is_zero() {
            j.write(&bal_key, &Balance { available: balance.available - take, locked: balance.locked })?;
            let id = append_withdrawal(j, index, forced.owner, forced.asset_id, take, withdrawals)?;
            taken = Some((id, take));
        }
    }
    let next = QueueHead { next_index, acc: forced_acc(&head.acc, forced) };
    j.write(&key, &next)?;
    Ok((FundingOutcome::Forced(taken), next))
}

/// F7 Withdraw after its nonce: `Ok(Err(reason))` is a rejection (the journal is dropped).
fn withdraw_one<S: State>(
    j: &mut Journal<'_, S>,
    ctx: &FundingContext,
    index: usize,
    withdraw: &Withdraw,
) -> Result<Result<WithdrawalRecord, FundingReject>, FundingError> {
    if withdraw.amount.is_zero() {
        return Ok(Err(FundingReject::ZeroAmount));
    }
    if withdraw.recipient == Address::ZERO {
        return Ok(Err(FundingReject::ZeroRecipient));
    }
    if ctx.max_balance(&withdraw.asset_id).is_none() {
        return Ok(Err(FundingReject::UnknownAsset));
    }
    let bal_key = balance_key(&withdraw.owner, &withdraw.asset_id);
    let balance: Balance = j.read(&bal_key)?;
    if balance.available < withdraw.amount {
        return Ok(Err(FundingReject::InsufficientBalance));
    }
    j.write(&bal_key, &Balance { available: balance.available - withdraw.amount, locked: balance.locked })?;
    let mut records = Vec::with_capacity(1);
    append_withdrawal(j, index, withdraw.recipient, withdraw.asset_id, withdraw.amount, &mut records)?;
    Ok(Ok(records[0]))
}

/// r FUNDING(0x03), w FUNDING(0x03): takes the next withdrawal id and appends the record.
fn append_withdrawal<S: State>(
    j: &mut Journal<'_, S>,
    index: usize,
    recipient: Address,
    asset_id: B256,
    amount: U256,
    withdrawals: &mut Vec<WithdrawalRecord>,
) -> Result<u64, FundingError> {
    let key = withdrawal_ids_key();
    let Counter(id) = j.read(&key)?;
    let next = id.checked_add(1).ok_or(FundingError::CounterOverflow { index })?;
    j.write(&key, &Counter(next))?;
    withdrawals.push(WithdrawalRecord { id, recipient, asset_id, amount });
    Ok(id)
}

/// F7 nonce step of a Withdraw or Transfer, committed on its own so a rejection keeps it.
fn consume_nonce<S: State>(
    state: &mut S,
    touched: &mut TouchLog,
    index: usize,
    owner: &Address,
    nonce: u64,
) -> Result<(), FundingError> {
    let mut j = Journal::new(state, touched);
    let key = funding_nonce_key(owner);
    let Counter(expected) = j.read(&key)?;
    if nonce != expected {
        return Err(FundingError::NonceMismatch { index, expected, got: nonce });
    }
    let next = expected.checked_add(1).ok_or(FundingError::NonceOverflow { index })?;
    j.write(&key, &Counter(next))?;
    j.commit().map_err(|error: StateError| error.into())
}
