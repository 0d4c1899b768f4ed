//! C1 fixed-width big-endian encoding: a strict [`Reader`] and an appending [`Writer`].
//!
//! Every V1 structure is a concatenation of fixed-width fields, so decoding is a cursor that
//! refuses to read past the end and a final [`Reader::finish`] that refuses trailing bytes
//! (section G, C11). Nothing here panics on any input.

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

/// Why bytes could not be decoded. Always a batch-invalid condition (C11) when it hits a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before a field of `needed` bytes at offset `at`.
    #[error("input too short: needed {needed} bytes at offset {at}")]
    UnexpectedEnd {
        /// Byte offset where the field starts.
        at: usize,
        /// Width of the field that did not fit.
        needed: usize,
    },
    /// Bytes are left after the last field (section G: the parser rejects trailing bytes).
    #[error("{count} trailing bytes at offset {at}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        at: usize,
        /// How many bytes are left.
        count: usize,
    },
    /// A message starts with a type byte V1 does not define (C11, C24 reserves 0x03..0x05).
    #[error("unknown message type 0x{0:02x}")]
    UnknownMessageType(u8),
    /// A hint flag is outside {0,1}, or 0 with a non-zero tick (C22).
    #[error("malformed tick hint")]
    BadHintFlag,
    /// A stored value has the wrong length or a malformed flag (state corruption).
    #[error("value has {got} bytes, expected {expected}")]
    BadValueLength {
        /// Length the layout requires.
        expected: usize,
        /// Length found.
        got: usize,
    },
    /// A stored order has a side outside {0,1}: the state was not written by this transition.
    #[error("stored order has side {0}")]
    BadStoredSide(u8),
    /// A `has*` flag in a stored value is outside {0,1} or 0 with a non-zero tick (C8).
    #[error("malformed optional tick in a stored value")]
    BadOptionalTick,
}

/// Strict cursor over a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at offset 0.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Current offset, for error messages and for slicing out sub-structures.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Looks at the next byte without consuming it (message type dispatch).
    pub fn peek_u8(&self) -> Result<u8, DecodeError> {
        self.bytes.get(self.pos).copied().ok_or(DecodeError::UnexpectedEnd { at: self.pos, needed: 1 })
    }

    /// Takes the next `len` bytes as a borrowed slice (zero copy).
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(len).filter(|end| *end <= self.bytes.len());
        let end = end.ok_or(DecodeError::UnexpectedEnd { at: self.pos, needed: len })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// `U8`.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// `U32`, big-endian.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// `U64`, big-endian.
    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// `I32`, two's complement big-endian (C1).
    pub fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    /// `U256`, big-endian.
    pub fn u256(&mut self) -> Result<U256, DecodeError> {
        Ok(U256::from_be_bytes::<32>(self.array()?))
    }

    /// `B32`.
    pub fn b32(&mut self) -> Result<B256, DecodeError> {
        Ok(B256::from(self.array::<32>()?))
    }

    /// `ADDR`, 20 bytes.
    pub fn address(&mut self) -> Result<Address, DecodeError> {
        Ok(Address::from(self.array::<20>()?))
    }

    /// `U8 flag ‖ I32 tick` as an optional tick: the flag must be 0 or 1 and a 0 flag needs a
    /// zero tick (C8, C22). `on_error` says which error the caller's context calls it.
    pub fn optional_tick(&mut self, on_error: DecodeError) -> Result<Option<i32>, DecodeError> {
        let flag = self.u8()?;
        let tick = self.i32()?;
        match (flag, tick) {
            (0, 0) => Ok(None),
            (1, tick) => Ok(Some(tick)),
            _ => Err(on_error),
        }
    }

    /// Ends decoding: any byte left is an error (section G).
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes { at: self.pos, count }),
        }
    }
}

/// Appending encoder for the same field types.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// An empty writer with room for `capacity` bytes, since every V1 layout has a known size.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { bytes: Vec::with_capacity(capacity) }
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Raw bytes (ASCII literals, nested encodings).
    pub fn bytes(&mut self, value: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(value);
        self
    }

    /// `U8`.
    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.bytes(&[value])
    }

    /// `U32`.
    pub fn u32(&mut self, value: u32) -> &mut Self {
        self.bytes(&value.to_be_bytes())
    }

    /// `U64`.
    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes(&value.to_be_bytes())
    }

    /// `I32`.
    pub fn i32(&mut self, value: i32) -> &mut Self {
        self.bytes(&value.to_be_bytes())
    }

    /// `U256`.
    pub fn u256(&mut self, value: &U256) -> &mut Self {
        self.bytes(&value.to_be_bytes::<32>())
    }

    /// `B32`.
    pub fn b32(&mut self, value: &B256) -> &mut Self {
        self.bytes(value.as_slice())
    }

    /// `ADDR`.
    pub fn address(&mut self, value: &Address) -> &mut Self {
        self.bytes(value.as_slice())
    }

    /// `U8 flag ‖ I32 tick` with flag 0 and tick 0 for `None` (C8, C22).
    pub fn optional_tick(&mut self, value: Option<i32>) -> &mut Self {
        match value {
            Some(tick) => self.u8(1).i32(tick),
            None => self.u8(0).i32(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_refuses_short_and_trailing_input() {
        let mut r = Reader::new(&[0, 0, 0, 7, 9]);
        assert_eq!(r.u32(), Ok(7));
        assert_eq!(r.clone().u32(), Err(DecodeError::UnexpectedEnd { at: 4, needed: 4 }));
        assert_eq!(r.finish(), Err(DecodeError::TrailingBytes { at: 4, count: 1 }));
    }

    #[test]
    fn i32_is_twos_complement() {
        let mut w = Writer::default();
        w.i32(-2);
        assert_eq!(w.into_bytes(), [0xff, 0xff, 0xff, 0xfe]);
    }

    #[test]
    fn optional_tick_rejects_bad_flags() {
        for bytes in [[2u8, 0, 0, 0, 0], [0, 0, 0, 0, 1]] {
            let mut r = Reader::new(&bytes);
            assert_eq!(r.optional_tick(DecodeError::BadHintFlag), Err(DecodeError::BadHintFlag));
        }
        let mut r = Reader::new(&[1, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(r.optional_tick(DecodeError::BadHintFlag), Ok(Some(-1)));
    }
}
