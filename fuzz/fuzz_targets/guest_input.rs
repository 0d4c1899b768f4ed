//! Fuzz target: the whole guest on arbitrary bytes.
//!
//! `GuestInput::decode` must never panic (C11: malformed input is a typed error), accepted
//! bytes must re-encode to exactly themselves (C22 is canonical), and `numo_guest::run` must
//! end in `Ok` or a `BatchError` on anything, never a panic or an overflow.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_guest::GuestInput;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = GuestInput::decode(data) {
        assert_eq!(input.encode(), data, "decoded input must re-encode to the same bytes");
        let _ = numo_guest::run_input(&input);
    }
    let _ = numo_guest::run(data);
});
