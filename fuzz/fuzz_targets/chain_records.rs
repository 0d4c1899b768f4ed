//! Fuzz target: the chain's binary decoders on arbitrary bytes — `Entry::decode` (entry
//! framing), `Proposal::decode` and `BlockHeader::decode_record`.
//!
//! All three lead with a byte that is `0x01` when valid (the CLOB kind, both record versions),
//! so one corpus serves them. None panics; whatever one accepts re-encodes to exactly the input
//! and decodes back to itself; a decoded header's hash is N5's keccak256 of its fields
//! (docs/PROTOCOL.md §10).

#![no_main]

use alloy_primitives::keccak256;
use libfuzzer_sys::fuzz_target;
use numo_chain::{BlockHeader, Entry, Proposal};

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::decode(data) {
        let encoded = entry.encode();
        assert_eq!(encoded, data, "a decoded entry must re-encode to the same bytes");
        assert_eq!(encoded.len(), entry.encoded_len());
        assert_eq!(Entry::decode(&encoded), Ok(entry));
    }
    if let Ok(proposal) = Proposal::decode(data) {
        let encoded = proposal.encode();
        assert_eq!(encoded, data, "a decoded proposal must re-encode to the same bytes");
        assert_eq!(Proposal::decode(&encoded), Ok(proposal));
    }
    if let Ok(header) = BlockHeader::decode_record(data) {
        let encoded = header.encode_record();
        assert_eq!(encoded, data, "a decoded header record must re-encode to the same bytes");
        assert_eq!(BlockHeader::decode_record(&encoded).as_ref(), Ok(&header));
        // N5: the hash is recomputed on decode from the stored fields.
        let mut preimage = Vec::with_capacity(112);
        preimage.extend_from_slice(&header.height.to_be_bytes());
        preimage.extend_from_slice(header.parent_hash.as_slice());
        preimage.extend_from_slice(&header.timestamp_ms.to_be_bytes());
        preimage.extend_from_slice(header.state_root.as_slice());
        preimage.extend_from_slice(header.batches_root.as_slice());
        assert_eq!(header.hash, keccak256(&preimage));
    }
});
