//! E7: system messages — what the system contract's logs request — and the system batch that
//! executes the outbox at the start of the next exchange block.
//!
//! A message's authority is EVM execution: the log exists only if the transaction that emitted
//! it succeeded, and its `trader`/`from` is the caller the EVM saw (`msg.sender`). A Place or
//! Cancel runs through numo-stf's CLOB execution as a one-message batch with the trader's
//! current nonce; a Transfer through numo-funding's [`execute_transfer`], without a nonce.

use crate::abi::INumoExchange;
use crate::db::Tracked;
use crate::env::EvmVenue;
use crate::error::EvmError;
use crate::keys::outbox_key;
use crate::limits::{SYSTEM_CANCEL_LEN, SYSTEM_CONTRACT, SYSTEM_PLACE_LEN, SYSTEM_TRANSFER_LEN};
use crate::values::{decode_outbox, encode_outbox};
use alloc::vec::Vec;
use alloy_primitives::{Address, Log, B256, U256};
use alloy_sol_types::SolEvent;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::hash::keccak256;
use numo_core::{State, StateError, TouchLog};
use numo_funding::{execute_transfer, FundingReject, TransferRequest};
use numo_stf::exec::journal::Journal;
use numo_stf::keys::{market_best_key, nonce_key, tick_node_key};
use numo_stf::records::{trades_root, Trade};
use numo_stf::values::{MarketBest, NextNonce, TickNode};
use numo_stf::{
    execute_messages, BatchError, Cancel, HintSource, Message, MessageOutcome, Place, Side, Signature, SignedMessage,
    TickHints,
};

/// Type byte of a system Place (C22's Place type).
const PLACE_TYPE: u8 = 0x01;
/// Type byte of a system Cancel (C22's Cancel type).
const CANCEL_TYPE: u8 = 0x02;
/// Type byte of a system Transfer (C24's reserved Transfer type).
const TRANSFER_TYPE: u8 = 0x05;

/// One request of the system contract (E7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemMessage {
    /// `0x01 ‖ ADDR trader ‖ B32 marketId ‖ U8 side ‖ U8 tif ‖ I32 tick ‖ U256 qty ‖ B32 orderId`.
    Place {
        /// `msg.sender` of `placeOrder`.
        trader: Address,
        /// The market.
        market_id: B256,
        /// 0 buy, 1 sell (other values are rejected by the CLOB, C12).
        side: u8,
        /// 0 GTC, 1 IOC.
        tif: u8,
        /// Limit tick.
        tick: i32,
        /// Base units.
        qty: U256,
        /// The exchange order id.
        order_id: B256,
    },
    /// `0x02 ‖ ADDR trader ‖ B32 marketId ‖ B32 orderId`.
    Cancel {
        /// `msg.sender` of `cancelOrder`.
        trader: Address,
        /// The market.
        market_id: B256,
        /// The order to cancel.
        order_id: B256,
    },
    /// `0x05 ‖ ADDR from ‖ B32 assetId ‖ U256 amount ‖ ADDR to`.
    Transfer {
        /// `msg.sender` of `transfer`.
        from: Address,
        /// The asset.
        asset_id: B256,
        /// Base units.
        amount: U256,
        /// The credited account.
        to: Address,
    },
}

impl SystemMessage {
    /// The E7 encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(SYSTEM_PLACE_LEN);
        match self {
            SystemMessage::Place { trader, market_id, side, tif, tick, qty, order_id } => {
                w.u8(PLACE_TYPE).address(trader).b32(market_id).u8(*side).u8(*tif).i32(*tick).u256(qty);
                w.b32(order_id);
            }
            SystemMessage::Cancel { trader, market_id, order_id } => {
                w.u8(CANCEL_TYPE).address(trader).b32(market_id).b32(order_id);
            }
            SystemMessage::Transfer { from, asset_id, amount, to } => {
                w.u8(TRANSFER_TYPE).address(from).b32(asset_id).u256(amount).address(to);
            }
        }
        w.into_bytes()
    }

    /// Strict decode of exactly one message.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let message = match r.u8()? {
            PLACE_TYPE => SystemMessage::Place {
                trader: r.address()?,
                market_id: r.b32()?,
                side: r.u8()?,
                tif: r.u8()?,
                tick: r.i32()?,
                qty: r.u256()?,
                order_id: r.b32()?,
            },
            CANCEL_TYPE => SystemMessage::Cancel { trader: r.address()?, market_id: r.b32()?, order_id: r.b32()? },
            TRANSFER_TYPE => {
                SystemMessage::Transfer { from: r.address()?, asset_id: r.b32()?, amount: r.u256()?, to: r.address()? }
            }
            other => return Err(DecodeError::UnknownMessageType(other)),
        };
        r.finish()?;
        debug_assert_eq!(bytes.len(), message.encoded_len());
        Ok(message)
    }

    /// Encoded length.
    pub const fn encoded_len(&self) -> usize {
        match self {
            SystemMessage::Place { .. } => SYSTEM_PLACE_LEN,
            SystemMessage::Cancel { .. } => SYSTEM_CANCEL_LEN,
            SystemMessage::Transfer { .. } => SYSTEM_TRANSFER_LEN,
        }
    }

    /// The E6 log the system contract emits for this request (topic0 the event's signature
    /// hash, topic1 the caller, topic2 the market or asset).
    pub fn to_log(&self) -> Log {
        let data = match *self {
            SystemMessage::Place { trader, market_id, side, tif, tick, qty, order_id } => {
                INumoExchange::PlaceRequested { trader, marketId: market_id, side, tif, tick, qty, orderId: order_id }
                    .encode_log_data()
            }
            SystemMessage::Cancel { trader, market_id, order_id } => {
                INumoExchange::CancelRequested { trader, marketId: market_id, orderId: order_id }.encode_log_data()
            }
            SystemMessage::Transfer { from, asset_id, amount, to } => {
                INumoExchange::TransferRequested { from, assetId: asset_id, amount, to }.encode_log_data()
            }
        };
        Log { address: SYSTEM_CONTRACT, data }
    }
}

/// The system message a log of the system contract requests (E7), `None` for any other log.
/// Only the system contract's own emissions carry its address, so every such log decodes.
pub fn message_from_log(log: &Log) -> Option<SystemMessage> {
    if log.address != SYSTEM_CONTRACT {
        return None;
    }
    let topic0 = *log.data.topics().first()?;
    if topic0 == INumoExchange::PlaceRequested::SIGNATURE_HASH {
        let e = INumoExchange::PlaceRequested::decode_log_data_validate(&log.data).ok()?;
        Some(SystemMessage::Place {
            trader: e.trader,
            market_id: e.marketId,
            side: e.side,
            tif: e.tif,
            tick: e.tick,
            qty: e.qty,
            order_id: e.orderId,
        })
    } else if topic0 == INumoExchange::CancelRequested::SIGNATURE_HASH {
        let e = INumoExchange::CancelRequested::decode_log_data_validate(&log.data).ok()?;
        Some(SystemMessage::Cancel { trader: e.trader, market_id: e.marketId, order_id: e.orderId })
    } else if topic0 == INumoExchange::TransferRequested::SIGNATURE_HASH {
        let e = INumoExchange::TransferRequested::decode_log_data_validate(&log.data).ok()?;
        Some(SystemMessage::Transfer { from: e.from, asset_id: e.assetId, amount: e.amount, to: e.to })
    } else {
        None
    }
}

/// The outbox as stored, read without recording (for a caller deciding whether a system batch
/// runs: the chain, the node's API). Execution reads it through [`execute_system_batch`].
pub fn read_outbox<S: State>(state: &mut S) -> Result<Vec<SystemMessage>, StateError> {
    let key = outbox_key();
    let bytes = state.get(&key)?;
    decode_outbox(bytes.as_deref()).map_err(|error| StateError::Corrupt { key, error })
}

/// What one system message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemOutcome {
    /// A Place or Cancel ran through the CLOB as a one-message batch with this nonce: accepted
    /// or rejected (C12), its nonce consumed either way.
    Order {
        /// The nonce it took (the trader's `nextNonce` in that market).
        nonce: u64,
        /// The CLOB's outcome.
        outcome: MessageOutcome,
    },
    /// A Place or Cancel naming a market the venue lacks: `unknown_market`, no access.
    UnknownMarket,
    /// A Transfer applied.
    Transferred,
    /// A Transfer rejected by F7's checks.
    TransferRejected(FundingReject),
}

/// What a system batch did, besides its writes.
#[derive(Debug, Clone)]
pub struct SystemReport {
    /// The outbox, in order.
    pub messages: Vec<SystemMessage>,
    /// One outcome per message.
    pub outcomes: Vec<SystemOutcome>,
    /// Every fill, in execution order (each names its market; the requester is the taker).
    pub trades: Vec<Trade>,
    /// E10 `inputDigest`: `keccak256(outbox value)`.
    pub input_digest: B256,
    /// The batch's accesses (C23).
    pub touched: TouchLog,
}

impl SystemReport {
    /// E10 `outputDigest`: the C21 `tradesRoot` of the batch's trades.
    pub fn trades_root(&self) -> B256 {
        trades_root(&self.trades)
    }
}

/// Tick hints found by walking the side's list from its best tick with **recorded** reads, so
/// the guest, which has no hints in its input (E11), walks the same keys from its witness.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordedHints;

impl HintSource for RecordedHints {
    fn tick_hints<S: State>(
        &mut self,
        _index: usize,
        j: &mut Journal<'_, S>,
        market: &B256,
        side: Side,
        tick: i32,
    ) -> Result<TickHints, BatchError> {
        let best: MarketBest = j.read(&market_best_key(market))?;
        let mut hints = TickHints { prev: None, next: best.get(side) };
        while let Some(current) = hints.next.filter(|current| side.is_better(*current, tick)) {
            let node: TickNode = j.read(&tick_node_key(market, side, current))?;
            hints = TickHints { prev: Some(current), next: node.next };
        }
        Ok(hints)
    }
}

/// E7: executes the outbox over `state` and deletes it. Access sequence: r `NS_EVM(0x03)`, then
/// each message's accesses (for a Place or Cancel: r `NS_NONCE(trader, market)`, then the
/// one-message batch's C25 sequence, its tick-hint walk included), then w `NS_EVM(0x03)`.
/// An empty outbox executes nothing and writes nothing.
pub fn execute_system_batch<S: State>(
    state: &mut S,
    venue: &EvmVenue,
    mut touched: TouchLog,
) -> Result<SystemReport, EvmError> {
    let key = outbox_key();
    let mut store = Tracked::new(state, &mut touched);
    let bytes = store.get(&key)?;
    let messages = decode_outbox(bytes.as_deref()).map_err(|error| StateError::Corrupt { key, error })?;
    let input_digest = keccak256(bytes.as_deref().unwrap_or_default());
    let mut outcomes = Vec::with_capacity(messages.len());
    let mut trades = Vec::new();
    for (index, message) in messages.iter().enumerate() {
        let outcome = match *message {
            SystemMessage::Place { trader, market_id, side, tif, tick, qty, order_id } => {
                let build =
                    |nonce| Message::Place(Place { trader, nonce, order_id, side, tif: u32::from(tif), tick, qty });
                run_order(&mut store, venue, index, trader, market_id, build, &mut trades)?
            }
            SystemMessage::Cancel { trader, market_id, order_id } => {
                let build = |nonce| Message::Cancel(Cancel { trader, nonce, order_id });
                run_order(&mut store, venue, index, trader, market_id, build, &mut trades)?
            }
            SystemMessage::Transfer { from, asset_id, amount, to } => {
                let request = TransferRequest { from, asset_id, amount, to };
                let (state, touched) = store.parts();
                match execute_transfer(&venue.funding, state, touched, &request)? {
                    Ok(()) => SystemOutcome::Transferred,
                    Err(reason) => SystemOutcome::TransferRejected(reason),
                }
            }
        };
        outcomes.push(outcome);
    }
    if !messages.is_empty() {
        store.put(key, encode_outbox(&[]))?;
    }
    Ok(SystemReport { messages, outcomes, trades, input_digest, touched })
}

/// A Place or Cancel as a one-message CLOB batch with the trader's current nonce.
fn run_order<S: State>(
    store: &mut Tracked<'_, S>,
    venue: &EvmVenue,
    index: usize,
    trader: Address,
    market_id: B256,
    build: impl FnOnce(u64) -> Message,
    trades: &mut Vec<Trade>,
) -> Result<SystemOutcome, EvmError> {
    let Some(ctx) = venue.markets.get(&market_id) else {
        return Ok(SystemOutcome::UnknownMarket);
    };
    let NextNonce(nonce) = store.read(&nonce_key(&trader, &market_id))?;
    // Authorised by EVM execution, not a signature: execute_messages checks none (C11's
    // signature checks are validate_batch's, which a system batch does not run).
    let signed = SignedMessage { message: build(nonce), signature: Signature([0; 65]) };
    let (state, touched) = store.parts();
    let log = core::mem::replace(touched, TouchLog::digest_only());
    let mut report = execute_messages(ctx, state, &[signed], &mut RecordedHints, log)
        .map_err(|error| EvmError::Clob { index, error })?;
    *touched = report.touched;
    trades.append(&mut report.trades);
    let outcome = report.outcomes.first().copied().ok_or(EvmError::Internal("no CLOB outcome".into()))?;
    Ok(SystemOutcome::Order { nonce, outcome })
}
