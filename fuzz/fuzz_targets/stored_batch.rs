//! Fuzz target: `numo_node::stored::StoredBatch::decode`, the node's binary batch record, on
//! arbitrary bytes.
//!
//! Never panics (a damaged data dir is a typed error, not a crashed request handler); an
//! accepted record re-encodes to exactly the input, decodes back to itself, and renders its API
//! view without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_node::stored::StoredBatch;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = StoredBatch::decode(data) {
        let encoded = batch.encode();
        assert_eq!(encoded, data, "a decoded record must re-encode to the same bytes");
        assert_eq!(StoredBatch::decode(&encoded).as_ref(), Ok(&batch));
        let _ = batch.to_record();
    }
});
