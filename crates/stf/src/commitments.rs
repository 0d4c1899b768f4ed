//! Batch-level commitments: `batchDigest` (section C), `daCommitment` (C20) and the binary
//! Merkle roots of trades and fees (section F, C21).

use crate::codec::Writer;
use crate::hash::{keccak256, keccak_concat, Keccak256};
use crate::message::SignedMessage;
use alloc::vec::Vec;
use alloy_primitives::B256;

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

/// Binary Merkle root of C21: parent `= keccak256(left ‖ right)` without prefix, an odd level
/// duplicates its last node, one leaf is its own root, no leaves give `bytes32(0)`.
pub fn merkle_root(leaves: &[B256]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let mut level: Vec<B256> = leaves.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| {
                let right = pair.get(1).unwrap_or(&pair[0]);
                keccak_concat(&[pair[0].as_slice(), right.as_slice()])
            })
            .collect();
    }
    level[0]
}

/// Leaf of a record: `keccak256(record)` (section F).
pub fn record_leaf(record: &[u8]) -> B256 {
    keccak256(record)
}
