//! Durable storage in redb: the admission log, blocks, batches, witnesses, verification
//! results and the state leaves.
//!
//! Every write path is one redb transaction committed with `Durability::Immediate` (fsync), so
//! a crash leaves either all or nothing of it: an admission group is durable before it is
//! acknowledged, and a block commits its batches, witnesses, state writes and the removal of
//! its admission-log entries together — a message is pending or executed, never both.

use crate::candles::{candle_key, key_bucket_start_s, Candle, CandleUpdates, Interval};
use crate::history::{
    account_range, order_ref_key, AccountFill, HistoryUpdates, OrderEvent, OrderRow, FILL_KEY_LEN, ORDER_KEY_LEN,
};
use crate::records::{AdmissionEntry, TradeRecord};
use crate::stored::{StoredBatch, STORE_FORMAT_VERSION};
use crate::stored_evm::{
    decode_block_logs, encode_block_logs, BlockLog, EvmBatchFacts, PendingEvmTx, StoredEvmBatch, StoredEvmBlock,
    StoredEvmTx,
};
use crate::stored_funding::{DepositRow, StoredFundingBatch, WithdrawalRow};
use alloy_primitives::{Address, B256};
use numo_chain::{BlockHeader, Proposal};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use std::collections::BTreeMap;
use std::path::Path;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const ADMISSION: TableDefinition<u64, &[u8]> = TableDefinition::new("admission");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");
const WITNESSES: TableDefinition<u64, &[u8]> = TableDefinition::new("witnesses");
const VERIFIED: TableDefinition<u64, u8> = TableDefinition::new("verified");
const STATE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("state");
const TREE: TableDefinition<&str, &[u8]> = TableDefinition::new("tree");
const DIRTY: TableDefinition<&[u8], ()> = TableDefinition::new("dirty");
/// Each block's proposal (`numo_chain::Proposal` record), so anyone can replay from genesis.
const PROPOSALS: TableDefinition<u64, &[u8]> = TableDefinition::new("proposals");
/// Funding batches by `batchSeq` (their witnesses share [`WITNESSES`]: `batchSeq` is global).
const FUNDING_BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("funding_batches");
/// Withdrawal index rows by withdrawal id.
const WITHDRAWALS: TableDefinition<u64, &[u8]> = TableDefinition::new("withdrawals");
/// Deposit index rows by L1 deposit index.
const DEPOSITS: TableDefinition<u64, &[u8]> = TableDefinition::new("deposits");
/// Each block's commit certificate (K5) as this node finalized it; not part of the block hash.
const CERTIFICATES: TableDefinition<u64, &[u8]> = TableDefinition::new("certificates");
/// EVM transactions admitted and not yet in a block (or stale): arrival seq →
/// [`PendingEvmTx`] row. Written before `eth_sendRawTransaction` answers.
const EVM_ADMISSION: TableDefinition<u64, &[u8]> = TableDefinition::new("evm_admission");
/// EVM blocks by number ([`StoredEvmBlock`]).
const EVM_BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("evm_blocks");
/// EVM block numbers by block hash.
const EVM_BLOCK_NUMBERS: TableDefinition<&[u8], u64> = TableDefinition::new("evm_block_numbers");
/// Executed EVM transactions with their receipts by transaction hash ([`StoredEvmTx`]).
const EVM_TXS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("evm_txs");
/// Each EVM block's logs in order, by block number: the index `eth_getLogs` scans.
const EVM_LOGS: TableDefinition<u64, &[u8]> = TableDefinition::new("evm_logs");
/// EVM batches (kind 3, E10) by `batchSeq` ([`StoredEvmBatch`]); their witnesses are in
/// `witnesses` with every other kind's.
const EVM_BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("evm_batches");
/// Candles by `B32 marketId ‖ U8 interval ‖ U64 bucketStartS` ([`crate::candles::Candle`]),
/// folded in by each block's commit.
const CANDLES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("candles");
/// Each account's fills by `ADDR ‖ U64 batchSeq ‖ U32 tradeIndex ‖ U8 liquidity`
/// ([`AccountFill`]).
const ACCOUNT_FILLS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("account_fills");
/// Each account's orders by `ADDR ‖ U64 batchSeq ‖ U32 position` ([`OrderRow`]), their status
/// kept current by later blocks.
const ACCOUNT_ORDERS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("account_orders");
/// The order row of each resting order, by `B32 marketId ‖ B32 orderId`: how a later fill or
/// cancel finds the row to update (a row leaves once its order leaves the book).
const ORDER_REFS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("order_refs");
const TREE_SNAPSHOT: &str = "snapshot";

const META_GENESIS_ROOT: &str = "genesis_root";
const META_COUNTERS: &str = "counters";
/// `U32` [`STORE_FORMAT_VERSION`] of the data dir.
const META_FORMAT: &str = "format_version";
/// The venue genesis (TOML) the data dir was initialised with: replay starts from it.
const META_GENESIS: &str = "genesis_toml";

/// Counters that continue across restarts, committed with every block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// `batchSeq` of the next batch (C19: venue-global, +1 per batch).
    pub next_batch_seq: u64,
    /// Global index of the next executed message.
    pub next_global_index: u64,
    /// Highest mempool sequence number executed so far.
    pub last_executed_seq: u64,
}

impl Counters {
    fn encode(&self) -> [u8; 24] {
        let mut out = [0u8; 24];
        out[..8].copy_from_slice(&self.next_batch_seq.to_be_bytes());
        out[8..16].copy_from_slice(&self.next_global_index.to_be_bytes());
        out[16..].copy_from_slice(&self.last_executed_seq.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let word = |i: usize| Some(u64::from_be_bytes(bytes.get(i * 8..i * 8 + 8)?.try_into().ok()?));
        (bytes.len() == 24).then_some(())?;
        Some(Self { next_batch_seq: word(0)?, next_global_index: word(1)?, last_executed_seq: word(2)? })
    }
}

/// A storage failure. The node stops rather than serve state it could not persist.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error (I/O, full disk, corruption).
    #[error("storage: {0}")]
    Db(String),
    /// The data dir was written by another storage format.
    #[error(
        "data dir {dir} has storage format version {found}, this numo reads version {expected}: \
         use a numo of version {found}, or start from a new data dir"
    )]
    FormatVersion {
        /// The data dir.
        dir: String,
        /// Version found on disk.
        found: u32,
        /// [`STORE_FORMAT_VERSION`].
        expected: u32,
    },
    /// A stored record does not decode.
    #[error("corrupt record in {table} at {key}: {reason}")]
    Corrupt {
        /// Table name.
        table: &'static str,
        /// Key, rendered.
        key: String,
        /// What was wrong.
        reason: String,
    },
}

fn db_error<E: std::fmt::Display>(error: E) -> StoreError {
    StoreError::Db(error.to_string())
}

/// Verification status of a batch, as re-run by the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Verification {
    /// Not re-executed (yet, or sampling skipped it).
    Pending = 0,
    /// The guest reproduced the stored PublicInputs.
    Verified = 1,
    /// The guest disagreed or refused the witness.
    Mismatch = 2,
}

/// Everything a block commits, written in one transaction.
pub struct BlockCommit<'a> {
    /// The header.
    pub header: &'a BlockHeader,
    /// The proposal the block executed.
    pub proposal: &'a Proposal,
    /// The batches with their compact witnesses.
    pub batches: Vec<(&'a StoredBatch, &'a [u8])>,
    /// Funding batches with their compact witnesses (F8).
    pub funding: Vec<(&'a StoredFundingBatch, &'a [u8])>,
    /// State writes of the whole block (`None` deletes), in key order.
    pub state_writes: &'a BTreeMap<B256, Option<Vec<u8>>>,
    /// Admission-log sequence numbers now executed.
    pub executed: &'a [u64],
    /// Counters after the block.
    pub counters: Counters,
    /// A snapshot of the tree after the block (`numo_smt` layout), written now and then so a
    /// restart need not rehash every leaf.
    pub tree_snapshot: Option<Vec<u8>>,
    /// The commit certificate that decided the block (K5), for a consensus venue.
    pub certificate: Option<&'a [u8]>,
    /// The EVM's part: its block, transactions, logs, and the pool rows the block settled.
    pub evm: &'a EvmCommit,
    /// The block's trades folded into candles, to merge into the stored ones.
    pub candles: &'a CandleUpdates,
    /// The block's fills and order events for the accounts' histories.
    pub history: &'a HistoryUpdates,
}

/// What a block commits for the EVM (E1): empty at heights without an EVM block, except for
/// pool rows a block made stale.
#[derive(Debug, Default)]
pub struct EvmCommit {
    /// The EVM block executed (at most one, E1).
    pub blocks: Vec<StoredEvmBlock>,
    /// Its transactions with their receipts.
    pub txs: Vec<StoredEvmTx>,
    /// Its logs, by block number.
    pub logs: Vec<(u64, Vec<BlockLog>)>,
    /// Admission-log rows of pool transactions that leave the pool (executed, stale, invalid).
    pub removed_pending: Vec<u64>,
    /// The block's EVM batches (kind 3: its system batch and its EVM block) with their compact
    /// witnesses (E10, E11).
    pub batches: Vec<(StoredEvmBatch, Vec<u8>)>,
}

/// What block commit and the views need of storage: the seam a second backend (or a test
/// double of a failing disk) plugs into. [`Store`] (redb) is the implementation.
pub trait ChainStore: Send + Sync {
    /// Commits a block atomically: header, proposal, batches, witnesses, state writes, the
    /// removal of its admission-log entries and the counters, all or nothing.
    fn commit_block(&self, commit: &BlockCommit<'_>) -> Result<(), StoreError>;
    /// The header at `height`.
    fn block(&self, height: u64) -> Result<Option<BlockHeader>, StoreError>;
    /// The proposal the block at `height` executed.
    fn proposal(&self, height: u64) -> Result<Option<Proposal>, StoreError>;
    /// The batch numbered `batch_seq`.
    fn batch(&self, batch_seq: u64) -> Result<Option<StoredBatch>, StoreError>;
    /// Batches with `batchSeq ≤ to`, newest first, at most `limit`.
    fn batches_descending(&self, to: u64, limit: usize) -> Result<Vec<StoredBatch>, StoreError>;
    /// The compact witness of a batch.
    fn witness(&self, batch_seq: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The funding batch numbered `batch_seq`.
    fn funding_batch(&self, batch_seq: u64) -> Result<Option<StoredFundingBatch>, StoreError>;
    /// The EVM batch (kind 3) numbered `batch_seq`.
    fn evm_batch(&self, batch_seq: u64) -> Result<Option<StoredEvmBatch>, StoreError>;
}

/// The node's redb database.
pub struct Store {
    db: Database,
}

/// What a restart finds on disk.
pub struct Loaded {
    /// The genesis root the data dir belongs to, if initialised.
    pub genesis_root: Option<B256>,
    /// Counters as of the last block.
    pub counters: Counters,
    /// The newest block header.
    pub last_block: Option<BlockHeader>,
    /// Every state leaf.
    pub state: Vec<(B256, Vec<u8>)>,
    /// Admitted messages not yet in a block, in admission order.
    pub pending: Vec<AdmissionEntry>,
    /// The last tree snapshot, checksum verified.
    pub tree_snapshot: Option<Vec<u8>>,
    /// Keys written since that snapshot.
    pub dirty: Vec<B256>,
    /// EVM transactions admitted and not settled by a block, in arrival order.
    pub evm_pending: Vec<PendingEvmTx>,
}

impl Store {
    /// Opens or creates `dir/numo.redb`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(db_error)?;
        let db = Database::create(dir.join("numo.redb")).map_err(db_error)?;
        let txn = db.begin_write().map_err(db_error)?;
        for table in [
            ADMISSION,
            BLOCKS,
            BATCHES,
            WITNESSES,
            FUNDING_BATCHES,
            WITHDRAWALS,
            DEPOSITS,
            CERTIFICATES,
            EVM_ADMISSION,
            EVM_BLOCKS,
            EVM_LOGS,
            EVM_BATCHES,
        ] {
            txn.open_table(table).map_err(db_error)?;
        }
        txn.open_table(META).map_err(db_error)?;
        txn.open_table(VERIFIED).map_err(db_error)?;
        txn.open_table(STATE).map_err(db_error)?;
        txn.open_table(TREE).map_err(db_error)?;
        txn.open_table(DIRTY).map_err(db_error)?;
        txn.open_table(PROPOSALS).map_err(db_error)?;
        txn.open_table(EVM_BLOCK_NUMBERS).map_err(db_error)?;
        txn.open_table(EVM_TXS).map_err(db_error)?;
        for table in [CANDLES, ACCOUNT_FILLS, ACCOUNT_ORDERS, ORDER_REFS] {
            txn.open_table(table).map_err(db_error)?;
        }
        check_format(&txn, dir)?;
        txn.commit().map_err(db_error)?;
        Ok(Self { db })
    }

    /// The genesis (TOML) the data dir was initialised with.
    pub fn genesis_toml(&self) -> Result<Option<String>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(META).map_err(db_error)?;
        let value = meta.get(META_GENESIS).map_err(db_error)?;
        let text = value.map(|v| String::from_utf8(v.value().to_vec()));
        text.transpose().map_err(|e| StoreError::Corrupt {
            table: "meta",
            key: META_GENESIS.into(),
            reason: e.to_string(),
        })
    }

    /// Writes the genesis (its TOML, state and root) into an empty data dir.
    pub fn initialise(
        &self,
        genesis_toml: &str,
        genesis_root: &B256,
        state: &[(B256, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut meta = txn.open_table(META).map_err(db_error)?;
            meta.insert(META_GENESIS_ROOT, genesis_root.as_slice()).map_err(db_error)?;
            meta.insert(META_GENESIS, genesis_toml.as_bytes()).map_err(db_error)?;
            let mut table = txn.open_table(STATE).map_err(db_error)?;
            for (key, value) in state {
                table.insert(key.as_slice(), value.as_slice()).map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }

    /// Reads what a restart needs.
    pub fn load(&self) -> Result<Loaded, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(META).map_err(db_error)?;
        let genesis_root = meta.get(META_GENESIS_ROOT).map_err(db_error)?.map(|v| B256::from_slice(v.value()));
        let counters = match meta.get(META_COUNTERS).map_err(db_error)? {
            Some(bytes) => Counters::decode(bytes.value()).ok_or_else(|| StoreError::Corrupt {
                table: "meta",
                key: META_COUNTERS.into(),
                reason: "bad length".into(),
            })?,
            None => Counters { next_batch_seq: 1, next_global_index: 0, last_executed_seq: 0 },
        };
        let blocks = txn.open_table(BLOCKS).map_err(db_error)?;
        let last_block = match blocks.last().map_err(db_error)? {
            Some((height, bytes)) => Some(decode_header(height.value(), bytes.value())?),
            None => None,
        };
        let mut state = Vec::new();
        for entry in txn.open_table(STATE).map_err(db_error)?.iter().map_err(db_error)? {
            let (key, value) = entry.map_err(db_error)?;
            state.push((B256::from_slice(key.value()), value.value().to_vec()));
        }
        let mut pending = Vec::new();
        for entry in txn.open_table(ADMISSION).map_err(db_error)?.iter().map_err(db_error)? {
            let (seq, bytes) = entry.map_err(db_error)?;
            let decoded = AdmissionEntry::decode(seq.value(), bytes.value()).map_err(|error| StoreError::Corrupt {
                table: "admission",
                key: seq.value().to_string(),
                reason: error.to_string(),
            })?;
            pending.push(decoded);
        }
        let tree_snapshot = match txn.open_table(TREE).map_err(db_error)?.get(TREE_SNAPSHOT).map_err(db_error)? {
            Some(stored) => Some(unseal(stored.value()).ok_or_else(|| StoreError::Corrupt {
                table: "tree",
                key: TREE_SNAPSHOT.into(),
                reason: "checksum mismatch".into(),
            })?),
            None => None,
        };
        let mut dirty = Vec::new();
        for entry in txn.open_table(DIRTY).map_err(db_error)?.iter().map_err(db_error)? {
            dirty.push(B256::from_slice(entry.map_err(db_error)?.0.value()));
        }
        let mut evm_pending = Vec::new();
        for entry in txn.open_table(EVM_ADMISSION).map_err(db_error)?.iter().map_err(db_error)? {
            let (seq, bytes) = entry.map_err(db_error)?;
            evm_pending.push(
                PendingEvmTx::decode(seq.value(), bytes.value())
                    .map_err(|e| corrupt("evm_admission", seq.value(), e))?,
            );
        }
        Ok(Loaded { genesis_root, counters, last_block, state, pending, tree_snapshot, dirty, evm_pending })
    }

    /// Makes a group of admitted messages durable in one fsync (group commit).
    pub fn append_admissions(&self, entries: &[AdmissionEntry]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut table = txn.open_table(ADMISSION).map_err(db_error)?;
            for entry in entries {
                table.insert(entry.seq, entry.encode().as_slice()).map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }

    /// Makes EVM pool rows durable in one fsync, removing in the same transaction the rows of
    /// the transactions they replace (so a replaced transaction never comes back at restart).
    pub fn append_evm_admissions(&self, rows: &[PendingEvmTx], removed: &[u64]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut table = txn.open_table(EVM_ADMISSION).map_err(db_error)?;
            for row in rows {
                table.insert(row.seq, row.encode().as_slice()).map_err(db_error)?;
            }
            for seq in removed {
                table.remove(*seq).map_err(db_error)?;
            }
        }
        txn.commit().map_err(db_error)
    }

    /// Writes the genesis EVM block (E8) once; later opens find it.
    pub fn put_evm_genesis(&self, block: &StoredEvmBlock) -> Result<(), StoreError> {
        if self.evm_block(block.number)?.is_some() {
            return Ok(());
        }
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            txn.open_table(EVM_BLOCKS)
                .map_err(db_error)?
                .insert(block.number, block.encode().as_slice())
                .map_err(db_error)?;
            txn.open_table(EVM_BLOCK_NUMBERS)
                .map_err(db_error)?
                .insert(block.hash.as_slice(), block.number)
                .map_err(db_error)?;
        }
        txn.commit().map_err(db_error)
    }

    /// The EVM block numbered `number`.
    pub fn evm_block(&self, number: u64) -> Result<Option<StoredEvmBlock>, StoreError> {
        let decode = |bytes: Vec<u8>| StoredEvmBlock::decode(&bytes).map_err(|e| corrupt("evm_blocks", number, e));
        self.get(EVM_BLOCKS, number)?.map(decode).transpose()
    }

    /// The newest stored EVM block's number.
    pub fn last_evm_block(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(EVM_BLOCKS).map_err(db_error)?;
        let last = table.last().map_err(db_error)?.map(|(n, _)| n.value());
        Ok(last)
    }

    /// The number of the EVM block with this hash.
    pub fn evm_block_number(&self, hash: &B256) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(EVM_BLOCK_NUMBERS).map_err(db_error)?;
        let number = table.get(hash.as_slice()).map_err(db_error)?.map(|v| v.value());
        Ok(number)
    }

    /// The executed EVM transaction with this hash, with its receipt.
    pub fn evm_tx(&self, hash: &B256) -> Result<Option<StoredEvmTx>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(EVM_TXS).map_err(db_error)?;
        let Some(bytes) = table.get(hash.as_slice()).map_err(db_error)? else { return Ok(None) };
        let decoded = StoredEvmTx::decode(bytes.value()).map_err(|e| StoreError::Corrupt {
            table: "evm_txs",
            key: hash.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Some(decoded))
    }

    /// Whether an EVM transaction with this hash was executed.
    pub fn has_evm_tx(&self, hash: &B256) -> Result<bool, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(EVM_TXS).map_err(db_error)?;
        let found = table.get(hash.as_slice()).map_err(db_error)?.is_some();
        Ok(found)
    }

    /// The logs of EVM blocks `from..=to` that `keep` accepts, in chain order, each with its
    /// block number and log index; stops with `Err(limit)` once more than `limit` match.
    pub fn evm_logs(
        &self,
        from: u64,
        to: u64,
        limit: usize,
        mut keep: impl FnMut(u64, &BlockLog) -> bool,
    ) -> Result<Result<Vec<FoundLog>, usize>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(EVM_LOGS).map_err(db_error)?;
        let mut out = Vec::new();
        for entry in table.range(from..=to).map_err(db_error)? {
            let (number, bytes) = entry.map_err(db_error)?;
            let logs = decode_block_logs(bytes.value()).map_err(|e| corrupt("evm_logs", number.value(), e))?;
            for (index, log) in logs.into_iter().enumerate() {
                if keep(number.value(), &log) {
                    if out.len() == limit {
                        return Ok(Err(limit));
                    }
                    out.push((number.value(), index as u64, log));
                }
            }
        }
        Ok(Ok(out))
    }

    /// Records the guest's verdict on a batch.
    pub fn set_verification(&self, batch_seq: u64, status: Verification) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        txn.open_table(VERIFIED).map_err(db_error)?.insert(batch_seq, status as u8).map_err(db_error)?;
        txn.commit().map_err(db_error)
    }

    /// The verdict on a batch.
    pub fn verification(&self, batch_seq: u64) -> Result<Verification, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let status = txn.open_table(VERIFIED).map_err(db_error)?.get(batch_seq).map_err(db_error)?.map(|v| v.value());
        Ok(match status {
            Some(1) => Verification::Verified,
            Some(2) => Verification::Mismatch,
            _ => Verification::Pending,
        })
    }

    /// The highest `batchSeq` with a verdict. The verifier checks batches in commit order, so
    /// every later batch is still unchecked (a crash can leave some behind).
    pub fn last_verified_batch(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(VERIFIED).map_err(db_error)?;
        let last = table.last().map_err(db_error)?.map(|(seq, _)| seq.value());
        Ok(last)
    }

    /// The index row of withdrawal `id`.
    pub fn withdrawal(&self, id: u64) -> Result<Option<WithdrawalRow>, StoreError> {
        let decode = |bytes: Vec<u8>| WithdrawalRow::decode(&bytes).map_err(|e| corrupt("withdrawals", id, e));
        self.get(WITHDRAWALS, id)?.map(decode).transpose()
    }

    /// Every withdrawal row, by id (a view for the API; a venue with many withdrawals would
    /// index them by owner).
    pub fn withdrawals(&self) -> Result<Vec<WithdrawalRow>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let mut out = Vec::new();
        for entry in txn.open_table(WITHDRAWALS).map_err(db_error)?.iter().map_err(db_error)? {
            let (id, bytes) = entry.map_err(db_error)?;
            out.push(WithdrawalRow::decode(bytes.value()).map_err(|e| corrupt("withdrawals", id.value(), e))?);
        }
        Ok(out)
    }

    /// Every executed deposit row, by index.
    pub fn deposits(&self) -> Result<Vec<DepositRow>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let mut out = Vec::new();
        for entry in txn.open_table(DEPOSITS).map_err(db_error)?.iter().map_err(db_error)? {
            let (index, bytes) = entry.map_err(db_error)?;
            out.push(DepositRow::decode(bytes.value()).map_err(|e| corrupt("deposits", index.value(), e))?);
        }
        Ok(out)
    }

    /// A value of the meta table (small settings the node keeps, e.g. the L1 deployment).
    pub fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let meta = txn.open_table(META).map_err(db_error)?;
        let value = meta.get(key).map_err(db_error)?.map(|v| v.value().to_vec());
        Ok(value)
    }

    /// Writes a value of the meta table durably.
    pub fn set_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        txn.open_table(META).map_err(db_error)?.insert(key, value).map_err(db_error)?;
        txn.commit().map_err(db_error)
    }

    /// The commit certificate stored for the block at `height` (K5).
    pub fn certificate(&self, height: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(CERTIFICATES, height)
    }

    /// Replaces the certificate of a committed block (a finalized one may hold more signatures
    /// than the one it was decided with).
    pub fn set_certificate(&self, height: u64, certificate: &[u8]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        txn.open_table(CERTIFICATES).map_err(db_error)?.insert(height, certificate).map_err(db_error)?;
        txn.commit().map_err(db_error)
    }

    /// Height of the first stored block (blocks are kept from 1: the history sync serves).
    pub fn first_block_height(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BLOCKS).map_err(db_error)?;
        let first = table.first().map_err(db_error)?.map(|(height, _)| height.value());
        Ok(first)
    }

    /// Number of admitted messages waiting for a block.
    pub fn pending_count(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        txn.open_table(ADMISSION).map_err(db_error)?.len().map_err(db_error)
    }
}

impl ChainStore for Store {
    fn commit_block(&self, commit: &BlockCommit<'_>) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut blocks = txn.open_table(BLOCKS).map_err(db_error)?;
            blocks.insert(commit.header.height, commit.header.encode_record().as_slice()).map_err(db_error)?;
            let mut proposals = txn.open_table(PROPOSALS).map_err(db_error)?;
            proposals.insert(commit.header.height, commit.proposal.encode().as_slice()).map_err(db_error)?;
            if let Some(certificate) = commit.certificate {
                txn.open_table(CERTIFICATES)
                    .map_err(db_error)?
                    .insert(commit.header.height, certificate)
                    .map_err(db_error)?;
            }
            let mut batches = txn.open_table(BATCHES).map_err(db_error)?;
            let mut witnesses = txn.open_table(WITNESSES).map_err(db_error)?;
            for (batch, witness) in &commit.batches {
                batches.insert(batch.batch_seq, batch.encode().as_slice()).map_err(db_error)?;
                witnesses.insert(batch.batch_seq, *witness).map_err(db_error)?;
            }
            let mut funding = txn.open_table(FUNDING_BATCHES).map_err(db_error)?;
            let mut withdrawals = txn.open_table(WITHDRAWALS).map_err(db_error)?;
            let mut deposits = txn.open_table(DEPOSITS).map_err(db_error)?;
            for (batch, witness) in &commit.funding {
                funding.insert(batch.batch_seq, batch.encode().as_slice()).map_err(db_error)?;
                witnesses.insert(batch.batch_seq, *witness).map_err(db_error)?;
                for row in batch.withdrawal_rows() {
                    withdrawals.insert(row.record.id, row.encode().as_slice()).map_err(db_error)?;
                }
                for row in batch.deposit_rows() {
                    deposits.insert(row.deposit.index, row.encode().as_slice()).map_err(db_error)?;
                }
            }
            for (batch, witness) in &commit.evm.batches {
                witnesses.insert(batch.batch_seq, witness.as_slice()).map_err(db_error)?;
            }
            let mut state = txn.open_table(STATE).map_err(db_error)?;
            for (key, value) in commit.state_writes {
                match value {
                    Some(value) => state.insert(key.as_slice(), value.as_slice()).map(|_| ()),
                    None => state.remove(key.as_slice()).map(|_| ()),
                }
                .map_err(db_error)?;
            }
            let mut admission = txn.open_table(ADMISSION).map_err(db_error)?;
            for seq in commit.executed {
                admission.remove(*seq).map_err(db_error)?;
            }
            write_evm(&txn, commit.evm)?;
            write_candles(&txn, commit.candles)?;
            write_history(&txn, commit.history)?;
            let mut meta = txn.open_table(META).map_err(db_error)?;
            meta.insert(META_COUNTERS, commit.counters.encode().as_slice()).map_err(db_error)?;
            let mut dirty = txn.open_table(DIRTY).map_err(db_error)?;
            match &commit.tree_snapshot {
                Some(snapshot) => {
                    dirty.retain(|_, _| false).map_err(db_error)?;
                    let mut tree = txn.open_table(TREE).map_err(db_error)?;
                    tree.insert(TREE_SNAPSHOT, seal(snapshot).as_slice()).map_err(db_error)?;
                }
                None => {
                    for key in commit.state_writes.keys() {
                        dirty.insert(key.as_slice(), ()).map_err(db_error)?;
                    }
                }
            }
        }
        txn.commit().map_err(db_error)
    }

    fn block(&self, height: u64) -> Result<Option<BlockHeader>, StoreError> {
        self.get(BLOCKS, height)?.map(|bytes| decode_header(height, &bytes)).transpose()
    }

    fn proposal(&self, height: u64) -> Result<Option<Proposal>, StoreError> {
        let decode = |bytes: Vec<u8>| Proposal::decode(&bytes).map_err(|e| corrupt("proposals", height, e));
        self.get(PROPOSALS, height)?.map(decode).transpose()
    }

    fn funding_batch(&self, batch_seq: u64) -> Result<Option<StoredFundingBatch>, StoreError> {
        let decode =
            |bytes: Vec<u8>| StoredFundingBatch::decode(&bytes).map_err(|e| corrupt("funding_batches", batch_seq, e));
        self.get(FUNDING_BATCHES, batch_seq)?.map(decode).transpose()
    }

    fn batch(&self, batch_seq: u64) -> Result<Option<StoredBatch>, StoreError> {
        self.get(BATCHES, batch_seq)?.map(|bytes| decode_batch(batch_seq, &bytes)).transpose()
    }

    fn batches_descending(&self, to: u64, limit: usize) -> Result<Vec<StoredBatch>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BATCHES).map_err(db_error)?;
        let mut out = Vec::new();
        for entry in table.range(..=to).map_err(db_error)?.rev().take(limit) {
            let (seq, bytes) = entry.map_err(db_error)?;
            out.push(decode_batch(seq.value(), bytes.value())?);
        }
        Ok(out)
    }

    fn witness(&self, batch_seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(WITNESSES, batch_seq)
    }

    fn evm_batch(&self, batch_seq: u64) -> Result<Option<StoredEvmBatch>, StoreError> {
        let decode = |bytes: Vec<u8>| StoredEvmBatch::decode(&bytes).map_err(|e| corrupt("evm_batches", batch_seq, e));
        self.get(EVM_BATCHES, batch_seq)?.map(decode).transpose()
    }
}

impl Store {
    fn get(&self, def: TableDefinition<u64, &[u8]>, key: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(def).map_err(db_error)?;
        let value = table.get(key).map_err(db_error)?;
        Ok(value.map(|v| v.value().to_vec()))
    }
}

/// Refuses a data dir of another storage format; stamps a new one with this format.
fn check_format(txn: &redb::WriteTransaction, dir: &Path) -> Result<(), StoreError> {
    let mut meta = txn.open_table(META).map_err(db_error)?;
    let format = meta.get(META_FORMAT).map_err(db_error)?.map(|v| v.value().to_vec());
    let initialised = meta.get(META_GENESIS_ROOT).map_err(db_error)?.is_some();
    let found = match format {
        Some(bytes) => u32::from_be_bytes(bytes.as_slice().try_into().map_err(|_| StoreError::Corrupt {
            table: "meta",
            key: META_FORMAT.into(),
            reason: "bad length".into(),
        })?),
        // A data dir initialised before the format was recorded is version 1 (JSON records).
        None if initialised => 1,
        None => {
            meta.insert(META_FORMAT, STORE_FORMAT_VERSION.to_be_bytes().as_slice()).map_err(db_error)?;
            STORE_FORMAT_VERSION
        }
    };
    if found != STORE_FORMAT_VERSION {
        return Err(StoreError::FormatVersion {
            dir: dir.display().to_string(),
            found,
            expected: STORE_FORMAT_VERSION,
        });
    }
    Ok(())
}

/// A log `eth_getLogs` found: block number, log index in the block, the log.
pub type FoundLog = (u64, u64, BlockLog);

/// The EVM part of a block's commit, inside its transaction.
fn write_evm(txn: &redb::WriteTransaction, evm: &EvmCommit) -> Result<(), StoreError> {
    let mut blocks = txn.open_table(EVM_BLOCKS).map_err(db_error)?;
    let mut numbers = txn.open_table(EVM_BLOCK_NUMBERS).map_err(db_error)?;
    for block in &evm.blocks {
        blocks.insert(block.number, block.encode().as_slice()).map_err(db_error)?;
        numbers.insert(block.hash.as_slice(), block.number).map_err(db_error)?;
    }
    let mut txs = txn.open_table(EVM_TXS).map_err(db_error)?;
    for tx in &evm.txs {
        txs.insert(tx.hash.as_slice(), tx.encode().as_slice()).map_err(db_error)?;
    }
    let mut logs = txn.open_table(EVM_LOGS).map_err(db_error)?;
    for (number, block_logs) in &evm.logs {
        logs.insert(*number, encode_block_logs(block_logs).as_slice()).map_err(db_error)?;
    }
    // Their witnesses go with every other kind's, in `commit_block`.
    let mut batches = txn.open_table(EVM_BATCHES).map_err(db_error)?;
    for (batch, _) in &evm.batches {
        batches.insert(batch.batch_seq, batch.encode().as_slice()).map_err(db_error)?;
    }
    let mut pending = txn.open_table(EVM_ADMISSION).map_err(db_error)?;
    for seq in &evm.removed_pending {
        pending.remove(*seq).map_err(db_error)?;
    }
    Ok(())
}

/// Folds a block's candle updates into the stored candles, inside its transaction.
fn write_candles(txn: &redb::WriteTransaction, updates: &CandleUpdates) -> Result<(), StoreError> {
    let mut table = txn.open_table(CANDLES).map_err(db_error)?;
    for (key, update) in updates {
        let stored = table.get(key.as_slice()).map_err(db_error)?.map(|v| decode_candle(key, v.value()));
        let candle = match stored.transpose()? {
            Some(mut candle) => {
                candle.absorb(update);
                candle
            }
            None => *update,
        };
        table.insert(key.as_slice(), candle.encode().as_slice()).map_err(db_error)?;
    }
    Ok(())
}

fn decode_candle(key: &[u8], bytes: &[u8]) -> Result<Candle, StoreError> {
    Candle::decode(bytes).map_err(|e| StoreError::Corrupt {
        table: "candles",
        key: alloy_primitives::hex::encode_prefixed(key),
        reason: e.to_string(),
    })
}

/// Adds a block's fills and applies its order events in execution order, inside its
/// transaction: a Place adds its row (and, if it rests, the reference to it); a maker fill or a
/// Cancel updates the row of the resting order, which leaves the references once off the book.
fn write_history(txn: &redb::WriteTransaction, updates: &HistoryUpdates) -> Result<(), StoreError> {
    let mut fills = txn.open_table(ACCOUNT_FILLS).map_err(db_error)?;
    for fill in &updates.fills {
        fills.insert(fill.key().as_slice(), fill.encode_value().as_slice()).map_err(db_error)?;
    }
    let mut orders = txn.open_table(ACCOUNT_ORDERS).map_err(db_error)?;
    let mut refs = txn.open_table(ORDER_REFS).map_err(db_error)?;
    for event in &updates.orders {
        let (market_id, order_id) = match event {
            OrderEvent::Placed(row) => {
                orders.insert(row.key().as_slice(), row.encode_value().as_slice()).map_err(db_error)?;
                if row.status == crate::history::OrderStatus::Open {
                    let reference = order_ref_key(&row.market_id, &row.order_id);
                    refs.insert(reference.as_slice(), row.key().as_slice()).map_err(db_error)?;
                }
                continue;
            }
            OrderEvent::MakerFill { market_id, order_id, .. } | OrderEvent::Cancelled { market_id, order_id } => {
                (market_id, order_id)
            }
        };
        let reference = order_ref_key(market_id, order_id);
        let Some(key) = refs.get(reference.as_slice()).map_err(db_error)?.map(|k| k.value().to_vec()) else {
            // Rested before this data dir kept histories (never, from genesis on): no row.
            continue;
        };
        let stored = orders.get(key.as_slice()).map_err(db_error)?.map(|v| v.value().to_vec());
        let Some(bytes) = stored else { continue };
        let mut row = OrderRow::decode(&key, &bytes).map_err(|e| StoreError::Corrupt {
            table: "account_orders",
            key: alloy_primitives::hex::encode_prefixed(&key),
            reason: e.to_string(),
        })?;
        match event {
            OrderEvent::MakerFill { qty, .. } => row.fill_as_maker(*qty),
            _ => row.cancel(),
        }
        orders.insert(key.as_slice(), row.encode_value().as_slice()).map_err(db_error)?;
        if row.status != crate::history::OrderStatus::Open {
            refs.remove(reference.as_slice()).map_err(db_error)?;
        }
    }
    Ok(())
}

/// A row as read back, undecoded: key and value bytes.
type RawRow = (Vec<u8>, Vec<u8>);

/// A candle as read back: its bucket start (Unix seconds) and its values.
pub type StoredCandle = (u64, Candle);

impl Store {
    /// The newest `limit` candles of `market` at `interval`, oldest first.
    pub fn candles(&self, market: &B256, interval: Interval, limit: usize) -> Result<Vec<StoredCandle>, StoreError> {
        let mut newest_first = self.candle_range(market, interval, 0, limit, true)?;
        newest_first.reverse();
        Ok(newest_first)
    }

    /// The candles of `market` at `interval` whose buckets start at `from_s` or later, oldest
    /// first, at most `limit`.
    pub fn candles_from(
        &self,
        market: &B256,
        interval: Interval,
        from_s: u64,
        limit: usize,
    ) -> Result<Vec<StoredCandle>, StoreError> {
        self.candle_range(market, interval, from_s, limit, false)
    }

    /// `account`'s newest `limit` fills, newest first.
    pub fn account_fills(&self, account: &Address, limit: usize) -> Result<Vec<AccountFill>, StoreError> {
        let rows = self.newest_rows::<FILL_KEY_LEN>(ACCOUNT_FILLS, account, limit)?;
        let decode = |(key, value): RawRow| {
            AccountFill::decode(&key, &value).map_err(|e| StoreError::Corrupt {
                table: "account_fills",
                key: alloy_primitives::hex::encode_prefixed(&key),
                reason: e.to_string(),
            })
        };
        rows.into_iter().map(decode).collect()
    }

    /// `account`'s newest `limit` orders, newest first.
    pub fn account_orders(&self, account: &Address, limit: usize) -> Result<Vec<OrderRow>, StoreError> {
        let rows = self.newest_rows::<ORDER_KEY_LEN>(ACCOUNT_ORDERS, account, limit)?;
        let decode = |(key, value): RawRow| {
            OrderRow::decode(&key, &value).map_err(|e| StoreError::Corrupt {
                table: "account_orders",
                key: alloy_primitives::hex::encode_prefixed(&key),
                reason: e.to_string(),
            })
        };
        rows.into_iter().map(decode).collect()
    }

    /// The trades of the newest `batches` trading batches and of the system batches among the
    /// newest `batches` EVM batches, oldest first, each with its market: what a restarting node refills its
    /// in-memory recent trades from (`GET /v1/markets/{market}/trades` reads those).
    pub fn recent_trades(&self, batches: usize) -> Result<Vec<(B256, TradeRecord)>, StoreError> {
        let (trading, system) = {
            let txn = self.db.begin_read().map_err(db_error)?;
            let table = txn.open_table(BATCHES).map_err(db_error)?;
            let mut trading = Vec::new();
            for entry in table.iter().map_err(db_error)?.rev().take(batches) {
                let (seq, bytes) = entry.map_err(db_error)?;
                trading.push(decode_batch(seq.value(), bytes.value())?);
            }
            let table = txn.open_table(EVM_BATCHES).map_err(db_error)?;
            let mut system = Vec::new();
            for entry in table.iter().map_err(db_error)?.rev().take(batches) {
                let (seq, bytes) = entry.map_err(db_error)?;
                let batch =
                    StoredEvmBatch::decode(bytes.value()).map_err(|e| corrupt("evm_batches", seq.value(), e))?;
                if matches!(batch.facts, EvmBatchFacts::System { .. }) {
                    system.push(batch);
                }
            }
            (trading, system)
        };
        // A trade's time is its block's header timestamp; a batch's block is read once.
        let mut times: BTreeMap<u64, u64> = BTreeMap::new();
        let mut time_of = |height: u64| -> Result<u64, StoreError> {
            if let Some(time) = times.get(&height) {
                return Ok(*time);
            }
            let header = self.block(height)?.ok_or_else(|| StoreError::Corrupt {
                table: "blocks",
                key: height.to_string(),
                reason: "a stored batch's block is missing".into(),
            })?;
            times.insert(height, header.timestamp_ms);
            Ok(header.timestamp_ms)
        };
        let mut by_seq: BTreeMap<u64, Vec<(B256, TradeRecord)>> = BTreeMap::new();
        for batch in &trading {
            let records = batch.trade_records(time_of(batch.block_height)?);
            by_seq.insert(batch.batch_seq, records.into_iter().map(|t| (batch.market_id, t)).collect());
        }
        for batch in &system {
            let EvmBatchFacts::System { trades, .. } = &batch.facts else { continue };
            let records = batch.trade_records(time_of(batch.block_height)?);
            by_seq.insert(batch.batch_seq, trades.iter().map(|t| t.market_id).zip(records).collect());
        }
        Ok(by_seq.into_values().flatten().collect())
    }

    /// The last `limit` rows of `account` in a table keyed by account first (`N`-byte keys).
    fn newest_rows<const N: usize>(
        &self,
        def: TableDefinition<&[u8], &[u8]>,
        account: &Address,
        limit: usize,
    ) -> Result<Vec<RawRow>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(def).map_err(db_error)?;
        let (low, high) = account_range::<N>(account);
        let mut out = Vec::new();
        for entry in table.range(low.as_slice()..=high.as_slice()).map_err(db_error)?.rev().take(limit) {
            let (key, value) = entry.map_err(db_error)?;
            out.push((key.value().to_vec(), value.value().to_vec()));
        }
        Ok(out)
    }

    fn candle_range(
        &self,
        market: &B256,
        interval: Interval,
        from_s: u64,
        limit: usize,
        newest_first: bool,
    ) -> Result<Vec<StoredCandle>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(CANDLES).map_err(db_error)?;
        let (low, high) = (candle_key(market, interval, from_s), candle_key(market, interval, u64::MAX));
        let range = table.range(low.as_slice()..=high.as_slice()).map_err(db_error)?;
        let rows: Box<dyn Iterator<Item = _>> = if newest_first { Box::new(range.rev()) } else { Box::new(range) };
        let mut out = Vec::new();
        for entry in rows.take(limit) {
            let (key, bytes) = entry.map_err(db_error)?;
            let start = key_bucket_start_s(key.value()).ok_or_else(|| StoreError::Corrupt {
                table: "candles",
                key: alloy_primitives::hex::encode_prefixed(key.value()),
                reason: "bad key length".into(),
            })?;
            out.push((start, decode_candle(key.value(), bytes.value())?));
        }
        Ok(out)
    }
}

fn corrupt(table: &'static str, key: u64, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { table, key: key.to_string(), reason: reason.to_string() }
}

fn decode_header(height: u64, bytes: &[u8]) -> Result<BlockHeader, StoreError> {
    BlockHeader::decode_record(bytes).map_err(|e| corrupt("blocks", height, e))
}

fn decode_batch(batch_seq: u64, bytes: &[u8]) -> Result<StoredBatch, StoreError> {
    StoredBatch::decode(bytes).map_err(|e| corrupt("batches", batch_seq, e))
}

/// `keccak256(bytes) ‖ bytes`: the snapshot's hashes are trusted on load, so its bytes are
/// checksummed.
fn seal(bytes: &[u8]) -> Vec<u8> {
    let mut out = alloy_primitives::keccak256(bytes).to_vec();
    out.extend_from_slice(bytes);
    out
}

fn unseal(stored: &[u8]) -> Option<Vec<u8>> {
    let (checksum, bytes) = stored.split_at_checked(32)?;
    (alloy_primitives::keccak256(bytes).as_slice() == checksum).then(|| bytes.to_vec())
}

/// SP1 proofs of batches (`--prover sp1`): `batchSeq` → status byte ‖ proof bytes or failure
/// reason. Created by the first write, so data dirs of nodes that never prove have no table.
const PROOFS: TableDefinition<u64, &[u8]> = TableDefinition::new("proofs");

/// The prover's outcome for one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofRecord {
    /// A proof file (sp1-sdk's format; `numo proof verify` checks it).
    Proved(Vec<u8>),
    /// Proving failed, with the reason.
    Failed(String),
}

impl Store {
    /// Records the prover's outcome for a batch.
    pub fn set_proof(&self, batch_seq: u64, record: &ProofRecord) -> Result<(), StoreError> {
        let mut value = Vec::new();
        match record {
            ProofRecord::Proved(proof) => {
                value.push(1);
                value.extend_from_slice(proof);
            }
            ProofRecord::Failed(reason) => {
                value.push(2);
                value.extend_from_slice(reason.as_bytes());
            }
        }
        let txn = self.db.begin_write().map_err(db_error)?;
        txn.open_table(PROOFS).map_err(db_error)?.insert(batch_seq, value.as_slice()).map_err(db_error)?;
        txn.commit().map_err(db_error)
    }

    /// The prover's outcome for a batch, if it has one.
    pub fn proof(&self, batch_seq: u64) -> Result<Option<ProofRecord>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = match txn.open_table(PROOFS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => return Err(db_error(error)),
        };
        let Some(value) = table.get(batch_seq).map_err(db_error)? else { return Ok(None) };
        let corrupt =
            |reason: &str| StoreError::Corrupt { table: "proofs", key: batch_seq.to_string(), reason: reason.into() };
        match value.value().split_first() {
            Some((1, proof)) => Ok(Some(ProofRecord::Proved(proof.to_vec()))),
            Some((2, reason)) => Ok(Some(ProofRecord::Failed(String::from_utf8_lossy(reason).into_owned()))),
            _ => Err(corrupt("unknown proof status")),
        }
    }

    /// The highest `batchSeq` with a prover outcome: the prover works in commit order.
    pub fn last_proof_batch(&self) -> Result<Option<u64>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = match txn.open_table(PROOFS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => return Err(db_error(error)),
        };
        let last = table.last().map_err(db_error)?.map(|(seq, _)| seq.value());
        Ok(last)
    }
}
