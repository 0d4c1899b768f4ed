//! The EVM mempool: signed Ethereum transactions admitted by `eth_sendRawTransaction`, kept per
//! sender by nonce until an EVM block (E1) executes them or makes them stale.
//!
//! The rules are the ones Ethereum clients expect from geth, so tools react as they do there:
//! a nonce below the account's is "nonce too low", one more than [`EVM_NONCE_GAP_MAX`] ahead is
//! "nonce too high" (within the gap it is *queued* until the gap fills), the sender must afford
//! `gasLimit · maxFee + value` (E5's own check), the fee cap must reach the next block's base
//! fee, and a transaction replaces a pending one of the same sender and nonce only with both fees
//! [`EVM_REPLACE_BUMP_PERCENT`] higher ("replacement transaction underpriced").
//!
//! What a proposal carries ([`EvmPool::select`]) is deterministic given the pool: every sender's
//! *executable run* (consecutive nonces from its account nonce, durable entries only), senders in
//! the arrival order of their run's first transaction, capped by the block gas limit using each
//! transaction's gas limit. The pool is pure data: the node ([`crate::evm_admission`]) feeds it
//! account state and makes entries durable.

use crate::limits::{EVM_MAX_TXS_PER_BLOCK, EVM_NONCE_GAP_MAX, EVM_POOL_MAX, EVM_REPLACE_BUMP_PERCENT};
use alloy_primitives::{Address, B256, U256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A decoded, signature-checked transaction as the pool keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolTx {
    /// `keccak256(raw)` (E3).
    pub hash: B256,
    /// Recovered sender.
    pub sender: Address,
    /// Its nonce.
    pub nonce: u64,
    /// Its gas limit.
    pub gas_limit: u64,
    /// Fee cap per gas (legacy and EIP-2930: the gas price).
    pub max_fee_per_gas: u128,
    /// Tip cap per gas (legacy and EIP-2930: the gas price).
    pub max_priority_fee_per_gas: u128,
    /// Value sent.
    pub value: U256,
    /// Gas the transaction needs before it runs (Prague: base, calldata with the EIP-7623 floor,
    /// creation, access list).
    pub intrinsic_gas: u64,
    /// The EIP-2718 bytes, as they enter the block (E3 entry `0x03 ‖ raw`).
    pub raw: Vec<u8>,
    /// Arrival number: the key of its admission-log row; orders senders.
    pub seq: u64,
    /// Wall-clock admission time (metrics only).
    pub admitted_ms: u64,
}

impl PoolTx {
    /// The most the transaction can cost its sender: `gasLimit · maxFee + value` (E5).
    pub fn max_cost(&self) -> U256 {
        U256::from(self.gas_limit) * U256::from(self.max_fee_per_gas) + self.value
    }
}

/// What admission knows of the sender's committed account (E4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountView {
    /// Committed nonce.
    pub nonce: u64,
    /// Committed balance, in wei of NUMO.
    pub balance: U256,
}

/// Why the pool refuses a transaction. The messages are geth's, which Ethereum tools match on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The same transaction is in the pool or already in a block.
    #[error("already known")]
    AlreadyKnown,
    /// The nonce is below the account's.
    #[error("nonce too low: next nonce {account}, tx nonce {nonce}")]
    NonceTooLow {
        /// The account's nonce.
        account: u64,
        /// The transaction's.
        nonce: u64,
    },
    /// The nonce is further ahead of the account's than the pool queues.
    #[error("nonce too high: next nonce {account}, tx nonce {nonce} (at most {gap} ahead are queued)")]
    NonceTooHigh {
        /// The account's nonce.
        account: u64,
        /// The transaction's.
        nonce: u64,
        /// [`EVM_NONCE_GAP_MAX`].
        gap: u64,
    },
    /// The sender cannot pay the most the transaction may cost.
    #[error("insufficient funds for gas * price + value: balance {balance}, tx cost {cost}")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// `gasLimit · maxFee + value`.
        cost: U256,
    },
    /// The fee cap is below the next block's base fee.
    #[error("transaction underpriced: max fee per gas {max_fee} < base fee {base_fee}")]
    Underpriced {
        /// The transaction's fee cap.
        max_fee: u128,
        /// The next block's base fee.
        base_fee: u128,
    },
    /// The tip exceeds the fee cap (EIP-1559).
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// The gas limit does not cover the intrinsic gas.
    #[error("intrinsic gas too low: gas {gas_limit}, minimum needed {intrinsic}")]
    IntrinsicGasTooLow {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// What it needs.
        intrinsic: u64,
    },
    /// The gas limit exceeds the block gas limit: it could never be included.
    #[error("exceeds block gas limit: gas {gas_limit}, block gas limit {block}")]
    GasLimitTooHigh {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The block's.
        block: u64,
    },
    /// A pending transaction with the same sender and nonce pays as much or nearly.
    #[error("replacement transaction underpriced: needs fees {percent}% above the pending one's")]
    ReplacementUnderpriced {
        /// [`EVM_REPLACE_BUMP_PERCENT`].
        percent: u128,
    },
    /// The pool is at [`EVM_POOL_MAX`].
    #[error("txpool is full")]
    PoolFull,
}

struct Slot {
    tx: Arc<PoolTx>,
    /// Written to the admission log: only durable entries enter a proposal.
    durable: bool,
}

/// The result of a successful [`EvmPool::insert`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    /// The entry it replaced (same sender and nonce), whose log row goes with this one's write.
    pub replaced: Option<Arc<PoolTx>>,
}

/// Transactions by sender and nonce. Ordered maps only: a proposal is a function of the pool.
#[derive(Default)]
pub struct EvmPool {
    senders: BTreeMap<Address, BTreeMap<u64, Slot>>,
    by_hash: BTreeMap<B256, (Address, u64)>,
}

impl EvmPool {
    /// Number of transactions held (pending and queued).
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// The transaction with this hash, if held.
    pub fn get(&self, hash: &B256) -> Option<Arc<PoolTx>> {
        let (sender, nonce) = self.by_hash.get(hash)?;
        Some(self.senders.get(sender)?.get(nonce)?.tx.clone())
    }

    /// Checks `tx` against its sender's committed `account`, the next block's `base_fee`, the
    /// block gas limit and the pool, and inserts it (not yet durable). Nothing changes on error.
    pub fn insert(
        &mut self,
        tx: PoolTx,
        account: AccountView,
        base_fee: u128,
        block_gas_limit: u64,
    ) -> Result<Inserted, PoolError> {
        if self.by_hash.contains_key(&tx.hash) {
            return Err(PoolError::AlreadyKnown);
        }
        if tx.nonce < account.nonce {
            return Err(PoolError::NonceTooLow { account: account.nonce, nonce: tx.nonce });
        }
        if tx.nonce - account.nonce > EVM_NONCE_GAP_MAX {
            return Err(PoolError::NonceTooHigh { account: account.nonce, nonce: tx.nonce, gap: EVM_NONCE_GAP_MAX });
        }
        if tx.gas_limit > block_gas_limit {
            return Err(PoolError::GasLimitTooHigh { gas_limit: tx.gas_limit, block: block_gas_limit });
        }
        if tx.gas_limit < tx.intrinsic_gas {
            return Err(PoolError::IntrinsicGasTooLow { gas_limit: tx.gas_limit, intrinsic: tx.intrinsic_gas });
        }
        if tx.max_priority_fee_per_gas > tx.max_fee_per_gas {
            return Err(PoolError::TipAboveFeeCap);
        }
        if tx.max_fee_per_gas < base_fee {
            return Err(PoolError::Underpriced { max_fee: tx.max_fee_per_gas, base_fee });
        }
        let cost = tx.max_cost();
        if account.balance < cost {
            return Err(PoolError::InsufficientFunds { balance: account.balance, cost });
        }
        let existing = self.senders.get(&tx.sender).and_then(|s| s.get(&tx.nonce)).map(|slot| slot.tx.clone());
        if let Some(old) = &existing {
            if !bumped(old.max_fee_per_gas, tx.max_fee_per_gas)
                || !bumped(old.max_priority_fee_per_gas, tx.max_priority_fee_per_gas)
            {
                return Err(PoolError::ReplacementUnderpriced { percent: EVM_REPLACE_BUMP_PERCENT });
            }
        } else if self.len() >= EVM_POOL_MAX {
            return Err(PoolError::PoolFull);
        }
        if let Some(old) = &existing {
            self.by_hash.remove(&old.hash);
        }
        self.by_hash.insert(tx.hash, (tx.sender, tx.nonce));
        let slot = Slot { tx: Arc::new(tx), durable: false };
        let (sender, nonce) = (slot.tx.sender, slot.tx.nonce);
        self.senders.entry(sender).or_default().insert(nonce, slot);
        Ok(Inserted { replaced: existing })
    }

    /// Puts back a transaction read from the admission log at restart: durable, and replacing
    /// an earlier arrival of the same sender and nonce (a replacement whose log row outlived
    /// the one it replaced cannot happen, but the later arrival wins either way). Returns the
    /// superseded entry's log sequence number.
    pub fn restore(&mut self, tx: PoolTx) -> Option<u64> {
        let old = self.senders.get(&tx.sender).and_then(|s| s.get(&tx.nonce)).map(|slot| slot.tx.clone());
        if let Some(old) = &old {
            self.by_hash.remove(&old.hash);
        }
        self.by_hash.insert(tx.hash, (tx.sender, tx.nonce));
        let (sender, nonce) = (tx.sender, tx.nonce);
        self.senders.entry(sender).or_default().insert(nonce, Slot { tx: Arc::new(tx), durable: true });
        old.map(|o| o.seq)
    }

    /// Marks an inserted transaction durable (its log row is written): it may now be proposed.
    pub fn mark_durable(&mut self, hash: &B256) {
        if let Some((sender, nonce)) = self.by_hash.get(hash) {
            if let Some(slot) = self.senders.get_mut(sender).and_then(|s| s.get_mut(nonce)) {
                slot.durable = true;
            }
        }
    }

    /// Takes a transaction out (its log write failed, or a block made it stale or invalid).
    pub fn remove(&mut self, hash: &B256) -> Option<Arc<PoolTx>> {
        let (sender, nonce) = self.by_hash.remove(hash)?;
        let txs = self.senders.get_mut(&sender)?;
        let slot = txs.remove(&nonce)?;
        if txs.is_empty() {
            self.senders.remove(&sender);
        }
        Some(slot.tx)
    }

    /// The nonce a new transaction of `sender` would take next: its account nonce followed by
    /// the consecutive nonces it has pending here (`eth_getTransactionCount(…, "pending")`).
    pub fn pending_nonce(&self, sender: &Address, account_nonce: u64) -> u64 {
        let mut next = account_nonce;
        if let Some(txs) = self.senders.get(sender) {
            for nonce in txs.range(account_nonce..).map(|(n, _)| *n) {
                if nonce != next {
                    break;
                }
                next += 1;
            }
        }
        next
    }

    /// Whether some durable transaction could execute now (its nonce is its sender's account
    /// nonce): then the node keeps producing blocks until the next EVM block takes it (E1).
    pub fn has_executable(&self, account_nonce: impl Fn(&Address) -> u64) -> bool {
        self.senders.iter().any(|(sender, txs)| txs.get(&account_nonce(sender)).is_some_and(|slot| slot.durable))
    }

    /// The transactions of the next EVM block, in proposal order: each sender's executable run
    /// (durable, consecutive nonces from `account_nonce`), senders by the arrival of their run's
    /// first transaction, while the sum of gas limits stays within `gas_cap` (a transaction that
    /// does not fit ends its sender's run; other senders may still fit) and at most
    /// [`EVM_MAX_TXS_PER_BLOCK`].
    pub fn select(&self, account_nonce: impl Fn(&Address) -> u64, gas_cap: u64) -> Vec<Arc<PoolTx>> {
        let mut runs: Vec<(u64, Vec<Arc<PoolTx>>)> = Vec::new();
        for (sender, txs) in &self.senders {
            let first = account_nonce(sender);
            let run: Vec<Arc<PoolTx>> = (first..)
                .zip(txs.range(first..))
                .take_while(|(expected, (nonce, slot))| **nonce == *expected && slot.durable)
                .map(|(_, (_, slot))| slot.tx.clone())
                .collect();
            if let Some(first) = run.first() {
                runs.push((first.seq, run));
            }
        }
        runs.sort_by_key(|(seq, _)| *seq);
        let (mut gas, mut out) = (0u64, Vec::new());
        'senders: for (_, run) in runs {
            for tx in run {
                if out.len() == EVM_MAX_TXS_PER_BLOCK {
                    break 'senders;
                }
                match gas.checked_add(tx.gas_limit) {
                    Some(total) if total <= gas_cap => {
                        gas = total;
                        out.push(tx);
                    }
                    _ => continue 'senders,
                }
            }
        }
        out
    }

    /// After a block: removes the transactions it executed (`included`), those it skipped for
    /// good (`invalid`) and every transaction whose nonce is now below its sender's account
    /// nonce (stale: never executable again). Returns what left, for the admission log.
    pub fn prune(
        &mut self,
        included: &[B256],
        invalid: &[B256],
        account_nonce: impl Fn(&Address) -> u64,
    ) -> Vec<Arc<PoolTx>> {
        let mut removed: Vec<Arc<PoolTx>> = included.iter().chain(invalid).filter_map(|h| self.remove(h)).collect();
        let stale: Vec<B256> = self
            .senders
            .iter()
            .flat_map(|(sender, txs)| {
                let nonce = account_nonce(sender);
                txs.range(..nonce).map(|(_, slot)| slot.tx.hash).collect::<Vec<_>>()
            })
            .collect();
        removed.extend(stale.iter().filter_map(|h| self.remove(h)));
        removed
    }

    /// Every transaction held, by sender then nonce (for views).
    pub fn iter(&self) -> impl Iterator<Item = &Arc<PoolTx>> {
        self.senders.values().flat_map(|txs| txs.values().map(|slot| &slot.tx))
    }
}

/// Whether `new` is at least [`EVM_REPLACE_BUMP_PERCENT`] above `old`.
fn bumped(old: u128, new: u128) -> bool {
    U256::from(new) * U256::from(100u64) >= U256::from(old) * U256::from(100 + EVM_REPLACE_BUMP_PERCENT)
}
