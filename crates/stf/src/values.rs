//! Value layouts of the key table (C2–C10) with canonical absence (C3).
//!
//! Each value type encodes to its fixed layout; an all-zero value is never stored, so
//! [`StateValue::encode_canonical`] returns `None` for it and writing it deletes the key.

use crate::codec::{DecodeError, Reader, Writer};
use crate::units::Side;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// A value stored under a state key.
pub trait StateValue: Sized + Default + PartialEq {
    /// Exact encoded length.
    const LEN: usize;
    /// Appends the fixed layout.
    fn write(&self, w: &mut Writer);
    /// Reads the fixed layout.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// The layout bytes.
    fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(Self::LEN);
        self.write(&mut w);
        w.into_bytes()
    }

    /// The bytes to store, or `None` when every field is zero (C3: the key is absent).
    fn encode_canonical(&self) -> Option<Vec<u8>> {
        (*self != Self::default()).then(|| self.encode())
    }

    /// Decodes stored bytes; an absent key (`None`) is the all-zero value (C3).
    fn decode(bytes: Option<&[u8]>) -> Result<Self, DecodeError> {
        let Some(bytes) = bytes else {
            return Ok(Self::default());
        };
        if bytes.len() != Self::LEN {
            return Err(DecodeError::BadValueLength { expected: Self::LEN, got: bytes.len() });
        }
        let mut r = Reader::new(bytes);
        let value = Self::read(&mut r)?;
        r.finish()?;
        Ok(value)
    }
}

/// `NS_BAL` value: `U256 available ‖ U256 locked` (64 B).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// Free to spend or lock.
    pub available: U256,
    /// Collateral of resting orders and of the order being placed (C14).
    pub locked: U256,
}

impl StateValue for Balance {
    const LEN: usize = 64;
    fn write(&self, w: &mut Writer) {
        w.u256(&self.available).u256(&self.locked);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { available: r.u256()?, locked: r.u256()? })
    }
}

/// `NS_NONCE` value: `U64 nextNonce` (8 B, C9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NextNonce(pub u64);

impl StateValue for NextNonce {
    const LEN: usize = 8;
    fn write(&self, w: &mut Writer) {
        w.u64(self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(r.u64()?))
    }
}

/// `NS_ORDER` value: `ADDR trader ‖ U8 side ‖ I32 tickIndex ‖ U256 remainingQty ‖ U256 locked`
/// (89 B). A stored side outside {0,1} does not decode: this transition never writes one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Order {
    /// Owner, the only one who may cancel it (C12).
    pub trader: Address,
    /// BUY or SELL (C8).
    pub side: Side,
    /// Tick the order rests at.
    pub tick: i32,
    /// Base quantity still open.
    pub remaining: U256,
    /// Collateral still locked for it: quote for BUY, base for SELL (C8).
    pub locked: U256,
}

impl StateValue for Order {
    const LEN: usize = 89;
    fn write(&self, w: &mut Writer) {
        w.address(&self.trader).u8(self.side as u8).i32(self.tick).u256(&self.remaining).u256(&self.locked);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let trader = r.address()?;
        let side_byte = r.u8()?;
        let side = Side::from_u8(side_byte).ok_or(DecodeError::BadStoredSide(side_byte))?;
        Ok(Self { trader, side, tick: r.i32()?, remaining: r.u256()?, locked: r.u256()? })
    }
}

/// `NS_ORDERNODE` value: `B32 prevOrderId ‖ B32 nextOrderId` (64 B, zero = none). A lone order
/// at its tick therefore has no ORDERNODE key at all (C3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderNode {
    /// The older neighbour in FIFO order (towards the head).
    pub prev: B256,
    /// The younger neighbour (towards the tail).
    pub next: B256,
}

impl StateValue for OrderNode {
    const LEN: usize = 64;
    fn write(&self, w: &mut Writer) {
        w.b32(&self.prev).b32(&self.next);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { prev: r.b32()?, next: r.b32()? })
    }
}

/// `NS_TICKNODE` value: `U8 hasPrev ‖ I32 prevTick ‖ U8 hasNext ‖ I32 nextTick ‖
/// B32 headOrderId ‖ B32 tailOrderId ‖ U256 totalQty` (106 B). `prev` is the better neighbour (C8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickNode {
    /// Better active tick on the same side, if any.
    pub prev: Option<i32>,
    /// Worse active tick on the same side, if any.
    pub next: Option<i32>,
    /// Oldest order (matched first).
    pub head: B256,
    /// Youngest order (where new ones are appended).
    pub tail: B256,
    /// Sum of the remaining quantities resting here.
    pub total_qty: U256,
}

impl StateValue for TickNode {
    const LEN: usize = 106;
    fn write(&self, w: &mut Writer) {
        w.optional_tick(self.prev).optional_tick(self.next).b32(&self.head).b32(&self.tail).u256(&self.total_qty);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            prev: r.optional_tick(DecodeError::BadOptionalTick)?,
            next: r.optional_tick(DecodeError::BadOptionalTick)?,
            head: r.b32()?,
            tail: r.b32()?,
            total_qty: r.u256()?,
        })
    }
}

/// `NS_MARKETBEST` value: `U8 hasBid ‖ I32 bestBid ‖ U8 hasAsk ‖ I32 bestAsk` (10 B).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarketBest {
    /// Highest active bid tick.
    pub bid: Option<i32>,
    /// Lowest active ask tick.
    pub ask: Option<i32>,
}

impl MarketBest {
    /// The best tick of `side`.
    pub fn get(&self, side: Side) -> Option<i32> {
        match side {
            Side::Buy => self.bid,
            Side::Sell => self.ask,
        }
    }

    /// Sets the best tick of `side`.
    pub fn set(&mut self, side: Side, tick: Option<i32>) {
        match side {
            Side::Buy => self.bid = tick,
            Side::Sell => self.ask = tick,
        }
    }
}

impl StateValue for MarketBest {
    const LEN: usize = 10;
    fn write(&self, w: &mut Writer) {
        w.optional_tick(self.bid).optional_tick(self.ask);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            bid: r.optional_tick(DecodeError::BadOptionalTick)?,
            ask: r.optional_tick(DecodeError::BadOptionalTick)?,
        })
    }
}

/// `NS_FEEVAULT` value: `U256 total` (32 B).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeeVault(pub U256);

impl StateValue for FeeVault {
    const LEN: usize = 32;
    fn write(&self, w: &mut Writer) {
        w.u256(&self.0);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self(r.u256()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_values_are_absent() {
        assert_eq!(Balance::default().encode_canonical(), None);
        assert_eq!(TickNode::default().encode_canonical(), None);
        assert_eq!(Balance::decode(None), Ok(Balance::default()));
    }

    #[test]
    fn wrong_length_and_bad_flags_are_refused() {
        assert!(Balance::decode(Some(&[0u8; 63])).is_err());
        assert_eq!(MarketBest::decode(Some(&[2, 0, 0, 0, 0, 0, 0, 0, 0, 0])), Err(DecodeError::BadOptionalTick));
        assert_eq!(MarketBest::decode(Some(&[0, 0, 0, 0, 1, 0, 0, 0, 0, 0])), Err(DecodeError::BadOptionalTick));
    }

    #[test]
    fn tick_node_layout_is_106_bytes() {
        let node = TickNode {
            prev: Some(-1),
            next: None,
            head: B256::repeat_byte(1),
            tail: B256::repeat_byte(2),
            total_qty: U256::from(5),
        };
        let bytes = node.encode();
        assert_eq!(bytes.len(), 106);
        assert_eq!(&bytes[..5], &[1, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(TickNode::decode(Some(&bytes)), Ok(node));
    }
}
