//! Snapshots of the full tree: every stored node with its cached hashes, in pre-order, so a
//! node can restart without rehashing the world.
//!
//! Layout (big-endian): `U64 len`, then per node `0x00` (empty tree, root only) | `0x01 ‖
//! key ‖ leafHash ‖ top ‖ mid ‖ U16 midDepth` (leaf) | `0x02 ‖ U8 depth ‖ top ‖ left ‖ right`
//! (branch). Decoding checks the shape (branch depths increase downwards, two non-empty
//! children, keys on the right side of every branch) but trusts the cached hashes: callers
//! protect the bytes with a checksum and cross-check leaves against their values
//! ([`SparseMerkleTree::leaves`]).

use alloc::boxed::Box;
use alloc::vec::Vec;

use alloy_primitives::B256;

use super::node::{Branch, Leaf, Node};
use super::SparseMerkleTree;
use crate::path::path_bit;
use crate::TREE_DEPTH;

const TAG_EMPTY: u8 = 0;
const TAG_LEAF: u8 = 1;
const TAG_BRANCH: u8 = 2;

/// A snapshot that does not describe a well-formed tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError(pub &'static str);

impl core::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "tree snapshot: {}", self.0)
    }
}

impl core::error::Error for SnapshotError {}

impl SparseMerkleTree {
    /// Encodes the tree with its cached hashes.
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.len() * 200);
        out.extend_from_slice(&(self.len() as u64).to_be_bytes());
        write_node(&self.root, &mut out);
        out
    }

    /// Decodes [`SparseMerkleTree::encode_snapshot`]; the shape is checked, the hashes trusted.
    pub fn decode_snapshot(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let mut cursor = Cursor { bytes, pos: 0 };
        let len = u64::from_be_bytes(cursor.array()?) as usize;
        let root = match cursor.byte()? {
            TAG_EMPTY => Node::Empty,
            tag => read_node(&mut cursor, tag, 0)?.0,
        };
        if cursor.pos != bytes.len() {
            return Err(SnapshotError("trailing bytes"));
        }
        let tree = Self { root, len };
        if tree.leaves().count() != len {
            return Err(SnapshotError("key count does not match"));
        }
        Ok(tree)
    }

    /// Every present key with its leaf hash, in key order.
    pub fn leaves(&self) -> impl Iterator<Item = (B256, B256)> + '_ {
        let mut stack: Vec<&Node> = Vec::from([&self.root]);
        core::iter::from_fn(move || loop {
            match stack.pop()? {
                Node::Empty => {}
                Node::Leaf(leaf) => return Some((leaf.key, leaf.hash)),
                Node::Branch(branch) => {
                    stack.push(&branch.right);
                    stack.push(&branch.left);
                }
            }
        })
    }
}

fn write_node(node: &Node, out: &mut Vec<u8>) {
    match node {
        Node::Empty => out.push(TAG_EMPTY),
        Node::Leaf(leaf) => {
            out.push(TAG_LEAF);
            for hash in [&leaf.key, &leaf.hash, &leaf.top, leaf.mid()] {
                out.extend_from_slice(hash.as_slice());
            }
            out.extend_from_slice(&leaf.mid_depth().to_be_bytes());
        }
        Node::Branch(branch) => {
            out.push(TAG_BRANCH);
            out.push(branch.depth);
            out.extend_from_slice(branch.top.as_slice());
            write_node(&branch.left, out);
            write_node(&branch.right, out);
        }
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        let slice = self.bytes.get(self.pos..self.pos + N).ok_or(SnapshotError("truncated"))?;
        self.pos += N;
        Ok(slice.try_into().expect("length checked"))
    }

    fn byte(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }

    fn hash(&mut self) -> Result<B256, SnapshotError> {
        Ok(B256::from(self.array::<32>()?))
    }
}

/// Reads a non-empty node whose top is at `top_depth` and returns it with one of its keys.
/// Checking each branch against its children's keys is enough: below a branch at depth `d`,
/// all keys share their first `d` bits (by induction), and the two sides differ at bit `d`.
fn read_node(cursor: &mut Cursor<'_>, tag: u8, top_depth: usize) -> Result<(Node, B256), SnapshotError> {
    match tag {
        TAG_LEAF => {
            let (key, hash, top, mid) = (cursor.hash()?, cursor.hash()?, cursor.hash()?, cursor.hash()?);
            let mid_depth = u16::from_be_bytes(cursor.array()?);
            if usize::from(mid_depth) < top_depth || usize::from(mid_depth) > TREE_DEPTH {
                return Err(SnapshotError("leaf cache depth out of range"));
            }
            Ok((Node::Leaf(Leaf::restore(key, hash, top, mid, mid_depth)), key))
        }
        TAG_BRANCH => {
            let depth = usize::from(cursor.byte()?);
            if depth < top_depth {
                return Err(SnapshotError("branch above its parent"));
            }
            let top = cursor.hash()?;
            let left_tag = cursor.byte()?;
            let (left, left_key) = read_node(cursor, left_tag, depth + 1)?;
            let right_tag = cursor.byte()?;
            let (right, right_key) = read_node(cursor, right_tag, depth + 1)?;
            let split_ok = !path_bit(&left_key, depth) && path_bit(&right_key, depth);
            if !split_ok || !shares_prefix(&left_key, &right_key, depth) {
                return Err(SnapshotError("children on the wrong side of their branch"));
            }
            Ok((Node::Branch(Box::new(Branch { top, left, right, depth: depth as u8, stale: false })), left_key))
        }
        _ => Err(SnapshotError("unknown node tag")),
    }
}

fn shares_prefix(a: &B256, b: &B256, bits: usize) -> bool {
    (0..bits).all(|i| path_bit(a, i) == path_bit(b, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keccak256;

    fn tree(n: u64) -> SparseMerkleTree {
        let mut updates: Vec<(B256, Option<B256>)> =
            (0..n).map(|i| (keccak256(i.to_be_bytes()), Some(keccak256((i + 7).to_be_bytes())))).collect();
        let mut tree = SparseMerkleTree::new();
        tree.update_batch(&mut updates);
        tree
    }

    #[test]
    fn snapshot_round_trips_and_keeps_working() {
        for n in [0, 1, 2, 3, 50, 1000] {
            let original = tree(n);
            let mut restored = SparseMerkleTree::decode_snapshot(&original.encode_snapshot()).unwrap();
            assert_eq!(restored.root(), original.root());
            assert_eq!(restored.len(), original.len());
            assert_eq!(restored.leaves().collect::<Vec<_>>(), original.leaves().collect::<Vec<_>>());
            // The restored caches are the real ones: further updates give the same roots.
            let mut fresh = tree(n);
            let mut more = vec![(keccak256(b"new"), Some(keccak256(b"v"))), (keccak256(0u64.to_be_bytes()), None)];
            restored.update_batch(&mut more.clone());
            fresh.update_batch(&mut more);
            assert_eq!(restored.root(), fresh.root());
        }
    }

    #[test]
    fn leaves_are_in_key_order() {
        let keys: Vec<B256> = tree(200).leaves().map(|(k, _)| k).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(keys.len(), 200);
    }

    #[test]
    fn damaged_snapshots_are_refused_without_panicking() {
        let bytes = tree(100).encode_snapshot();
        for cut in 0..bytes.len() {
            assert!(SparseMerkleTree::decode_snapshot(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(SparseMerkleTree::decode_snapshot(&extra).is_err());
        // Flip the branch bit of the root's first child: children land on the wrong side.
        let mut swapped = bytes.clone();
        swapped[9] ^= 0xff;
        assert!(SparseMerkleTree::decode_snapshot(&swapped).is_err());
        let mut wrong_len = bytes;
        wrong_len[7] ^= 1;
        assert_eq!(
            SparseMerkleTree::decode_snapshot(&wrong_len).err(),
            Some(SnapshotError("key count does not match"))
        );
    }
}
