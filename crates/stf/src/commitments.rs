//! Batch-level commitments: `batchDigest` (section C), `daCommitment` (C20) and the binary
//! Merkle roots of trades and fees (section F, C21).

use crate::codec::Writer;
use crate::hash::{keccak_concat, Keccak256};
use crate::message::SignedMessage;
use alloy_primitives::B256;
/// The C21 tree is shared by every engine's records (numo-core).
pub use numo_core::merkle::{merkle_root, record_leaf};

/// ASCII tag of the batch digest (C1).
pub const BATCH_TAG: &[u8] = b"BATCH_V1";

/// `batchDigest = keccak256("BATCH_V1" ‖ domainSeparator ‖ U64 batchSeq ‖
/// keccak256(msgHash_0 ‖ … ‖ msgHash_{n−1}))`.
pub fn batch_digest(domain_separator: &B256, batch_seq: u64, message_hashes: &[B256]) -> B256 {
    let mut inner = Keccak256::new();
    for hash in message_hashes {
        inner.update(hash);
    }
    let inner = inner.finalize();
    keccak_concat(&[BATCH_TAG, domain_separator.as_slice(), &batch_seq.to_be_bytes(), inner.as_slice()])
}

/// `daCommitment = keccak256(U32 messageCount ‖ for each: messageBytes ‖ sig65)` (C20): what
/// a data-availability layer must publish to let anyone re-execute the batch. Hints are not
/// part of it (they are not security-sensitive, section E).
pub fn da_commitment(messages: &[SignedMessage]) -> B256 {
    let mut hasher = Keccak256::new();
    hasher.update((messages.len() as u32).to_be_bytes());
    for signed in messages {
        let mut w = Writer::with_capacity(signed.message.encoded_len());
        signed.message.write(&mut w);
        hasher.update(w.into_bytes());
        hasher.update(signed.signature.0);
    }
    hasher.finalize()
}
