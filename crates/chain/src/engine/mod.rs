//! The execution engines behind the block function's one dispatch on the entry kind
//! ([`crate::entry::EntryKind`]). Each engine gets its entries in proposal order and returns
//! the batches it made; the block function assigns nothing itself but the header.
//!
//! [`funding`] (deposits, withdrawals, forced withdrawals: F8) runs first, then [`clob`]
//! (Place/Cancel, per-market batches of C19). Next: EVM, with its own batch kind.

pub mod clob;
pub mod funding;
