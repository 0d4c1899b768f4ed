//! Fuzz target: `MempoolMessage::decode` and `MessageView::decode` (numo-gossip) on arbitrary
//! bytes — what any peer on the mempool topic can send.
//!
//! Never panics; the borrowed and owned decoders agree; a decoded message has a non-empty
//! payload, re-encodes to exactly the input and decodes back to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numo_gossip::{MempoolMessage, MessageView};

fuzz_target!(|data: &[u8]| {
    let owned = MempoolMessage::decode(data);
    let view = MessageView::decode(data);
    match (owned, view) {
        (Ok(message), Ok(view)) => {
            assert!(!message.payload.is_empty());
            assert_eq!(
                (message.lamport, message.origin, &message.payload[..]),
                (view.lamport, view.origin, view.payload)
            );
            let encoded = message.encode();
            assert_eq!(encoded, data, "a decoded message must re-encode to the same bytes");
            assert_eq!(encoded.len(), message.encoded_len());
            assert_eq!(MempoolMessage::decode(&encoded), Ok(message));
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the decoders must refuse for the same reason"),
        (owned, view) => panic!("the decoders disagree: {owned:?} vs {view:?}"),
    }
});
