//! Admission of EVM transactions (`eth_sendRawTransaction`): decoding with the venue's chain id
//! (E2, E3), the pool's checks against the committed account and the next base fee
//! ([`crate::evm_pool`]), and the durable pool log — a transaction is acknowledged only after its
//! row is fsynced, so an acknowledged transaction survives `kill -9` and comes back at restart.
//!
//! The log writer thread group-commits rows like the CLOB admission log
//! ([`crate::admission`]): one redb transaction per group, the rows of replaced transactions
//! deleted in the same transaction as their replacements' rows are written.

use crate::evm_pool::{AccountView, EvmPool, PoolError, PoolTx};
use crate::limits::LOG_GROUP_MAX;
use crate::node::Node;
use crate::sequencer::now_ms;
use crate::store::{Store, StoreError};
use crate::stored_evm::PendingEvmTx;
use alloy_primitives::{TxKind, B256};
use numo_evm::error::EvmTxError;
use numo_evm::limits::{EVM_BLOCK_GAS_LIMIT, EVM_MAX_TX_BYTES};
use numo_evm::tx::EvmTx;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// EIP-3860: the largest init code a creation may carry.
const MAX_INITCODE_BYTES: usize = 2 * numo_evm::limits::MAX_CODE_BYTES;

/// Why `eth_sendRawTransaction` refused a transaction; the messages are geth's where geth has one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmitError {
    /// Larger than E3 allows.
    #[error("oversized data: transaction of {size} bytes, at most {max}")]
    Oversized {
        /// Its size.
        size: usize,
        /// [`EVM_MAX_TX_BYTES`].
        max: usize,
    },
    /// Signed for another chain (E2).
    #[error("invalid chain id: transaction for chain {got}, this chain is {expected}")]
    InvalidChainId {
        /// The venue's.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// A legacy transaction without EIP-155 protection (E3).
    #[error("only replay-protected (EIP-155) transactions allowed over RPC")]
    NotReplayProtected,
    /// Blob and set-code transactions (E3).
    #[error("transaction type not supported: 0x{0:02x}")]
    UnsupportedType(u8),
    /// The signature recovers no sender.
    #[error("invalid sender")]
    InvalidSender,
    /// The bytes are not a transaction.
    #[error("invalid transaction: {0}")]
    Malformed(String),
    /// EIP-3860.
    #[error("max initcode size exceeded: {size} bytes, at most {max}")]
    InitCodeTooLarge {
        /// The init code's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The pool's rules.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The node stopped admitting (a log write failed before).
    #[error("node stopped admitting: {0}")]
    NodeFailed(String),
    /// The pool log could not be written: nothing was admitted.
    #[error("admission log write failed: {0}")]
    LogWrite(String),
}

impl From<EvmTxError> for SubmitError {
    fn from(error: EvmTxError) -> Self {
        match error {
            EvmTxError::Oversize(size) => SubmitError::Oversized { size, max: EVM_MAX_TX_BYTES },
            EvmTxError::WrongChainId { expected, got } => SubmitError::InvalidChainId { expected, got },
            EvmTxError::MissingChainId => SubmitError::NotReplayProtected,
            EvmTxError::UnsupportedType(ty) => SubmitError::UnsupportedType(ty),
            EvmTxError::Signature => SubmitError::InvalidSender,
            other => SubmitError::Malformed(other.to_string()),
        }
    }
}

struct LogJob {
    row: PendingEvmTx,
    removed: Vec<u64>,
    ack: mpsc::SyncSender<Result<(), StoreError>>,
}

/// The node's EVM side of admission: the pool, the arrival counter and the pool-log writer.
pub struct EvmAdmission {
    /// Pending and queued transactions.
    pub pool: Mutex<EvmPool>,
    next_seq: AtomicU64,
    log: Mutex<mpsc::Sender<LogJob>>,
}

impl EvmAdmission {
    /// Starts the pool-log writer over `store`; arrival numbers continue after `next_seq`.
    pub fn start(store: Arc<Store>, pool: EvmPool, next_seq: u64) -> Self {
        let (log, jobs) = mpsc::channel::<LogJob>();
        std::thread::Builder::new()
            .name("numo-evm-log".into())
            .spawn(move || write_log(&store, &jobs))
            .expect("spawn the EVM pool log writer");
        Self { pool: Mutex::new(pool), next_seq: AtomicU64::new(next_seq), log: Mutex::new(log) }
    }
}

/// The pool's view of an E3-decoded transaction.
pub fn pool_tx(tx: &EvmTx, seq: u64, admitted_ms: u64) -> PoolTx {
    let max_fee = tx.max_fee();
    PoolTx {
        hash: tx.hash(),
        sender: tx.sender(),
        nonce: tx.nonce(),
        gas_limit: tx.gas_limit(),
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tx.priority_fee().unwrap_or(max_fee),
        value: tx.value(),
        intrinsic_gas: intrinsic_gas(tx),
        raw: tx.bytes().to_vec(),
        seq,
        admitted_ms,
    }
}

/// Prague's intrinsic gas with EIP-7623's calldata floor: what revm checks before running a
/// transaction (E5 skips one whose gas limit is below it as `evm_intrinsic_gas`).
pub fn intrinsic_gas(tx: &EvmTx) -> u64 {
    let input = tx.input();
    let zeros = input.iter().filter(|b| **b == 0).count() as u64;
    let non_zeros = input.len() as u64 - zeros;
    let mut gas = 21_000 + 4 * zeros + 16 * non_zeros;
    if tx.kind() == TxKind::Create {
        gas += 32_000 + 2 * (input.len() as u64).div_ceil(32);
    }
    for item in tx.access_list().iter() {
        gas += 2_400 + 1_900 * item.storage_keys.len() as u64;
    }
    let floor = 21_000 + 10 * (zeros + 4 * non_zeros);
    gas.max(floor)
}

/// Admits a raw transaction: decode (E2, E3), check against the committed account and the next
/// base fee, insert into the pool and make it durable. Returns its hash once durable. A refusal
/// changes nothing.
pub fn submit_raw(node: &Node, raw: &[u8]) -> Result<B256, SubmitError> {
    if let Some(reason) = node.failure() {
        return Err(SubmitError::NodeFailed(reason));
    }
    if raw.len() > EVM_MAX_TX_BYTES {
        return Err(SubmitError::Oversized { size: raw.len(), max: EVM_MAX_TX_BYTES });
    }
    let tx = EvmTx::decode(raw, node.genesis.chain_id)?;
    if tx.kind() == TxKind::Create && tx.input().len() > MAX_INITCODE_BYTES {
        return Err(SubmitError::InitCodeTooLarge { size: tx.input().len(), max: MAX_INITCODE_BYTES });
    }
    if node.store.has_evm_tx(&tx.hash()).map_err(|e| SubmitError::LogWrite(e.to_string()))? {
        return Err(PoolError::AlreadyKnown.into());
    }
    let evm = &node.evm;
    let (ack_tx, ack) = mpsc::sync_channel(1);
    let (hash, replaced) = {
        // Chain, then pool: the order block commit takes them in, so the account read here is
        // the one the pool is pruned against.
        let chain = node.chain.read().expect("chain lock");
        let account = chain.read::<numo_evm::values::EvmAccount>(&numo_evm::keys::account_key(&tx.sender()));
        let head = chain.read::<numo_evm::values::EvmHead>(&numo_evm::keys::head_key());
        let base_fee = u128::from(numo_evm::block::next_base_fee(&head));
        let mut pool = evm.pool.lock().expect("evm pool lock");
        let seq = evm.next_seq.fetch_add(1, Ordering::Relaxed);
        let candidate = pool_tx(&tx, seq, now_ms());
        let row = PendingEvmTx { seq, admitted_ms: candidate.admitted_ms, raw: candidate.raw.clone() };
        let inserted = pool.insert(
            candidate,
            AccountView { nonce: account.nonce, balance: account.balance },
            base_fee,
            EVM_BLOCK_GAS_LIMIT,
        )?;
        let removed = inserted.replaced.iter().map(|old| old.seq).collect();
        let sent = evm.log.lock().expect("evm log lock").send(LogJob { row, removed, ack: ack_tx });
        if sent.is_err() {
            pool.remove(&tx.hash());
            if let Some(old) = &inserted.replaced {
                pool.restore((**old).clone());
            }
            return Err(SubmitError::LogWrite("the pool log writer stopped".into()));
        }
        (tx.hash(), inserted.replaced)
    };
    let written = ack.recv().unwrap_or_else(|_| Err(StoreError::Db("the pool log writer stopped".into())));
    let mut pool = evm.pool.lock().expect("evm pool lock");
    match written {
        Ok(()) => {
            pool.mark_durable(&hash);
            node.metrics.evm_admitted.fetch_add(1, Ordering::Relaxed);
            Ok(hash)
        }
        Err(error) => {
            pool.remove(&hash);
            if let Some(old) = replaced {
                pool.restore((*old).clone());
            }
            let reason = format!("EVM pool log write failed: {error}");
            tracing::error!("{reason}");
            *node.failure.lock().expect("failure lock") = Some(reason.clone());
            Err(SubmitError::LogWrite(reason))
        }
    }
}

/// The pool-log writer: one durable commit per group of rows, then the acknowledgements.
fn write_log(store: &Store, jobs: &mpsc::Receiver<LogJob>) {
    let mut failed: Option<StoreError> = None;
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        while group.len() < LOG_GROUP_MAX {
            match jobs.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        if failed.is_none() {
            let rows: Vec<PendingEvmTx> = group.iter().map(|j| j.row.clone()).collect();
            let removed: Vec<u64> = group.iter().flat_map(|j| j.removed.iter().copied()).collect();
            if let Err(error) = store.append_evm_admissions(&rows, &removed) {
                failed = Some(error);
            }
        }
        for job in group {
            let _ = job.ack.send(failed.clone().map_or(Ok(()), Err));
        }
    }
}

/// The pool as the admission log left it: every row decoded with the venue's chain id and put
/// back in arrival order (a later arrival with the same sender and nonce wins). Returns the pool,
/// the next arrival number and the rows to delete (undecodable or superseded).
pub fn restore_pool(rows: &[PendingEvmTx], chain_id: u64) -> (EvmPool, u64, Vec<u64>) {
    let mut pool = EvmPool::default();
    let mut obsolete = Vec::new();
    let mut next_seq = 1;
    for row in rows {
        next_seq = next_seq.max(row.seq + 1);
        match EvmTx::decode(&row.raw, chain_id) {
            Ok(tx) => obsolete.extend(pool.restore(pool_tx(&tx, row.seq, row.admitted_ms))),
            Err(error) => {
                tracing::warn!(seq = row.seq, %error, "pool log row does not decode; dropped");
                obsolete.push(row.seq);
            }
        }
    }
    (pool, next_seq, obsolete)
}
