//! Property tests: the mempool message decoder never panics on what a peer sends, and what it
//! accepts is canonical (re-encodes to exactly the input).
//!
//! Random byte strings, random tails behind a valid version byte, headers whose length field
//! is random, and random flips, truncations, insertions and deletions of valid encodings. The
//! edits are written here rather than taken from `testing/byte_edits.rs`, which builds numo
//! messages with `numo-stf`; this crate may not depend on the transition. The `fuzz/` target
//! `mempool_message` explores the same entry point for longer.

use numo_gossip::message::{HEADER_BYTES, VERSION};
use numo_gossip::{DecodeError, MempoolMessage, MessageView};
use proptest::prelude::*;

/// Decodes `bytes` both ways; whatever is accepted must re-encode to the input, and the
/// borrowed and owned decoders must agree.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let owned = MempoolMessage::decode(bytes);
    let view = MessageView::decode(bytes);
    match (&owned, &view) {
        (Ok(message), Ok(view)) => {
            prop_assert_eq!(message.encode(), bytes, "an accepted message must re-encode to itself");
            prop_assert_eq!(message.lamport, view.lamport);
            prop_assert_eq!(&message.payload[..], view.payload);
            prop_assert!(!message.payload.is_empty());
        }
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        _ => prop_assert!(false, "the decoders disagree: {owned:?} vs {view:?}"),
    }
    Ok(())
}

fn message() -> impl Strategy<Value = MempoolMessage> {
    (any::<u64>(), any::<[u8; 32]>(), prop::collection::vec(any::<u8>(), 1..300))
        .prop_map(|(lamport, origin, payload)| MempoolMessage { lamport, origin, payload })
}

#[derive(Debug, Clone)]
enum Edit {
    Flip { at: usize, mask: u8 },
    Truncate { len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, count: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1..=u8::MAX).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        1 => any::<usize>().prop_map(|len| Edit::Truncate { len }),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        1 => (any::<usize>(), 1..16usize).prop_map(|(at, count)| Edit::Delete { at, count }),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    match edit {
        Edit::Flip { at, mask } if !bytes.is_empty() => {
            let at = at % bytes.len();
            bytes[at] ^= mask;
        }
        Edit::Truncate { len } => bytes.truncate(len % (bytes.len() + 1)),
        Edit::Insert { at, bytes: inserted } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
        Edit::Delete { at, count } if !bytes.is_empty() => {
            let at = at % bytes.len();
            let end = (at + count).min(bytes.len());
            bytes.drain(at..end);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
    }

    #[test]
    fn random_tails_behind_the_version_never_panic(tail in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = vec![VERSION];
        bytes.extend(tail);
        check(&bytes)?;
    }

    #[test]
    fn any_length_field_is_checked_against_the_input(
        lamport in any::<u64>(), declared in any::<u32>(), payload in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut bytes = vec![VERSION];
        bytes.extend_from_slice(&lamport.to_be_bytes());
        bytes.extend_from_slice(&[0x11; 32]);
        bytes.extend_from_slice(&declared.to_be_bytes());
        bytes.extend_from_slice(&payload);
        let result = MempoolMessage::decode(&bytes);
        if declared as usize == payload.len() && !payload.is_empty() {
            prop_assert_eq!(result.map(|m| m.payload), Ok(payload));
        } else if declared as usize != payload.len() {
            prop_assert_eq!(result, Err(DecodeError::LengthMismatch { declared, actual: payload.len() }));
        } else {
            prop_assert_eq!(result, Err(DecodeError::EmptyPayload));
        }
    }

    #[test]
    fn round_trip(message in message()) {
        let bytes = message.encode();
        prop_assert_eq!(bytes.len(), HEADER_BYTES + message.payload.len());
        prop_assert_eq!(MempoolMessage::decode(&bytes), Ok(message));
    }

    #[test]
    fn edited_encodings_never_panic(message in message(), edits in prop::collection::vec(edit(), 1..4)) {
        let mut bytes = message.encode();
        for edit in &edits {
            apply(&mut bytes, edit);
        }
        check(&bytes)?;
    }
}
