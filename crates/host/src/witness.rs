//! Compact storage of batch witnesses (C22 guest-input blobs): what the node stores, written
//! directly by the batch builder ([`crate::builder::WitnessForm::Compact`]) or from a blob by
//! [`compact`], and turned back into the exact blob by [`expand`].
//!
//! A blob is mostly proofs, and a proof is mostly siblings: 256 × 32 bytes per key (C7), of
//! which all but about `log2(keys in the tree)` are the default hash of an empty subtree (C4).
//! Sibling `i` (leaf-first, C7) sits at height `i`, so when empty it is exactly
//! [`numo_smt::default_hash`]`(i)`. The node stores the blob with those defaults left out and
//! rebuilds the exact bytes on request.
//!
//! # Compact layout
//!
//! ```text
//! parts 1–4 of C22, byte for byte        header, context, Rules, U32 messageCount + messages
//! U32 proofCount                         unchanged
//! per proof:
//!   B32 key ‖ U32 valueLen ‖ value       unchanged
//!   B32 bitmap                           a U256, big-endian: bit i (i = 0 is the least
//!                                        significant bit, byte 31 & 0x01) set ⇔ sibling i is
//!                                        NOT default_hash(i)
//!   B32 × popcount(bitmap)               the non-default siblings, leaf-first (ascending i)
//! ```
//!
//! A proof thus shrinks from `36 + valueLen + 8192` bytes to `36 + valueLen + 32 + 32 × k`,
//! `k` its non-default siblings. Parts 1–4 are copied, never re-encoded, so the round trip is
//! exact by construction: `expand(compact(blob)) == blob` for every blob `GuestInput::decode`
//! accepts. [`compact`] refuses what the guest would refuse as malformed; [`expand`] refuses
//! truncated, trailing or malformed input with a [`DecodeError`] and never panics. A compact
//! form whose bitmap marks a default sibling as present is accepted (it expands to the same
//! blob); [`compact`] never writes one.
//!
//! On the spec vector blobs (14–35 proofs over a 6–13 key tree) the compact form is about 30×
//! smaller (689,329 → 22,065 bytes). The ratio falls slowly as the state grows, since a proof
//! carries about `log2(keys)` non-default siblings: ≈ 20 at a million keys, still ≈ 10×.

use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_guest::funding::read_funding_prefix;
use numo_guest::input::read_prefix;
use numo_guest::GuestInput;
use numo_smt::{default_hash, SIBLINGS_BYTES, TREE_DEPTH};

/// Size of the sibling bitmap of a compact proof.
const BITMAP_LEN: usize = 32;
/// Ceiling of the output buffer reserved up front by [`expand`]; larger blobs grow on demand.
const MAX_PREALLOCATION: usize = 64 << 20;

/// The compact form of a C22 blob (layout in the module docs).
pub fn compact(blob: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let input = GuestInput::decode(blob)?;
    // The proofs are the tail of the blob (decode refuses trailing bytes), so parts 1–4 are
    // everything before `U32 proofCount` and the proofs' encoded sizes.
    let proofs_len: usize =
        4 + input.proofs.iter().map(|p| 32 + 4 + p.value.map_or(0, <[u8]>::len) + SIBLINGS_BYTES).sum::<usize>();
    let prefix = &blob[..blob.len() - proofs_len];

    // Typical compact proof: key, length, a value of up to 106 bytes, bitmap, ~8 siblings.
    let typical_proof = 32 + 4 + 106 + BITMAP_LEN + 8 * 32;
    let mut w = Writer::with_capacity(prefix.len() + 4 + input.proofs.len() * typical_proof);
    w.bytes(prefix).u32(input.proofs.len() as u32);
    for proof in &input.proofs {
        let value = proof.value.unwrap_or_default();
        w.b32(&proof.key).u32(value.len() as u32).bytes(value);
        let mut bitmap = [0u8; BITMAP_LEN];
        let present: Vec<&[u8]> = proof
            .siblings
            .chunks_exact(32)
            .enumerate()
            .filter(|(i, sibling)| *sibling != default_hash(*i).as_slice())
            .map(|(i, sibling)| {
                bitmap[BITMAP_LEN - 1 - i / 8] |= 1 << (i % 8);
                sibling
            })
            .collect();
        w.bytes(&bitmap);
        for sibling in present {
            w.bytes(sibling);
        }
    }
    Ok(w.into_bytes())
}

/// The compact form of the blob whose parts 1–4 encode to `prefix` (ending before `U32
/// proofCount`) and whose proofs are `proofs`: (key, value, non-default siblings as
/// `(height, sibling)` in ascending height). Equal to `compact(blob)` of the same blob, without
/// ever laying out the 8 KiB of siblings per key.
pub fn compact_from_parts<'a>(
    prefix: &[u8],
    proofs: impl ExactSizeIterator<Item = (B256, Option<&'a [u8]>, Vec<(u16, B256)>)>,
) -> Vec<u8> {
    let typical_proof = 32 + 4 + 106 + BITMAP_LEN + 8 * 32;
    let mut w = Writer::with_capacity(prefix.len() + 4 + proofs.len() * typical_proof);
    w.bytes(prefix).u32(proofs.len() as u32);
    for (key, value, siblings) in proofs {
        let value = value.unwrap_or_default();
        w.b32(&key).u32(value.len() as u32).bytes(value);
        let mut bitmap = [0u8; BITMAP_LEN];
        for (height, _) in &siblings {
            let i = usize::from(*height);
            bitmap[BITMAP_LEN - 1 - i / 8] |= 1 << (i % 8);
        }
        w.bytes(&bitmap);
        for (_, sibling) in &siblings {
            w.b32(sibling);
        }
    }
    w.into_bytes()
}

/// The exact C22 blob a [`compact`] form was made from.
pub fn expand(compact: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(compact);
    // Parts 1–4 are read by the guest's own parser, so the prefix ends exactly where the guest
    // finds its end.
    read_prefix(&mut r)?;
    expand_proofs(compact, r)
}

/// The exact F12 funding blob a compact form was made from (same proof layout as a trading
/// blob; parts 1–4 read by the funding guest's own parser).
pub fn expand_funding(compact: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(compact);
    read_funding_prefix(&mut r)?;
    expand_proofs(compact, r)
}

/// The exact E11 EVM blob a compact form was made from (same proof layout; the part before
/// the proofs read by the EVM guest's own parser).
pub fn expand_evm(compact: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(compact);
    numo_guest::evm::read_evm_prefix(&mut r)?;
    expand_proofs(compact, r)
}

/// Expands the compact proofs that start at `r` (positioned at `U32 proofCount`), after the
/// prefix `compact[..r.position()]`, which is copied unchanged.
fn expand_proofs(compact: &[u8], mut r: Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let prefix = &compact[..r.position()];
    let proof_count = r.u32()?;

    // Each compact proof takes at least key, length and bitmap: bound the pre-allocation by
    // what the input can hold, and by a fixed ceiling, so a forged count cannot make us
    // allocate before the input runs out.
    let min_proof = 32 + 4 + BITMAP_LEN;
    let capacity_proofs = (proof_count as usize).min(r.remaining() / min_proof);
    let capacity = (compact.len() + capacity_proofs * SIBLINGS_BYTES).min(MAX_PREALLOCATION);
    let mut w = Writer::with_capacity(capacity);
    w.bytes(prefix).u32(proof_count);
    for _ in 0..proof_count {
        let key = r.take(32)?;
        let value_len = r.u32()?;
        let value = r.take(value_len as usize)?;
        let bitmap = r.take(BITMAP_LEN)?;
        w.bytes(key).u32(value_len).bytes(value);
        for i in 0..TREE_DEPTH {
            if bitmap[BITMAP_LEN - 1 - i / 8] & (1 << (i % 8)) != 0 {
                w.bytes(r.take(32)?);
            } else {
                w.bytes(default_hash(i).as_slice());
            }
        }
    }
    r.finish()?;
    Ok(w.into_bytes())
}
