//! The proposals of undecided heights, kept on disk under `home/consensus/values` so that a
//! validator restarted after a crash (kill -9) proposes the very value it proposed before in
//! the same round — never a second one — and still has the bytes of a value it voted for when
//! Malachite's WAL replays the decision.
//!
//! One file per proposal, `h{height}-r{round}-{valueId}.val`:
//! `U8 version ‖ U64 height ‖ I64 round ‖ I64 polRound ‖ B20 proposer ‖ B65 signature ‖
//! U8 valid ‖ U8 own ‖ value bytes`. A torn file (crash while writing) does not hash to the
//! id in its name and is discarded on load.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256};
use bytes::Bytes;
use malachitebft_app_channel::app::types::core::Round;

use crate::context::Signature;
use crate::stream::SignedValue;

const FILE_VERSION: u8 = 1;
const HEADER_LEN: usize = 1 + 8 + 8 + 8 + 20 + 65 + 1 + 1;

/// A proposal this node built (`own`) or received and judged (`valid`).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) value: SignedValue,
    pub(crate) valid: bool,
    pub(crate) own: bool,
}

/// Proposals by height, mirrored on disk.
pub(crate) struct ValueStore {
    dir: PathBuf,
    by_height: BTreeMap<u64, Vec<Entry>>,
}

impl ValueStore {
    /// Opens `dir`, loading the proposals of heights `>= min_height` and deleting the rest.
    pub(crate) fn open(dir: &Path, min_height: u64) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        let mut store = Self { dir: dir.to_path_buf(), by_height: BTreeMap::new() };
        for file in fs::read_dir(dir)? {
            let path = file?.path();
            match read_entry(&path) {
                Some(entry) if entry.value.height >= min_height => store.remember(entry),
                _ => fs::remove_file(&path)?,
            }
        }
        Ok(store)
    }

    /// Keeps `entry`, on disk first. Only own proposals are synced to the device: they are the
    /// ones whose loss could make this node equivocate.
    pub(crate) fn insert(&mut self, entry: Entry) -> io::Result<()> {
        if self.find(entry.value.height, entry.value.round, entry.value.id).is_some() {
            return Ok(());
        }
        let path = self.dir.join(file_name(&entry.value));
        let mut file = fs::File::create(&path)?;
        file.write_all(&encode(&entry))?;
        if entry.own {
            file.sync_all()?;
        }
        self.remember(entry);
        Ok(())
    }

    fn remember(&mut self, entry: Entry) {
        self.by_height.entry(entry.value.height).or_default().push(entry);
    }

    /// The proposals of `height` in `round`.
    pub(crate) fn in_round(&self, height: u64, round: Round) -> impl Iterator<Item = &Entry> {
        self.by_height.get(&height).into_iter().flatten().filter(move |e| e.value.round == round)
    }

    /// The value this node proposed at `height`/`round`, if any.
    pub(crate) fn own(&self, height: u64, round: Round) -> Option<&Entry> {
        self.in_round(height, round).find(|e| e.own)
    }

    /// The proposal of `height`/`round` with this id.
    pub(crate) fn find(&self, height: u64, round: Round, id: B256) -> Option<&Entry> {
        self.in_round(height, round).find(|e| e.value.id == id)
    }

    /// Any proposal of `height` with this id (a value can be proposed again in a later round).
    pub(crate) fn by_id(&self, height: u64, id: B256) -> Option<&Entry> {
        self.by_height.get(&height).into_iter().flatten().find(|e| e.value.id == id)
    }

    /// Forgets every height below `height` (they are committed).
    pub(crate) fn prune_below(&mut self, height: u64) -> io::Result<()> {
        let keep = self.by_height.split_off(&height);
        let old = std::mem::replace(&mut self.by_height, keep);
        for entry in old.into_values().flatten() {
            match fs::remove_file(self.dir.join(file_name(&entry.value))) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

fn file_name(value: &SignedValue) -> String {
    format!("h{:020}-r{:010}-{}.val", value.height, value.round.as_i64(), value.id)
}

fn encode(entry: &Entry) -> Vec<u8> {
    let v = &entry.value;
    let mut out = Vec::with_capacity(HEADER_LEN + v.bytes.len());
    out.push(FILE_VERSION);
    out.extend_from_slice(&v.height.to_be_bytes());
    out.extend_from_slice(&v.round.as_i64().to_be_bytes());
    out.extend_from_slice(&v.pol_round.as_i64().to_be_bytes());
    out.extend_from_slice(v.proposer.as_slice());
    out.extend_from_slice(&v.signature.0);
    out.push(u8::from(entry.valid));
    out.push(u8::from(entry.own));
    out.extend_from_slice(&v.bytes);
    out
}

fn read_round(bytes: &[u8]) -> Option<Round> {
    match i64::from_be_bytes(bytes.try_into().ok()?) {
        -1 => Some(Round::Nil),
        r @ 0..=0xffff_ffff => Some(Round::new(r as u32)),
        _ => None,
    }
}

/// The entry in `path`, or `None` if it is torn, foreign or of another version.
fn read_entry(path: &Path) -> Option<Entry> {
    let data = fs::read(path).ok()?;
    if data.len() < HEADER_LEN || data[0] != FILE_VERSION {
        return None;
    }
    let bytes = Bytes::copy_from_slice(&data[HEADER_LEN..]);
    let id = crate::digest::value_id(&bytes);
    let name = path.file_name()?.to_str()?;
    if !name.ends_with(&format!("-{id}.val")) {
        return None;
    }
    let value = SignedValue {
        height: u64::from_be_bytes(data[1..9].try_into().ok()?),
        round: read_round(&data[9..17])?,
        pol_round: read_round(&data[17..25])?,
        proposer: Address::from_slice(&data[25..45]),
        signature: Signature(data[45..110].try_into().ok()?),
        id,
        bytes,
    };
    Some(Entry { value, valid: data[110] == 1, own: data[111] == 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(height: u64, round: u32, bytes: &'static [u8]) -> SignedValue {
        SignedValue {
            height,
            round: Round::new(round),
            pol_round: Round::Nil,
            proposer: Address::repeat_byte(1),
            id: crate::digest::value_id(bytes),
            bytes: Bytes::from_static(bytes),
            signature: Signature([3; 65]),
        }
    }

    #[test]
    fn entries_survive_reopening_and_pruning_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ValueStore::open(dir.path(), 1).unwrap();
        store.insert(Entry { value: value(5, 0, b"a"), valid: true, own: true }).unwrap();
        store.insert(Entry { value: value(5, 1, b"b"), valid: false, own: false }).unwrap();
        store.insert(Entry { value: value(6, 0, b"c"), valid: true, own: false }).unwrap();
        drop(store);

        let mut store = ValueStore::open(dir.path(), 5).unwrap();
        let own = store.own(5, Round::new(0)).unwrap();
        assert_eq!(own.value, value(5, 0, b"a"));
        assert!(own.valid);
        let b = store.find(5, Round::new(1), crate::digest::value_id(b"b")).unwrap();
        assert!(!b.valid && !b.own);
        assert!(store.by_id(6, crate::digest::value_id(b"c")).is_some());

        store.prune_below(6).unwrap();
        assert!(store.own(5, Round::new(0)).is_none());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(store);
        // Opening above every height deletes the rest.
        ValueStore::open(dir.path(), 7).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_torn_file_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = ValueStore::open(dir.path(), 1).unwrap();
        store.insert(Entry { value: value(5, 0, b"abcdef"), valid: true, own: true }).unwrap();
        let path = fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
        let data = fs::read(&path).unwrap();
        fs::write(&path, &data[..data.len() - 2]).unwrap();
        let store = ValueStore::open(dir.path(), 1).unwrap();
        assert!(store.own(5, Round::new(0)).is_none());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
