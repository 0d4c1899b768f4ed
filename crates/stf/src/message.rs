//! Signed messages (section C): Place and Cancel layouts, `msgHash`, and the signed envelope.

use crate::codec::{DecodeError, Reader, Writer};
use crate::hash::{keccak256, keccak_concat};
use crate::limits::{CANCEL_LEN, PLACE_LEN};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
/// The 65-byte `r ‖ s ‖ v` of section C lives with its checks in numo-core; every engine's
/// messages carry the same one.
pub use numo_core::signature::Signature;

/// Type byte of a Place.
pub const PLACE_TYPE: u8 = 0x01;
/// Type byte of a Cancel.
pub const CANCEL_TYPE: u8 = 0x02;

/// A limit order. `side` and `tif` keep their wire values: out-of-range values are a
/// *rejection* (C12), not malformed bytes, so they must survive decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Signer and owner.
    pub trader: Address,
    /// Must equal the trader's `nextNonce` for the market (C9).
    pub nonce: u64,
    /// Chosen by the trader; non-zero and not resting (C10).
    pub order_id: B256,
    /// 0 = BUY, 1 = SELL.
    pub side: u8,
    /// 0 = GTC, 1 = IOC.
    pub tif: u32,
    /// Limit price in ticks (C13); must be > 0 (C12).
    pub tick: i32,
    /// Base quantity; non-zero multiple of `lotSize` (C12).
    pub qty: U256,
}

/// Removes one of the trader's resting orders (C18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancel {
    /// Signer; must own the order (C12).
    pub trader: Address,
    /// Must equal the trader's `nextNonce` for the market (C9).
    pub nonce: u64,
    /// The order to remove.
    pub order_id: B256,
}

/// A V1 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// Type 0x01.
    Place(Place),
    /// Type 0x02.
    Cancel(Cancel),
}

impl Message {
    /// The signer the signature must recover to (C11).
    pub fn trader(&self) -> Address {
        match self {
            Message::Place(p) => p.trader,
            Message::Cancel(c) => c.trader,
        }
    }

    /// The nonce checked against `nextNonce` (C9).
    pub fn nonce(&self) -> u64 {
        match self {
            Message::Place(p) => p.nonce,
            Message::Cancel(c) => c.nonce,
        }
    }

    /// The order the message is about.
    pub fn order_id(&self) -> B256 {
        match self {
            Message::Place(p) => p.order_id,
            Message::Cancel(c) => c.order_id,
        }
    }

    /// Encoded length: 102 for a Place, 61 for a Cancel.
    pub fn encoded_len(&self) -> usize {
        match self {
            Message::Place(_) => PLACE_LEN,
            Message::Cancel(_) => CANCEL_LEN,
        }
    }

    /// The exact bytes that are signed and committed (section C).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.encoded_len());
        self.write(&mut w);
        w.into_bytes()
    }

    /// Appends the message bytes.
    pub fn write(&self, w: &mut Writer) {
        match self {
            Message::Place(p) => {
                w.u8(PLACE_TYPE).address(&p.trader).u64(p.nonce).b32(&p.order_id);
                w.u8(p.side).u32(p.tif).i32(p.tick).u256(&p.qty);
            }
            Message::Cancel(c) => {
                w.u8(CANCEL_TYPE).address(&c.trader).u64(c.nonce).b32(&c.order_id);
            }
        }
    }

    /// Reads one message; the type byte decides the length. Unknown and reserved types
    /// (C24: 0x03 Withdraw, 0x04 Deposit, 0x05 Transfer) are malformed in V1 (C11).
    pub fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.peek_u8()? {
            PLACE_TYPE => {
                r.u8()?;
                Ok(Message::Place(Place {
                    trader: r.address()?,
                    nonce: r.u64()?,
                    order_id: r.b32()?,
                    side: r.u8()?,
                    tif: r.u32()?,
                    tick: r.i32()?,
                    qty: r.u256()?,
                }))
            }
            CANCEL_TYPE => {
                r.u8()?;
                Ok(Message::Cancel(Cancel { trader: r.address()?, nonce: r.u64()?, order_id: r.b32()? }))
            }
            other => Err(DecodeError::UnknownMessageType(other)),
        }
    }

    /// Decodes exactly one message from `bytes` (no trailing bytes).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let message = Self::read(&mut r)?;
        r.finish()?;
        Ok(message)
    }

    /// `msgHash = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ keccak256(serialize(Message)))`.
    pub fn hash(&self, domain_separator: &B256) -> B256 {
        let body = keccak256(self.encode());
        keccak_concat(&[&[0x19, 0x01], domain_separator.as_slice(), body.as_slice()])
    }
}

/// A message with its signature, as sequenced and committed by `daCommitment` (C20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMessage {
    /// The signed content.
    pub message: Message,
    /// Signature over its `msgHash`.
    pub signature: Signature,
}
