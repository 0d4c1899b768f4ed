//! Proposal streams: how a value's bytes travel from its proposer to the other validators.
//!
//! A stream is `Init` (height, round, POL round, proposer, byte length), the bytes in `Data`
//! chunks of at most [`CHUNK_BYTES`], and `Fin` with the proposer's signature over the
//! proposal digest of the value id, then Malachite's end-of-stream marker. Gossip may reorder
//! and duplicate messages, so the receiver buffers by sequence number — within fixed bounds per
//! publisher, because a peer can open streams it never finishes.

use std::collections::{BTreeMap, HashMap};

use alloy_primitives::{Address, B256};
use bytes::{Bytes, BytesMut};
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::core::Round;
use malachitebft_app_channel::app::types::PeerId;

use crate::context::{Height, NodeAddress, PartInit, ProposalPart, Signature};

/// Largest `Data` chunk: keeps every gossip message far below the pubsub size limit, whatever
/// the value's size.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;
/// Unfinished streams kept per publisher: a proposer has at most one stream per round, and a
/// few rounds overlap; older ones are evicted first.
pub(crate) const STREAMS_PER_PEER_MAX: usize = 4;
/// Unfinished streams kept over all publishers (bounds memory with many peers).
pub(crate) const STREAMS_TOTAL_MAX: usize = 32;

/// A proposal with its bytes and the proposer's signature: what is streamed, checked, cached
/// and restreamed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedValue {
    pub(crate) height: u64,
    pub(crate) round: Round,
    pub(crate) pol_round: Round,
    pub(crate) proposer: Address,
    pub(crate) id: B256,
    pub(crate) bytes: Bytes,
    pub(crate) signature: Signature,
}

impl SignedValue {
    /// The parts of its stream: `Init`, chunks, `Fin`.
    pub(crate) fn parts(&self) -> Vec<ProposalPart> {
        let mut parts = Vec::with_capacity(2 + self.bytes.len().div_ceil(CHUNK_BYTES));
        parts.push(ProposalPart::Init(PartInit {
            height: Height(self.height),
            round: self.round,
            pol_round: self.pol_round,
            proposer: NodeAddress(self.proposer),
            value_len: self.bytes.len() as u64,
        }));
        let mut at = 0;
        while at < self.bytes.len() {
            let end = (at + CHUNK_BYTES).min(self.bytes.len());
            parts.push(ProposalPart::Data(self.bytes.slice(at..end)));
            at = end;
        }
        parts.push(ProposalPart::Fin(self.signature));
        parts
    }

    /// The stream messages that publish it under `stream_id`.
    pub(crate) fn messages(&self, stream_id: &StreamId) -> Vec<StreamMessage<ProposalPart>> {
        let parts = self.parts();
        let end = parts.len() as u64;
        let mut messages: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(seq, part)| StreamMessage::new(stream_id.clone(), seq as u64, StreamContent::Data(part)))
            .collect();
        messages.push(StreamMessage::new(stream_id.clone(), end, StreamContent::Fin));
        messages
    }
}

/// Why a completed stream is not a proposal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StreamError {
    #[error("stream does not start with Init")]
    NoInit,
    #[error("stream does not end with a Fin part")]
    NoFin,
    #[error("stream has a part out of place")]
    Misplaced,
    #[error("stream carries {got} bytes, Init announced {announced}")]
    WrongLength { announced: u64, got: usize },
    #[error("stream announces {0} bytes, above the limit")]
    TooLarge(u64),
}

#[derive(Default)]
struct Partial {
    messages: BTreeMap<u64, StreamContent<ProposalPart>>,
    end: Option<u64>,
    bytes: usize,
    /// When it was opened (a counter), to evict the oldest.
    opened: u64,
}

/// Reassembles streams per `(publisher, stream id)`, within the bounds above and a byte cap per
/// publisher.
pub(crate) struct PartStreams {
    streams: HashMap<(PeerId, Bytes), Partial>,
    bytes_per_peer_max: usize,
    value_bytes_max: usize,
    clock: u64,
}

impl PartStreams {
    pub(crate) fn new(value_bytes_max: usize) -> Self {
        // Two full values per publisher: the current round's and the next one's.
        let bytes_per_peer_max = value_bytes_max.saturating_mul(2).saturating_add(CHUNK_BYTES);
        Self { streams: HashMap::new(), bytes_per_peer_max, value_bytes_max, clock: 0 }
    }

    /// Adds one message; returns the proposal when its stream is complete. Malformed, oversized
    /// or evicted streams are dropped (`Err` or `Ok(None)`), never buffered further.
    pub(crate) fn insert(
        &mut self,
        publisher: PeerId,
        message: StreamMessage<ProposalPart>,
    ) -> Result<Option<SignedValue>, StreamError> {
        let key = (publisher, message.stream_id.to_bytes());
        if !self.streams.contains_key(&key) {
            self.make_room(publisher);
            self.clock += 1;
            self.streams.insert(key.clone(), Partial { opened: self.clock, ..Partial::default() });
        }
        let partial = self.streams.get_mut(&key).expect("inserted above");
        let size = match &message.content {
            StreamContent::Data(ProposalPart::Data(data)) => data.len(),
            StreamContent::Data(ProposalPart::Init(init)) if init.value_len > self.value_bytes_max as u64 => {
                self.streams.remove(&key);
                return Err(StreamError::TooLarge(init.value_len));
            }
            _ => 0,
        };
        if matches!(message.content, StreamContent::Fin) {
            partial.end = Some(message.sequence);
        }
        if partial.messages.insert(message.sequence, message.content).is_none() {
            partial.bytes += size;
        }
        if self.peer_bytes(publisher) > self.bytes_per_peer_max {
            self.streams.remove(&key);
            return Err(StreamError::TooLarge(self.bytes_per_peer_max as u64));
        }
        let partial = &self.streams[&key];
        let complete = partial.end.is_some_and(|end| partial.messages.len() as u64 == end + 1);
        if !complete {
            return Ok(None);
        }
        let partial = self.streams.remove(&key).expect("present");
        assemble(partial).map(Some)
    }

    fn peer_bytes(&self, publisher: PeerId) -> usize {
        self.streams.iter().filter(|((p, _), _)| *p == publisher).map(|(_, s)| s.bytes).sum()
    }

    /// Evicts the oldest stream of `publisher` (or of anyone) when a bound is reached.
    fn make_room(&mut self, publisher: PeerId) {
        let own = self.streams.keys().filter(|(p, _)| *p == publisher).count();
        if own >= STREAMS_PER_PEER_MAX {
            self.evict_oldest(|p| *p == publisher);
        }
        if self.streams.len() >= STREAMS_TOTAL_MAX {
            self.evict_oldest(|_| true);
        }
    }

    fn evict_oldest(&mut self, of: impl Fn(&PeerId) -> bool) {
        let oldest =
            self.streams.iter().filter(|((p, _), _)| of(p)).min_by_key(|(_, s)| s.opened).map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            self.streams.remove(&key);
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.streams.len()
    }
}

/// Orders a complete stream into a proposal: `Init`, `Data`*, `Fin`, end marker.
fn assemble(partial: Partial) -> Result<SignedValue, StreamError> {
    let mut parts = partial.messages.into_values();
    let Some(StreamContent::Data(ProposalPart::Init(init))) = parts.next() else {
        return Err(StreamError::NoInit);
    };
    let mut bytes = BytesMut::with_capacity(init.value_len.min(partial.bytes as u64) as usize);
    let mut signature = None;
    for part in parts {
        match (part, signature) {
            (StreamContent::Data(ProposalPart::Data(data)), None) => bytes.extend_from_slice(&data),
            (StreamContent::Data(ProposalPart::Fin(sig)), None) => signature = Some(sig),
            (StreamContent::Fin, Some(_)) => {}
            _ => return Err(StreamError::Misplaced),
        }
    }
    let signature = signature.ok_or(StreamError::NoFin)?;
    if bytes.len() as u64 != init.value_len {
        return Err(StreamError::WrongLength { announced: init.value_len, got: bytes.len() });
    }
    let bytes = bytes.freeze();
    Ok(SignedValue {
        height: init.height.0,
        round: init.round,
        pol_round: init.pol_round,
        proposer: init.proposer.0,
        id: crate::digest::value_id(&bytes),
        bytes,
        signature,
    })
}

/// A stream id unique per publisher: height, round and a per-process counter.
pub(crate) fn stream_id(height: u64, round: Round, counter: u64) -> StreamId {
    let mut bytes = Vec::with_capacity(20);
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&round.as_i64().to_be_bytes()[4..]);
    bytes.extend_from_slice(&counter.to_be_bytes());
    StreamId::new(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_app_channel::app::types::Keypair;

    fn peer(seed: u8) -> PeerId {
        let key = Keypair::ed25519_from_bytes([seed; 32]).unwrap();
        PeerId::from_bytes(&key.public().to_peer_id().to_bytes()).unwrap()
    }

    fn value(len: usize) -> SignedValue {
        let bytes = Bytes::from((0..len).map(|i| i as u8).collect::<Vec<_>>());
        SignedValue {
            height: 3,
            round: Round::new(1),
            pol_round: Round::Nil,
            proposer: Address::repeat_byte(9),
            id: crate::digest::value_id(&bytes),
            bytes,
            signature: Signature([7; 65]),
        }
    }

    #[test]
    fn a_large_value_streams_in_chunks_and_reassembles_in_any_order() {
        let v = value(2 * CHUNK_BYTES + 5);
        let mut messages = v.messages(&stream_id(3, Round::new(1), 0));
        assert_eq!(messages.len(), 1 + 3 + 1 + 1);
        messages.reverse();
        let duplicate = messages[2].clone();
        messages.insert(3, duplicate);
        let mut streams = PartStreams::new(4 * CHUNK_BYTES);
        let publisher = peer(1);
        let mut done = None;
        for m in messages {
            if let Some(v) = streams.insert(publisher, m).unwrap() {
                done = Some(v);
            }
        }
        assert_eq!(done.unwrap(), v);
        assert_eq!(streams.len(), 0);
    }

    #[test]
    fn an_empty_value_streams() {
        let v = value(0);
        let mut streams = PartStreams::new(CHUNK_BYTES);
        let publisher = peer(1);
        let got: Vec<_> = v
            .messages(&stream_id(3, Round::new(1), 0))
            .into_iter()
            .filter_map(|m| streams.insert(publisher, m).unwrap())
            .collect();
        assert_eq!(got, vec![v]);
    }

    #[test]
    fn oversized_and_abandoned_streams_are_bounded() {
        let mut streams = PartStreams::new(1000);
        let publisher = peer(1);
        let big = value(2000);
        let init = big.messages(&stream_id(3, Round::new(0), 0)).remove(0);
        assert_eq!(streams.insert(publisher, init), Err(StreamError::TooLarge(2000)));
        // Many unfinished streams from one peer: only the newest few are kept.
        for i in 0..20 {
            let m = value(10).messages(&stream_id(3, Round::new(0), i)).remove(0);
            assert_eq!(streams.insert(publisher, m), Ok(None));
        }
        assert_eq!(streams.len(), STREAMS_PER_PEER_MAX);
        for seed in 2..42 {
            let m = value(10).messages(&stream_id(3, Round::new(0), 0)).remove(0);
            streams.insert(peer(seed), m).unwrap();
        }
        assert!(streams.len() <= STREAMS_TOTAL_MAX);
    }

    #[test]
    fn a_stream_with_a_wrong_length_is_refused() {
        let mut v = value(10);
        let mut messages = v.messages(&stream_id(3, Round::new(0), 0));
        v.bytes = Bytes::from_static(b"short");
        messages[1] = StreamMessage::new(
            messages[1].stream_id.clone(),
            1,
            StreamContent::Data(ProposalPart::Data(v.bytes.clone())),
        );
        let mut streams = PartStreams::new(1000);
        let publisher = peer(1);
        let results: Vec<_> = messages.into_iter().map(|m| streams.insert(publisher, m)).collect();
        assert_eq!(results.last().unwrap(), &Err(StreamError::WrongLength { announced: 10, got: 5 }));
    }
}
