//! Fuzz target: the EVM decoders (docs/PROTOCOL.md §13) on arbitrary bytes.
//!
//! E3's transaction framing (`decode_unchecked`, `EvmTx::decode`), a kind-0x03 `Entry::decode`,
//! the E11 guest input and the EVM guest, E10's public inputs, E7's system messages and outbox,
//! and the compact EVM witness's `expand_evm` never panic; whatever they accept re-encodes to
//! the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_chain::{Entry, EvmEntry};
use numo_evm::tx::decode_unchecked;
use numo_evm::values::{decode_outbox, encode_outbox};
use numo_evm::{EvmPublicInputs, EvmTx, SystemMessage};
use numo_guest::evm::{run_evm, EvmInput};
use numo_host::witness::expand_evm;

fuzz_target!(|data: &[u8]| {
    let framed = decode_unchecked(data).is_ok();
    let mut entry = vec![0x03];
    entry.extend_from_slice(data);
    match Entry::decode(&entry) {
        Ok(decoded) => {
            assert!(framed, "the entry decoder accepts exactly E3 framing");
            assert_eq!(decoded, Entry::Evm(EvmEntry { bytes: data.to_vec() }));
            assert_eq!(decoded.encode(), entry);
        }
        Err(_) => assert!(!framed),
    }
    if let Ok(tx) = EvmTx::decode(data, 7357) {
        assert!(framed);
        assert_eq!(tx.bytes(), data);
    }
    if let Ok(message) = SystemMessage::decode(data) {
        assert_eq!(message.encode(), data);
    }
    if let Ok(messages) = decode_outbox(Some(data)) {
        assert_eq!(encode_outbox(&messages).as_deref(), Some(data));
    }
    if let Ok(pi) = EvmPublicInputs::decode(data) {
        assert_eq!(pi.encode().as_slice(), data);
    }
    if let Ok(input) = EvmInput::decode(data) {
        assert_eq!(input.encode(), data, "an accepted EVM blob re-encodes to itself");
        let _ = run_evm(data);
    }
    if let Ok(blob) = expand_evm(data) {
        let _ = EvmInput::decode(&blob);
    }
});
