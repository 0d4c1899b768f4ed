//! Durable storage in redb: the admission log, blocks, batches, witnesses, verification
//! results and the state leaves.
//!
//! Every write path is one redb transaction committed with `Durability::Immediate` (fsync), so
//! a crash leaves either all or nothing of it: an admission group is durable before it is
//! acknowledged, and a block commits its batches, witnesses, state writes and the removal of
//! its admission-log entries together — a message is pending or executed, never both.

use crate::records::{AdmissionEntry, BatchRecord, BlockHeader};
use alloy_primitives::B256;
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
const TREE_SNAPSHOT: &str = "snapshot";

const META_GENESIS_ROOT: &str = "genesis_root";
const META_COUNTERS: &str = "counters";

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
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error (I/O, full disk, corruption).
    #[error("storage: {0}")]
    Db(String),
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
    /// The batches with their compact witnesses.
    pub batches: Vec<(&'a BatchRecord, &'a [u8])>,
    /// State writes of the whole block (`None` deletes), in key order.
    pub state_writes: &'a BTreeMap<B256, Option<Vec<u8>>>,
    /// Admission-log sequence numbers now executed.
    pub executed: &'a [u64],
    /// Counters after the block.
    pub counters: Counters,
    /// A snapshot of the tree after the block (`numo_smt` layout), written now and then so a
    /// restart need not rehash every leaf.
    pub tree_snapshot: Option<Vec<u8>>,
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
}

impl Store {
    /// Opens or creates `dir/numo.redb`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(db_error)?;
        let db = Database::create(dir.join("numo.redb")).map_err(db_error)?;
        let txn = db.begin_write().map_err(db_error)?;
        for table in [ADMISSION, BLOCKS, BATCHES, WITNESSES] {
            txn.open_table(table).map_err(db_error)?;
        }
        txn.open_table(META).map_err(db_error)?;
        txn.open_table(VERIFIED).map_err(db_error)?;
        txn.open_table(STATE).map_err(db_error)?;
        txn.open_table(TREE).map_err(db_error)?;
        txn.open_table(DIRTY).map_err(db_error)?;
        txn.commit().map_err(db_error)?;
        Ok(Self { db })
    }

    /// Writes the genesis state and root into an empty data dir.
    pub fn initialise(&self, genesis_root: &B256, state: &[(B256, Vec<u8>)]) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut meta = txn.open_table(META).map_err(db_error)?;
            meta.insert(META_GENESIS_ROOT, genesis_root.as_slice()).map_err(db_error)?;
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
            Some((height, bytes)) => Some(decode_json("blocks", height.value(), bytes.value())?),
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
            let decoded = AdmissionEntry::decode(seq.value(), bytes.value()).map_err(|reason| StoreError::Corrupt {
                table: "admission",
                key: seq.value().to_string(),
                reason,
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
        Ok(Loaded { genesis_root, counters, last_block, state, pending, tree_snapshot, dirty })
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

    /// Commits a block atomically.
    pub fn commit_block(&self, commit: &BlockCommit<'_>) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(db_error)?;
        {
            let mut blocks = txn.open_table(BLOCKS).map_err(db_error)?;
            blocks.insert(commit.header.height, encode_json(commit.header).as_slice()).map_err(db_error)?;
            let mut batches = txn.open_table(BATCHES).map_err(db_error)?;
            let mut witnesses = txn.open_table(WITNESSES).map_err(db_error)?;
            for (batch, witness) in &commit.batches {
                batches.insert(batch.batch_seq, encode_json(*batch).as_slice()).map_err(db_error)?;
                witnesses.insert(batch.batch_seq, *witness).map_err(db_error)?;
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

    /// A block header by height.
    pub fn block(&self, height: u64) -> Result<Option<BlockHeader>, StoreError> {
        self.get_json(BLOCKS, "blocks", height)
    }

    /// A batch record by `batchSeq`.
    pub fn batch(&self, batch_seq: u64) -> Result<Option<BatchRecord>, StoreError> {
        self.get_json(BATCHES, "batches", batch_seq)
    }

    /// Batch records with `batchSeq` in `from..=to`, newest first, at most `limit`.
    pub fn batches_descending(&self, to: u64, limit: usize) -> Result<Vec<BatchRecord>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(BATCHES).map_err(db_error)?;
        let mut out = Vec::new();
        for entry in table.range(..=to).map_err(db_error)?.rev().take(limit) {
            let (seq, bytes) = entry.map_err(db_error)?;
            out.push(decode_json("batches", seq.value(), bytes.value())?);
        }
        Ok(out)
    }

    /// The compact witness of a batch.
    pub fn witness(&self, batch_seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(WITNESSES).map_err(db_error)?;
        Ok(table.get(batch_seq).map_err(db_error)?.map(|v| v.value().to_vec()))
    }

    /// Number of admitted messages waiting for a block.
    pub fn pending_count(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        txn.open_table(ADMISSION).map_err(db_error)?.len().map_err(db_error)
    }

    fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        def: TableDefinition<u64, &[u8]>,
        name: &'static str,
        key: u64,
    ) -> Result<Option<T>, StoreError> {
        let txn = self.db.begin_read().map_err(db_error)?;
        let table = txn.open_table(def).map_err(db_error)?;
        let value = table.get(key).map_err(db_error)?;
        value.map(|v| decode_json(name, key, v.value())).transpose()
    }
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

fn encode_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize")
}

fn decode_json<T: serde::de::DeserializeOwned>(table: &'static str, key: u64, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: e.to_string(),
    })
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
