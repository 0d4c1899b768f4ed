//! Fuzz target: the funding decoders (docs/PROTOCOL.md §11) on arbitrary bytes.
//!
//! `FundingMessage::decode` (F2), a kind-0x02 `Entry::decode` (F3), `FundingInput::decode`
//! and the funding guest (F12), `FundingPublicInputs::decode` (F11) and the compact funding
//! witness's `expand_funding` never panic; whatever they accept re-encodes to the same bytes,
//! and an expanded witness is a well-formed F12 blob.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_chain::Entry;
use numo_funding::{FundingMessage, FundingPublicInputs};
use numo_guest::funding::{run_funding, FundingInput};
use numo_host::witness::expand_funding;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = FundingMessage::decode(data) {
        assert_eq!(message.encode(), data, "a decoded funding message re-encodes to the same bytes");
        let mut entry = vec![0x02];
        entry.extend_from_slice(data);
        assert_eq!(Entry::decode(&entry), Ok(Entry::Funding(message)));
    }
    let mut entry = vec![0x02];
    entry.extend_from_slice(data);
    if let Ok(decoded) = Entry::decode(&entry) {
        assert_eq!(decoded.encode(), entry);
    }
    if let Ok(input) = FundingInput::decode(data) {
        assert_eq!(input.encode(), data, "an accepted funding blob re-encodes to itself");
    }
    let _ = run_funding(data);
    if let Ok(public_inputs) = FundingPublicInputs::decode(data) {
        assert_eq!(public_inputs.to_vec(), data);
    }
    if let Ok(blob) = expand_funding(data) {
        assert!(FundingInput::decode(&blob).is_ok(), "an expanded funding witness is a well-formed F12 blob");
    }
});
