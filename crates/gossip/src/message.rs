//! One mempool message on the wire, and its strict decoder.
//!
//! ```text
//! U8 version (1) ‖ U64 lamport ‖ B32 origin ‖ U32 len ‖ payload (len bytes)
//! ```
//!
//! Integers are big-endian, like every numo encoding (C1). `origin` is keccak256 of the
//! publishing node's libp2p peer id bytes; the receiver checks it against gossipsub's signed
//! author, so it cannot be forged. `payload` is the node's own encoding of a signed message,
//! opaque here. The decoder accepts exactly the bytes [`MempoolMessage::encode`] produces: one
//! version, a length that covers the rest of the input exactly, and a non-empty payload.

use thiserror::Error;
use tiny_keccak::{Hasher, Keccak};

/// The only version this crate writes and reads. A new layout takes a new version byte, and a
/// node refuses versions it does not know rather than guessing.
pub const VERSION: u8 = 1;
/// Bytes before the payload: version, Lamport timestamp, origin and length.
pub const HEADER_BYTES: usize = 1 + 8 + 32 + 4;

/// A mempool message: a Lamport timestamp, who published it, and the node's signed message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MempoolMessage {
    /// The publisher's Lamport clock after stamping this message.
    pub lamport: u64,
    /// keccak256 of the publishing node's peer id bytes ([`origin_of`]).
    pub origin: [u8; 32],
    /// The node's encoding of one signed message; never empty.
    pub payload: Vec<u8>,
}

/// Why bytes are not a [`MempoolMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Fewer bytes than the fixed header.
    #[error("a mempool message needs at least {HEADER_BYTES} bytes, got {len}")]
    TooShort {
        /// Bytes given.
        len: usize,
    },
    /// A version byte this crate does not read.
    #[error("unknown mempool message version {0}")]
    BadVersion(u8),
    /// The declared payload length is not exactly the bytes after the header (a truncated
    /// payload or trailing bytes).
    #[error("declared payload length {declared} but {actual} bytes follow the header")]
    LengthMismatch {
        /// The `len` field.
        declared: u32,
        /// Bytes after the header.
        actual: usize,
    },
    /// A zero-length payload.
    #[error("a mempool message payload must not be empty")]
    EmptyPayload,
}

impl DecodeError {
    /// The stable, machine-readable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            DecodeError::TooShort { .. } => "gossip_msg_too_short",
            DecodeError::BadVersion(_) => "gossip_msg_bad_version",
            DecodeError::LengthMismatch { .. } => "gossip_msg_length_mismatch",
            DecodeError::EmptyPayload => "gossip_msg_empty_payload",
        }
    }
}

impl MempoolMessage {
    /// The encoded length of a message carrying `payload_len` bytes.
    pub const fn encoded_len_of(payload_len: usize) -> usize {
        HEADER_BYTES + payload_len
    }

    /// This message's encoded length.
    pub fn encoded_len(&self) -> usize {
        Self::encoded_len_of(self.payload.len())
    }

    /// The wire bytes.
    ///
    /// # Panics
    /// If the payload is 4 GiB or more (the length field is 32 bits); the transport never
    /// builds one, since [`crate::GossipLimits::validate`] caps messages far below.
    pub fn encode(&self) -> Vec<u8> {
        let len = u32::try_from(self.payload.len()).expect("payload length fits the U32 field");
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(VERSION);
        out.extend_from_slice(&self.lamport.to_be_bytes());
        out.extend_from_slice(&self.origin);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.payload);
        debug_assert_eq!(out.len(), self.encoded_len());
        out
    }

    /// Reads exactly one message from `bytes`; never panics.
    pub fn decode(bytes: &[u8]) -> Result<MempoolMessage, DecodeError> {
        let view = MessageView::decode(bytes)?;
        Ok(MempoolMessage { lamport: view.lamport, origin: view.origin, payload: view.payload.to_vec() })
    }

    /// The de-duplication id of this message: [`payload_id`] of its payload.
    pub fn id(&self) -> [u8; 32] {
        payload_id(&self.payload)
    }
}

/// A decoded message that borrows its payload from the input: what the gossipsub message-id
/// function reads on every receipt, without copying the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    /// See [`MempoolMessage::lamport`].
    pub lamport: u64,
    /// See [`MempoolMessage::origin`].
    pub origin: [u8; 32],
    /// See [`MempoolMessage::payload`].
    pub payload: &'a [u8],
}

impl<'a> MessageView<'a> {
    /// The strict decoder behind [`MempoolMessage::decode`]; never panics.
    pub fn decode(bytes: &'a [u8]) -> Result<MessageView<'a>, DecodeError> {
        let Some((header, payload)) = bytes.split_first_chunk::<HEADER_BYTES>() else {
            return Err(DecodeError::TooShort { len: bytes.len() });
        };
        let (version, rest) = header.split_first_chunk::<1>().expect("header has a version byte");
        if version[0] != VERSION {
            return Err(DecodeError::BadVersion(version[0]));
        }
        let (lamport, rest) = rest.split_first_chunk::<8>().expect("header has a lamport");
        let (origin, len) = rest.split_first_chunk::<32>().expect("header has an origin");
        let declared = u32::from_be_bytes(len.try_into().expect("header ends with a U32 length"));
        if usize::try_from(declared).ok() != Some(payload.len()) {
            return Err(DecodeError::LengthMismatch { declared, actual: payload.len() });
        }
        if payload.is_empty() {
            return Err(DecodeError::EmptyPayload);
        }
        Ok(MessageView { lamport: u64::from_be_bytes(*lamport), origin: *origin, payload })
    }
}

/// keccak256 of a payload: the gossipsub message id and the seen-cache key. It ignores the
/// Lamport timestamp and origin on purpose, so one signed message admitted on two nodes is one
/// message on the network and is delivered to each node once.
pub fn payload_id(payload: &[u8]) -> [u8; 32] {
    keccak256(payload)
}

/// The `origin` of messages published by the node with these peer id bytes
/// (`PeerId::to_bytes`): keccak256 of them.
pub fn origin_of(peer_id_bytes: &[u8]) -> [u8; 32] {
    keccak256(peer_id_bytes)
}

fn keccak256(bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Keccak::v256();
    hasher.update(bytes);
    let mut out = [0u8; 32];
    hasher.finalize(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MempoolMessage {
        MempoolMessage { lamport: 0x0102_0304_0506_0708, origin: [0xab; 32], payload: b"signed".to_vec() }
    }

    #[test]
    fn layout_is_version_lamport_origin_len_payload() {
        let bytes = sample().encode();
        assert_eq!(bytes.len(), HEADER_BYTES + 6);
        assert_eq!(bytes[0], VERSION);
        assert_eq!(bytes[1..9], [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(bytes[9..41], [0xab; 32]);
        assert_eq!(bytes[41..45], [0, 0, 0, 6]);
        assert_eq!(&bytes[45..], b"signed");
    }

    #[test]
    fn round_trip() {
        for payload_len in [1usize, 2, 255, 256, 4096] {
            let message = MempoolMessage { payload: vec![7; payload_len], ..sample() };
            assert_eq!(MempoolMessage::decode(&message.encode()), Ok(message));
        }
        let extremes = MempoolMessage { lamport: u64::MAX, origin: [0; 32], payload: vec![0] };
        assert_eq!(MempoolMessage::decode(&extremes.encode()), Ok(extremes));
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            let err = MempoolMessage::decode(&bytes[..cut]).unwrap_err();
            if cut < HEADER_BYTES {
                assert_eq!(err, DecodeError::TooShort { len: cut });
            } else {
                assert_eq!(err, DecodeError::LengthMismatch { declared: 6, actual: cut - HEADER_BYTES });
            }
        }
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = sample().encode();
        bytes.push(0);
        assert_eq!(MempoolMessage::decode(&bytes), Err(DecodeError::LengthMismatch { declared: 6, actual: 7 }));
    }

    #[test]
    fn every_other_version_is_refused() {
        let mut bytes = sample().encode();
        for version in (0..=u8::MAX).filter(|&v| v != VERSION) {
            bytes[0] = version;
            assert_eq!(MempoolMessage::decode(&bytes), Err(DecodeError::BadVersion(version)));
        }
    }

    #[test]
    fn empty_payload_is_refused() {
        let bytes = MempoolMessage { payload: Vec::new(), ..sample() }.encode();
        assert_eq!(MempoolMessage::decode(&bytes), Err(DecodeError::EmptyPayload));
    }

    #[test]
    fn a_length_beyond_the_input_is_refused_without_allocating_it() {
        let mut bytes = sample().encode();
        bytes[41..45].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(MempoolMessage::decode(&bytes), Err(DecodeError::LengthMismatch { declared: u32::MAX, actual: 6 }));
    }

    #[test]
    fn id_depends_on_the_payload_only() {
        let a = sample();
        let b = MempoolMessage { lamport: 1, origin: [0; 32], ..sample() };
        assert_eq!(a.id(), b.id());
        assert_ne!(a.id(), MempoolMessage { payload: b"other".to_vec(), ..sample() }.id());
        // keccak256("") — the well-known empty-input digest pins the hash function.
        assert_eq!(payload_id(b"")[..4], [0xc5, 0xd2, 0x46, 0x01]);
    }
}
