//! Fuzz target: `Message::decode` on arbitrary bytes.
//!
//! Never panics; unknown and reserved type bytes (C24) and wrong lengths are errors; a
//! decoded message re-encodes to exactly the input and decodes back to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_stf::Message;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::decode(data) {
        let encoded = message.encode();
        assert_eq!(encoded, data, "decoded message must re-encode to the same bytes");
        assert_eq!(encoded.len(), message.encoded_len());
        assert_eq!(Message::decode(&encoded), Ok(message));
    }
});
