//! Venue-level framing of a block entry (docs/PROTOCOL.md §10.1).
//!
//! A block is an ordered list of entries of any kind, not "Places and Cancels of one market":
//! account-level messages (deposits, withdrawals, transfers) and EVM payloads will be entries
//! too, each executed by its own engine. The first byte of an entry names its kind; the rest is
//! the kind's payload. [`Entry`] is an exhaustive enum, so adding a kind forces every dispatch
//! (the block function, the node's records) to handle it.
//!
//! Layout: `U8 kind ‖ payload`, where for [`EntryKind::Clob`] the payload is
//! `B32 marketId ‖ messageBytes (C22: the type byte says Place or Cancel) ‖ sig65`, and for
//! [`EntryKind::Funding`] a funding message (F3: its type byte says Withdraw, Deposit or
//! ForcedWithdrawal; only a Withdraw carries `sig65`), and for [`EntryKind::Evm`] an EIP-2718
//! signed Ethereum transaction (E3: the rest of the entry).

use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::limits::SIGNATURE_LEN;
use numo_funding::FundingMessage;
use numo_stf::{Message, Signature, SignedMessage};

/// The kind byte of an entry. Values not listed are reserved and refused by [`Entry::decode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum EntryKind {
    /// A signed Place or Cancel of one market (the CLOB engine, C19 batches).
    Clob = 0x01,
    /// A deposit, withdrawal or forced withdrawal (the funding engine, F3, F8).
    Funding = 0x02,
    /// A signed Ethereum transaction (the EVM engine, E3).
    Evm = 0x03,
}

/// Kind bytes reserved for the next engines: they decode to [`EntryError::ReservedKind`] until
/// their engine exists, so no node executes an entry it cannot verify. None at the moment.
pub const RESERVED_KINDS: [(u8, &str); 0] = [];

impl EntryKind {
    /// The kind of a kind byte, if V1 defines it.
    pub const fn from_u8(byte: u8) -> Option<Self> {
        match byte {
            0x01 => Some(EntryKind::Clob),
            0x02 => Some(EntryKind::Funding),
            0x03 => Some(EntryKind::Evm),
            _ => None,
        }
    }
}

/// A signed CLOB message and the market whose domain its signature is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClobEntry {
    /// The market (its `domainSeparator` is what the trader signed).
    pub market_id: B256,
    /// The message and its 65-byte signature.
    pub signed: SignedMessage,
}

/// An EVM transaction entry (E3): the EIP-2718 bytes, whose framing (type, size, RLP, no
/// trailing bytes) decoded. Its chain id and signature are checked when it executes (E5: a
/// failing transaction is skipped, not refused here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmEntry {
    /// The transaction's bytes.
    pub bytes: Vec<u8>,
}

impl EvmEntry {
    /// An entry of `bytes` if their E3 framing is valid.
    pub fn new(bytes: Vec<u8>) -> Result<Self, EntryError> {
        numo_evm::tx::decode_unchecked(&bytes).map_err(|_| EntryError::MalformedEvm)?;
        Ok(Self { bytes })
    }

    /// `txHash = keccak256(tx)` (E3).
    pub fn hash(&self) -> B256 {
        alloy_primitives::keccak256(&self.bytes)
    }
}

/// One block entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A Place or Cancel for the order book.
    Clob(ClobEntry),
    /// A funding message.
    Funding(FundingMessage),
    /// An Ethereum transaction for the EVM block (E1, E3).
    Evm(EvmEntry),
}

/// Why entry bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The kind byte is reserved for an engine this version does not run.
    #[error("entry kind 0x{0:02x} is reserved")]
    ReservedKind(u8),
    /// The kind byte is not defined at all.
    #[error("unknown entry kind 0x{0:02x}")]
    UnknownKind(u8),
    /// The payload does not decode.
    #[error("malformed entry: {0}")]
    Malformed(#[from] DecodeError),
    /// An EVM entry whose transaction is not E3 framing (type, size, RLP, trailing bytes).
    #[error("malformed EVM transaction")]
    MalformedEvm,
}

impl EntryError {
    /// Stable short code for tools and APIs.
    pub const fn code(&self) -> &'static str {
        match self {
            EntryError::ReservedKind(_) => "reserved_entry_kind",
            EntryError::UnknownKind(_) => "unknown_entry_kind",
            EntryError::Malformed(_) | EntryError::MalformedEvm => "malformed_entry",
        }
    }
}

impl Entry {
    /// A CLOB entry.
    pub const fn clob(market_id: B256, signed: SignedMessage) -> Self {
        Entry::Clob(ClobEntry { market_id, signed })
    }

    /// The entry's kind.
    pub const fn kind(&self) -> EntryKind {
        match self {
            Entry::Clob(_) => EntryKind::Clob,
            Entry::Funding(_) => EntryKind::Funding,
            Entry::Evm(_) => EntryKind::Evm,
        }
    }

    /// Encoded length in bytes.
    pub fn encoded_len(&self) -> usize {
        match self {
            Entry::Clob(e) => 1 + 32 + e.signed.message.encoded_len() + SIGNATURE_LEN,
            Entry::Funding(f) => 1 + f.message_len() + f.signature().map_or(0, |_| SIGNATURE_LEN),
            Entry::Evm(e) => 1 + e.bytes.len(),
        }
    }

    /// Appends `U8 kind ‖ payload`.
    pub fn write(&self, w: &mut Writer) {
        w.u8(self.kind() as u8);
        match self {
            Entry::Clob(e) => {
                w.b32(&e.market_id);
                e.signed.message.write(w);
                w.bytes(&e.signed.signature.0);
            }
            Entry::Funding(f) => f.write(w),
            Entry::Evm(e) => {
                w.bytes(&e.bytes);
            }
        }
    }

    /// The entry's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(self.encoded_len());
        self.write(&mut w);
        w.into_bytes()
    }

    /// Reads one entry from `r` (strict: the payload's own layout decides its length).
    pub fn read(r: &mut Reader<'_>) -> Result<Self, EntryError> {
        let byte = r.u8()?;
        match EntryKind::from_u8(byte) {
            Some(EntryKind::Clob) => {
                let market_id = r.b32()?;
                let message = Message::read(r)?;
                let signature = Signature::read(r)?;
                Ok(Entry::clob(market_id, SignedMessage { message, signature }))
            }
            Some(EntryKind::Funding) => Ok(Entry::Funding(FundingMessage::read(r)?)),
            // The transaction is the rest of the entry (entries are length-prefixed, N2).
            Some(EntryKind::Evm) => Ok(Entry::Evm(EvmEntry::new(r.take(r.remaining())?.to_vec())?)),
            None if RESERVED_KINDS.iter().any(|(reserved, _)| *reserved == byte) => Err(EntryError::ReservedKind(byte)),
            None => Err(EntryError::UnknownKind(byte)),
        }
    }

    /// Decodes exactly one entry; trailing bytes are refused.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader::new(bytes);
        let entry = Self::read(&mut r)?;
        r.finish()?;
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, U256};
    use numo_stf::{Cancel, Place};

    fn place() -> Entry {
        let message = Message::Place(Place {
            trader: Address::repeat_byte(1),
            nonce: 7,
            order_id: B256::repeat_byte(2),
            side: 1,
            tif: 0,
            tick: 42,
            qty: U256::from(5),
        });
        Entry::clob(B256::repeat_byte(9), SignedMessage { message, signature: Signature([3; 65]) })
    }

    #[test]
    fn entries_round_trip_and_refuse_trailing_bytes() {
        let cancel = Entry::clob(
            B256::repeat_byte(4),
            SignedMessage {
                message: Message::Cancel(Cancel { trader: Address::repeat_byte(5), nonce: 1, order_id: B256::ZERO }),
                signature: Signature([6; 65]),
            },
        );
        for entry in [place(), cancel] {
            let bytes = entry.encode();
            assert_eq!(bytes.len(), entry.encoded_len());
            assert_eq!(bytes[0], EntryKind::Clob as u8);
            assert_eq!(Entry::decode(&bytes), Ok(entry));
            let mut long = bytes.clone();
            long.push(0);
            assert!(matches!(Entry::decode(&long), Err(EntryError::Malformed(DecodeError::TrailingBytes { .. }))));
            for cut in 0..bytes.len() {
                assert!(Entry::decode(&bytes[..cut]).is_err(), "a {cut}-byte prefix must not decode");
            }
        }
    }

    #[test]
    fn unknown_kinds_and_malformed_evm_transactions_are_refused_by_name() {
        let mut bytes = place().encode();
        bytes[0] = 0x03;
        assert_eq!(Entry::decode(&bytes), Err(EntryError::MalformedEvm));
        assert_eq!(Entry::decode(&bytes).unwrap_err().code(), "malformed_entry");
        assert_eq!(Entry::decode(&[0x03]), Err(EntryError::MalformedEvm));
        bytes[0] = 0x7f;
        assert_eq!(Entry::decode(&bytes), Err(EntryError::UnknownKind(0x7f)));
    }
}
