//! The balance move of a Transfer (F7), without its nonce step.
//!
//! A signed Transfer (type `0x05`) first consumes its owner's funding nonce
//! ([`crate::exec::execute_funding`]), then runs [`execute_transfer`]. An EVM system Transfer
//! (docs/PROTOCOL.md §13, E7) is authorised by EVM execution instead of a signature and runs
//! [`execute_transfer`] alone: "a Transfer as the signed Transfer without the nonce step". One
//! function, so the two can never disagree on checks, accesses or the cap.

use crate::context::FundingContext;
use crate::error::FundingReject;
use alloy_primitives::{Address, B256, U256};
use numo_core::{State, StateError, TouchLog};
use numo_stf::exec::journal::Journal;
use numo_stf::keys::balance_key;
use numo_stf::values::Balance;

/// What a Transfer moves: `amount` of `asset_id` from `from`'s available balance to `to`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferRequest {
    /// Account debited: the signed Transfer's `owner`, or the E7 message's `msg.sender`.
    pub from: Address,
    /// Asset moved.
    pub asset_id: B256,
    /// Base units.
    pub amount: U256,
    /// Account credited: any address, a contract's included.
    pub to: Address,
}

/// Runs the F7 Transfer checks and balance move over `state`, appending every access to
/// `touched` in the order F7 fixes:
///
/// `amount = 0` → `zero_amount`; `to = 0` → `zero_recipient`; `to = from` → `self_transfer`;
/// asset not in the table → `unknown_asset` (all without access); r BAL(from);
/// `available < amount` → `insufficient_balance`; r BAL(to); the credit overflowing or passing
/// the asset's `maxBalance` (F6, C16) → `max_balance_exceeded`; then w BAL(from)
/// (available −= amount), w BAL(to) (available += amount).
///
/// `Ok(Ok(()))`: moved and applied to `state`. `Ok(Err(reason))`: rejected and `state` is
/// unchanged (the accesses stay in `touched`, as C25 wants their proofs). `Err`: a state
/// access failed (an unproven key or a corrupt value), which invalidates the caller's batch;
/// `state` is unchanged then too.
pub fn execute_transfer<S: State>(
    ctx: &FundingContext,
    state: &mut S,
    touched: &mut TouchLog,
    request: &TransferRequest,
) -> Result<Result<(), FundingReject>, StateError> {
    if request.amount.is_zero() {
        return Ok(Err(FundingReject::ZeroAmount));
    }
    if request.to == Address::ZERO {
        return Ok(Err(FundingReject::ZeroRecipient));
    }
    if request.to == request.from {
        return Ok(Err(FundingReject::SelfTransfer));
    }
    let Some(cap) = ctx.max_balance(&request.asset_id) else {
        return Ok(Err(FundingReject::UnknownAsset));
    };
    let mut j = Journal::new(state, touched);
    let from_key = balance_key(&request.from, &request.asset_id);
    let from: Balance = j.read(&from_key)?;
    if from.available < request.amount {
        return Ok(Err(FundingReject::InsufficientBalance));
    }
    let to_key = balance_key(&request.to, &request.asset_id);
    let to: Balance = j.read(&to_key)?;
    let Some(credited) = credit(&to, request.amount, cap) else {
        return Ok(Err(FundingReject::MaxBalanceExceeded));
    };
    j.write(&from_key, &Balance { available: from.available - request.amount, locked: from.locked })?;
    j.write(&to_key, &credited)?;
    j.commit()?;
    Ok(Ok(()))
}

/// The balance after crediting `amount` to `available`, if neither `available` nor
/// `available + locked` overflows and the total stays within `cap` (the C16 rule, applied to
/// funding credits by F6/F7).
pub(crate) fn credit(balance: &Balance, amount: U256, cap: U256) -> Option<Balance> {
    let available = balance.available.checked_add(amount)?;
    let total = available.checked_add(balance.locked)?;
    (total <= cap).then_some(Balance { available, locked: balance.locked })
}
