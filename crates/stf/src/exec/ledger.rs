//! Balance moves on `NS_BAL` with the C16 rules: checked arithmetic, and after every credit
//! `available + locked ≤ maxBalance`.

use super::journal::Journal;
use super::math::{add, sub};
use super::{Fault, RejectReason};
use crate::keys::balance_key;
use crate::state::State;
use crate::values::Balance;
use alloy_primitives::{Address, B256, U256};

/// Balance operations of one message under one `maxBalance`.
pub struct Ledger {
    max_balance: U256,
}

/// Which half of a balance an operation touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Free funds.
    Available,
    /// Collateral of open orders.
    Locked,
}

impl Ledger {
    /// A ledger enforcing `max_balance` (C16).
    pub fn new(max_balance: U256) -> Self {
        Self { max_balance }
    }

    /// Adds `amount` to one bucket, then checks the cap (C16: each credit checked right after it).
    pub fn credit<S: State>(
        &self,
        j: &mut Journal<'_, S>,
        owner: &Address,
        asset: &B256,
        bucket: Bucket,
        amount: U256,
    ) -> Result<(), Fault> {
        self.update(j, owner, asset, Cap::Check, |balance| {
            let slot = bucket_mut(balance, bucket);
            *slot = add(*slot, amount)?;
            Ok(())
        })
    }

    /// Subtracts `amount` from one bucket; going below zero is an overflow (C16).
    pub fn debit<S: State>(
        &self,
        j: &mut Journal<'_, S>,
        owner: &Address,
        asset: &B256,
        bucket: Bucket,
        amount: U256,
    ) -> Result<(), Fault> {
        self.update(j, owner, asset, Cap::Skip, |balance| {
            let slot = bucket_mut(balance, bucket);
            *slot = sub(*slot, amount)?;
            Ok(())
        })
    }

    /// Moves `amount` from available to locked (C14), rejecting with `InsufficientBalance` when
    /// available is short. The locked bucket is credited, so the cap is checked (C16).
    pub fn lock<S: State>(
        &self,
        j: &mut Journal<'_, S>,
        owner: &Address,
        asset: &B256,
        amount: U256,
    ) -> Result<(), Fault> {
        self.update(j, owner, asset, Cap::Check, |balance| {
            if balance.available < amount {
                return Err(RejectReason::InsufficientBalance);
            }
            balance.available = sub(balance.available, amount)?;
            balance.locked = add(balance.locked, amount)?;
            Ok(())
        })
    }

    /// Moves `amount` from locked back to available (C15 maker exit, C17, C18); available is
    /// credited, so the cap is checked. A zero amount touches nothing.
    pub fn release<S: State>(
        &self,
        j: &mut Journal<'_, S>,
        owner: &Address,
        asset: &B256,
        amount: U256,
    ) -> Result<(), Fault> {
        if amount.is_zero() {
            return Ok(());
        }
        self.update(j, owner, asset, Cap::Check, |balance| {
            balance.locked = sub(balance.locked, amount)?;
            balance.available = add(balance.available, amount)?;
            Ok(())
        })
    }

    /// Read-modify-write of one balance: `change`, then the cap check when it credited.
    fn update<S: State>(
        &self,
        j: &mut Journal<'_, S>,
        owner: &Address,
        asset: &B256,
        cap: Cap,
        change: impl FnOnce(&mut Balance) -> Result<(), RejectReason>,
    ) -> Result<(), Fault> {
        let key = balance_key(owner, asset);
        let mut balance: Balance = j.read(&key)?;
        change(&mut balance)?;
        if cap == Cap::Check {
            self.check_cap(&balance)?;
        }
        j.write(&key, &balance)?;
        Ok(())
    }

    fn check_cap(&self, balance: &Balance) -> Result<(), RejectReason> {
        if add(balance.available, balance.locked)? > self.max_balance {
            return Err(RejectReason::MaxBalanceExceeded);
        }
        Ok(())
    }
}

/// Whether an update credited a bucket and so must respect `maxBalance` (C16).
#[derive(PartialEq, Eq)]
enum Cap {
    Check,
    Skip,
}

fn bucket_mut(balance: &mut Balance, bucket: Bucket) -> &mut U256 {
    match bucket {
        Bucket::Available => &mut balance.available,
        Bucket::Locked => &mut balance.locked,
    }
}
