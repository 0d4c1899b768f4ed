//! The execution engines behind the block function's one dispatch on the entry kind
//! ([`crate::entry::EntryKind`]). Each engine gets its entries in proposal order and returns
//! the batches it made; the block function assigns nothing itself but the header.
//!
//! Today: [`clob`] (Place/Cancel, per-market batches of C19). Next: funding (bridge) and EVM,
//! each with its own batch kind.

pub mod clob;
