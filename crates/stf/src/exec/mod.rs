//! Execution of Place and Cancel (C9–C18) over a [`State`](crate::state::State).
//!
//! Start at [`batch::execute_messages`]: it checks each nonce (C9), runs the message in a
//! [`journal::Journal`] and commits or rolls it back (C12). [`place`] and [`cancel`] hold the
//! message semantics, [`book`] the tick and FIFO lists, [`ledger`] the balance moves with the
//! C16 cap, [`math`] checked `mulDiv`, [`hints`] the C17 tick-hint contract.

pub mod batch;
pub mod book;
pub mod cancel;
pub mod hints;
pub mod journal;
pub mod ledger;
pub mod math;
pub mod place;

use crate::error::BatchError;
use crate::state::StateError;
use alloy_primitives::U256;

/// Why a message was rejected: it consumes its nonce and changes nothing else (C12).
/// The discriminant is the stable numeric code exposed to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum RejectReason {
    /// `side ∉ {0,1}`.
    BadSide = 1,
    /// `tif ∉ {0,1}`.
    BadTimeInForce = 2,
    /// `tickIndex ≤ 0`.
    NonPositiveTick = 3,
    /// `qtyBase = 0`.
    ZeroQuantity = 4,
    /// `qtyBase % lotSize ≠ 0`.
    QuantityNotLotMultiple = 5,
    /// `orderId = 0` (C10).
    ZeroOrderId = 6,
    /// `(marketId, orderId)` is resting (C10).
    OrderIdResting = 7,
    /// Available balance below the lock (C14).
    InsufficientBalance = 8,
    /// Cancel of an order that is not resting (C18).
    OrderNotResting = 9,
    /// Cancel of another trader's order (C12).
    NotOrderOwner = 10,
    /// A checked add, sub or mul overflowed (C16).
    ArithmeticOverflow = 11,
    /// A credit left `available + locked > maxBalance` (C16).
    MaxBalanceExceeded = 12,
}

impl RejectReason {
    /// Every reason, in code order.
    pub const ALL: [RejectReason; 12] = [
        RejectReason::BadSide,
        RejectReason::BadTimeInForce,
        RejectReason::NonPositiveTick,
        RejectReason::ZeroQuantity,
        RejectReason::QuantityNotLotMultiple,
        RejectReason::ZeroOrderId,
        RejectReason::OrderIdResting,
        RejectReason::InsufficientBalance,
        RejectReason::OrderNotResting,
        RejectReason::NotOrderOwner,
        RejectReason::ArithmeticOverflow,
        RejectReason::MaxBalanceExceeded,
    ];

    /// The reason with numeric code `code` (the discriminant), if any.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| *reason as u8 == code)
    }

    /// Stable snake-case name for logs and APIs.
    pub const fn name(self) -> &'static str {
        match self {
            RejectReason::BadSide => "bad_side",
            RejectReason::BadTimeInForce => "bad_time_in_force",
            RejectReason::NonPositiveTick => "non_positive_tick",
            RejectReason::ZeroQuantity => "zero_quantity",
            RejectReason::QuantityNotLotMultiple => "quantity_not_lot_multiple",
            RejectReason::ZeroOrderId => "zero_order_id",
            RejectReason::OrderIdResting => "order_id_resting",
            RejectReason::InsufficientBalance => "insufficient_balance",
            RejectReason::OrderNotResting => "order_not_resting",
            RejectReason::NotOrderOwner => "not_order_owner",
            RejectReason::ArithmeticOverflow => "arithmetic_overflow",
            RejectReason::MaxBalanceExceeded => "max_balance_exceeded",
        }
    }
}

/// What stopped a message: a rejection (roll back the message) or a batch-invalid condition
/// (abort the whole batch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// C12: roll back, keep the nonce.
    Reject(RejectReason),
    /// C11: the batch has no valid execution.
    Invalid(BatchError),
}

impl From<RejectReason> for Fault {
    fn from(reason: RejectReason) -> Self {
        Fault::Reject(reason)
    }
}

impl From<BatchError> for Fault {
    fn from(error: BatchError) -> Self {
        Fault::Invalid(error)
    }
}

impl From<StateError> for Fault {
    fn from(error: StateError) -> Self {
        Fault::Invalid(BatchError::State(error))
    }
}

/// The result of one message, in batch order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOutcome {
    /// An accepted Place.
    Placed(PlaceSummary),
    /// An accepted Cancel, with the collateral it released.
    Cancelled {
        /// `ORDER.locked` returned to available (quote for BUY, base for SELL).
        released: U256,
        /// Quantity that was still open.
        remaining: U256,
    },
    /// A rejected message (C12).
    Rejected(RejectReason),
}

impl MessageOutcome {
    /// Whether the message was accepted.
    pub fn is_accepted(&self) -> bool {
        !matches!(self, MessageOutcome::Rejected(_))
    }
}

/// What happened to an accepted Place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlaceSummary {
    /// Base quantity filled against makers.
    pub filled: U256,
    /// Base quantity left resting on the book (GTC).
    pub rested: U256,
    /// Base quantity cancelled (IOC, or C17 cap-and-still-crossing).
    pub cancelled: U256,
    /// Number of fills (≤ `maxMatchesPerOrder`).
    pub fills: u32,
    /// Whether resting linked a new tick (the hints were used).
    pub new_tick: bool,
}
