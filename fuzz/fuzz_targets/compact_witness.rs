//! Fuzz target: the node's compact witness form (`numo_host::witness`) on arbitrary bytes.
//!
//! `expand` never panics and refuses what it cannot read; whatever it accepts is a blob the
//! guest's decoder accepts, whose compact form expands back to the same blob.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_guest::GuestInput;
use numo_host::witness::{compact, expand};

fuzz_target!(|data: &[u8]| {
    if let Ok(blob) = expand(data) {
        assert!(GuestInput::decode(&blob).is_ok(), "an expanded witness is a well-formed C22 blob");
        let small = compact(&blob).expect("a decodable blob compacts");
        assert_eq!(expand(&small).expect("a compact form expands"), blob);
    }
    // The blob side too: compact refuses exactly what the guest's decoder refuses.
    match (compact(data), GuestInput::decode(data)) {
        (Ok(small), Ok(_)) => assert_eq!(expand(&small).expect("expands"), data),
        (Err(_), Err(_)) => {}
        (small, input) => panic!("compact {:?} but decode {:?}", small.is_ok(), input.is_ok()),
    }
});
