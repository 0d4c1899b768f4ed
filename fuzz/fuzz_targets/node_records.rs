//! Fuzz target: the node's binary store records on arbitrary bytes —
//! `numo_node::stored::StoredBatch::decode` (the `batches` table) and
//! `numo_node::records::AdmissionEntry::decode` (the admission log, read back on restart).
//!
//! Neither panics (a damaged data dir is a typed error, not a crashed request handler or a node
//! that cannot start); an accepted record re-encodes to exactly the input and decodes back to
//! itself, and a batch record renders its API view without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_node::records::AdmissionEntry;
use numo_node::stored::StoredBatch;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = StoredBatch::decode(data) {
        let encoded = batch.encode();
        assert_eq!(encoded, data, "a decoded batch record must re-encode to the same bytes");
        assert_eq!(StoredBatch::decode(&encoded).as_ref(), Ok(&batch));
        let _ = batch.to_record(0);
    }
    if let Ok(entry) = AdmissionEntry::decode(7, data) {
        let encoded = entry.encode();
        assert_eq!(encoded, data, "a decoded admission entry must re-encode to the same bytes");
        assert_eq!(AdmissionEntry::decode(7, &encoded).as_ref(), Ok(&entry));
    }
});
