//! The L1 listener core: reads the bridge's deposit and forced-withdrawal queues (F2, F5) from
//! confirmed blocks, with a cursor the node persists.
//!
//! No background task: the node calls [`Reader::poll`] on its own schedule and stores the
//! returned [`Cursor`] together with the system messages it made from the events, so after a
//! restart it resumes exactly after the last block it processed. A record is returned once its
//! block has `confirmations` blocks on top; a reorg shallower than that is invisible here (the
//! orphaned deposit is never returned, the replacement takes its index). A reorg deeper than
//! that — the block at the cursor changed — is [`L1Error::Reorged`]: the node has already
//! sequenced those records and must stop rather than guess.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::{Filter, Log};
use alloy::sol_types::SolEvent;
use serde::{Deserialize, Serialize};

use crate::bindings::NumoBridge::{Deposited, ForcedWithdrawalRequested};
use crate::rpc::connect;
use crate::L1Error;

/// The most blocks one [`Reader::poll`] reads: keeps an `eth_getLogs` range inside what public
/// RPC providers accept and a catch-up from an old cursor incremental.
pub const MAX_BLOCKS_PER_POLL: u64 = 1_000;

/// The last L1 block fully processed: its number and hash (the hash detects reorgs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

/// One record of the bridge's queues, in L1 order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum L1Event {
    /// A `Deposited` record: becomes numo's Deposit system message `index` (F2).
    Deposit {
        /// Queue index (F5), from 0.
        index: u64,
        /// The numo asset.
        asset_id: B256,
        /// The L1 sender (refunds go back here, F7).
        from: Address,
        /// The numo account credited.
        to: Address,
        /// The amount the bridge received.
        amount: U256,
        /// The bridge's accumulator after this record (F5).
        acc: B256,
        /// Where it was mined.
        block_number: u64,
        /// Hash of that block.
        block_hash: B256,
        /// The deposit transaction.
        tx_hash: B256,
    },
    /// A `ForcedWithdrawalRequested` record: numo's ForcedWithdrawal system message `index`.
    Forced {
        /// Queue index (F5), from 0.
        index: u64,
        /// Whose balance is withdrawn.
        owner: Address,
        /// The numo asset.
        asset_id: B256,
        /// The amount requested.
        amount: U256,
        /// L1 time after which an unsettled request lets anyone freeze the bridge (F14).
        deadline: u64,
        /// The bridge's accumulator after this record (F5).
        acc: B256,
        /// Where it was mined.
        block_number: u64,
        /// Hash of that block.
        block_hash: B256,
        /// The request transaction.
        tx_hash: B256,
    },
}

impl L1Event {
    /// The block the record was mined in.
    pub fn block_number(&self) -> u64 {
        match self {
            L1Event::Deposit { block_number, .. } | L1Event::Forced { block_number, .. } => *block_number,
        }
    }
}

/// What one [`Reader::poll`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poll {
    /// The records of the blocks read, ordered by (block, log index).
    pub events: Vec<L1Event>,
    /// The cursor to store and pass to the next poll (unchanged when nothing was confirmed).
    pub cursor: Option<Cursor>,
    /// The L1 head seen.
    pub head: u64,
    /// Whether the poll reached the last confirmed block (false: call again to catch up).
    pub caught_up: bool,
}

/// Reads the queues of one bridge.
#[derive(Clone, Debug)]
pub struct Reader {
    provider: DynProvider,
    bridge: Address,
    deploy_block: u64,
}

impl Reader {
    /// A reader of `bridge`, deployed at `deploy_block` (the first block a poll without a cursor
    /// reads).
    pub fn new(rpc_url: &str, bridge: Address, deploy_block: u64) -> Result<Self, L1Error> {
        Ok(Self::with_provider(connect(rpc_url)?, bridge, deploy_block))
    }

    /// As [`Reader::new`] over an existing provider.
    pub fn with_provider(provider: DynProvider, bridge: Address, deploy_block: u64) -> Self {
        Self { provider, bridge, deploy_block }
    }

    /// Reads the records of blocks `cursor.number + 1 ..= head − confirmations` (at most
    /// [`MAX_BLOCKS_PER_POLL`] of them; from the deploy block without a cursor).
    ///
    /// Before and after reading, the block at the cursor must still have the cursor's hash, and
    /// every log's block hash must be the hash of its block as read here; otherwise nothing is
    /// returned and the error is [`L1Error::Reorged`].
    pub async fn poll(&self, cursor: Option<Cursor>, confirmations: u64) -> Result<Poll, L1Error> {
        let head = self.provider.get_block_number().await?;
        if let Some(c) = cursor {
            self.check_hash(c.number, c.hash).await?;
        }
        let from = cursor.map_or(self.deploy_block, |c| c.number + 1);
        let Some(safe) = head.checked_sub(confirmations).filter(|safe| *safe >= from) else {
            return Ok(Poll { events: Vec::new(), cursor, head, caught_up: true });
        };
        let to = safe.min(from + MAX_BLOCKS_PER_POLL - 1);

        let filter = Filter::new()
            .address(self.bridge)
            .event_signature(vec![Deposited::SIGNATURE_HASH, ForcedWithdrawalRequested::SIGNATURE_HASH])
            .from_block(from)
            .to_block(to);
        let mut logs = self.provider.get_logs(&filter).await?;
        logs.sort_by_key(|log| (log.block_number, log.log_index));

        let to_hash = self.block_hash(to).await?;
        let mut events = Vec::with_capacity(logs.len());
        let mut checked: Option<(u64, B256)> = Some((to, to_hash));
        for log in &logs {
            let (number, hash) = located(log)?;
            let known = match checked {
                Some((n, h)) if n == number => h,
                _ => self.block_hash(number).await?,
            };
            if known != hash {
                return Err(L1Error::Reorged { number, expected: hash, found: known });
            }
            checked = Some((number, known));
            events.push(decode(log, number, hash)?);
        }
        if let Some(c) = cursor {
            self.check_hash(c.number, c.hash).await?;
        }
        Ok(Poll { events, cursor: Some(Cursor { number: to, hash: to_hash }), head, caught_up: to == safe })
    }

    async fn block_hash(&self, number: u64) -> Result<B256, L1Error> {
        let block = self.provider.get_block_by_number(BlockNumberOrTag::Number(number)).await?;
        block.map(|b| b.header.hash).ok_or_else(|| L1Error::Rpc(format!("block {number} not found")))
    }

    async fn check_hash(&self, number: u64, expected: B256) -> Result<(), L1Error> {
        let block = self.provider.get_block_by_number(BlockNumberOrTag::Number(number)).await?;
        let found = block.map_or(B256::ZERO, |b| b.header.hash);
        if found != expected {
            return Err(L1Error::Reorged { number, expected, found });
        }
        Ok(())
    }
}

fn located(log: &Log) -> Result<(u64, B256), L1Error> {
    match (log.block_number, log.block_hash) {
        (Some(number), Some(hash)) => Ok((number, hash)),
        _ => Err(L1Error::BadLog("a log without its block".into())),
    }
}

fn decode(log: &Log, block_number: u64, block_hash: B256) -> Result<L1Event, L1Error> {
    let tx_hash = log.transaction_hash.ok_or_else(|| L1Error::BadLog("a log without its transaction".into()))?;
    let bad = |e: alloy::sol_types::Error| L1Error::BadLog(e.to_string());
    match log.topic0() {
        Some(&Deposited::SIGNATURE_HASH) => {
            let d = Deposited::decode_log_data(log.data()).map_err(bad)?;
            Ok(L1Event::Deposit {
                index: d.index,
                asset_id: d.assetId,
                from: d.from,
                to: d.to,
                amount: d.amount,
                acc: d.acc,
                block_number,
                block_hash,
                tx_hash,
            })
        }
        Some(&ForcedWithdrawalRequested::SIGNATURE_HASH) => {
            let f = ForcedWithdrawalRequested::decode_log_data(log.data()).map_err(bad)?;
            Ok(L1Event::Forced {
                index: f.index,
                owner: f.owner,
                asset_id: f.assetId,
                amount: f.amount,
                deadline: f.deadline,
                acc: f.acc,
                block_number,
                block_hash,
                tx_hash,
            })
        }
        other => Err(L1Error::BadLog(format!("unexpected topic {other:?}"))),
    }
}
