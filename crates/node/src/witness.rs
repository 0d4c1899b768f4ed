//! Compact storage of batch witnesses: the format lives with the batch builder in
//! [`numo_host::witness`], which writes it directly; re-exported here for the node's readers.

pub use numo_host::witness::{compact, expand, expand_funding};
