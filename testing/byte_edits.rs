//! Shared by the decoder no-panic property tests (`crates/guest/tests/decoder_no_panic.rs`,
//! `crates/chain/tests/decoders_no_panic.rs`, `crates/node/tests/stored_no_panic.rs`), which
//! include it with `#[path]`: random edits of a valid encoding, and the strategies for the
//! values every encoding carries (words, amounts, addresses, messages). One copy, so every
//! decoder is attacked the same way.

#![allow(dead_code)]

use alloy_primitives::{Address, B256, U256};
use numo_stf::{Cancel, Message, Place};
use proptest::prelude::*;

/// One edit of a byte string.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// XOR the byte at `at % len` with a non-zero mask.
    Flip { at: usize, mask: u8 },
    /// Keep only the first `len % (len + 1)` bytes.
    Truncate { len: usize },
    /// Insert bytes at `at % (len + 1)`.
    Insert { at: usize, bytes: Vec<u8> },
    /// Remove up to `count` bytes at `at % len`.
    Delete { at: usize, count: usize },
}

/// Edits anywhere, mostly flips; inserted and deleted runs are shorter than `max_run`.
pub(crate) fn edit(max_run: usize) -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), 1..=u8::MAX).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        1 => any::<usize>().prop_map(|len| Edit::Truncate { len }),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..max_run)).prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        1 => (any::<usize>(), 1..max_run).prop_map(|(at, count)| Edit::Delete { at, count }),
    ]
}

/// Applies `edit` to `bytes` (positions wrap, so every edit applies to every length).
pub(crate) fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
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

pub(crate) fn b256() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

pub(crate) fn u256() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

pub(crate) fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

/// Any Place or Cancel, including field values that execution rejects (side, tif, tick).
pub(crate) fn message() -> impl Strategy<Value = Message> {
    let place = (address(), any::<u64>(), b256(), any::<u8>(), any::<u32>(), any::<i32>(), u256()).prop_map(
        |(trader, nonce, order_id, side, tif, tick, qty)| {
            Message::Place(Place { trader, nonce, order_id, side, tif, tick, qty })
        },
    );
    let cancel = (address(), any::<u64>(), b256())
        .prop_map(|(trader, nonce, order_id)| Message::Cancel(Cancel { trader, nonce, order_id }));
    prop_oneof![place, cancel]
}
