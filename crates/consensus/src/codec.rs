//! The wire and WAL encoding of every Malachite message numo sends or logs: a small, explicit
//! big-endian binary format (no serde), one tag byte per enum variant.
//!
//! Decoding reads untrusted bytes from peers: it never panics, never allocates more than the
//! input could hold (a count is checked against the remaining length first), and refuses
//! trailing bytes, so each message has exactly one encoding. Value bytes inside proposal parts
//! and sync responses are zero-copy slices of the received buffer.

use std::ops::RangeInclusive;

use alloy_primitives::{Address, B256};
use bytes::Bytes;
use malachitebft_app_channel::app::consensus::LivenessMsg;
use malachitebft_app_channel::app::streaming::{StreamContent, StreamId, StreamMessage};
use malachitebft_app_channel::app::types::codec::{Codec, HasEncodedLen};
use malachitebft_app_channel::app::types::core::{
    ExtendedCommitCertificate, ExtendedCommitSignature, NilOrVal, PolkaCertificate, PolkaSignature, Round,
    RoundCertificate, RoundCertificateType, RoundSignature, SignedExtension, SignedMessage, ValidatorProof, Validity,
    VoteType,
};
use malachitebft_app_channel::app::types::sync::{RawDecidedValue, Request, Response, Status};
use malachitebft_app_channel::app::types::{PeerId, ProposedValue, SignedConsensusMsg};

use crate::context::{Height, NodeAddress, NumoContext, PartInit, Proposal, ProposalPart, Signature, Value, Vote};
use crate::keys::SIGNATURE_LEN;

type SyncValueRequest = malachitebft_sync::ValueRequest<NumoContext>;
type SyncValueResponse = malachitebft_sync::ValueResponse<NumoContext>;

/// Why received bytes are not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes end inside a field.
    #[error("message truncated: {needed} more bytes needed at offset {at}")]
    Truncated {
        /// Where the missing field starts.
        at: usize,
        /// How many bytes it needs.
        needed: usize,
    },
    /// Bytes after the message.
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
    /// An enum tag this version does not know.
    #[error("unknown {what} tag {tag}")]
    UnknownTag {
        /// The enum being decoded.
        what: &'static str,
        /// The byte found.
        tag: u8,
    },
    /// A field whose value is out of its range (a round above `u32::MAX`, a bad peer id).
    #[error("invalid {0}")]
    Invalid(&'static str),
}

impl CodecError {
    /// Stable short code for tools and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            CodecError::Truncated { .. } => "codec_truncated",
            CodecError::TrailingBytes(_) => "codec_trailing_bytes",
            CodecError::UnknownTag { .. } => "codec_unknown_tag",
            CodecError::Invalid(_) => "codec_invalid",
        }
    }
}

/// The codec for consensus gossip, sync, the peer proof and the WAL.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NumoCodec;

/// Appends fields.
#[derive(Default)]
pub(crate) struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn raw(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    /// `U32 length ‖ bytes`.
    fn bytes(&mut self, v: &[u8]) {
        self.u32(u32::try_from(v.len()).expect("fields are below 4 GiB"));
        self.raw(v);
    }
    /// `Round::Nil` is `-1`; a defined round its value, as an I64.
    fn round(&mut self, r: Round) {
        self.0.extend_from_slice(&r.as_i64().to_be_bytes());
    }
    fn height(&mut self, h: Height) {
        self.u64(h.0);
    }
    fn address(&mut self, a: &NodeAddress) {
        self.raw(a.0.as_slice());
    }
    fn signature(&mut self, s: &Signature) {
        self.raw(&s.0);
    }
    fn value_id(&mut self, id: &B256) {
        self.raw(id.as_slice());
    }
    fn nil_or_val(&mut self, v: &NilOrVal<B256>) {
        match v {
            NilOrVal::Nil => self.u8(0),
            NilOrVal::Val(id) => {
                self.u8(1);
                self.value_id(id);
            }
        }
    }
    fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).expect("fewer than 2^32 items"));
    }
    fn finish(self) -> Bytes {
        Bytes::from(self.0)
    }
}

/// Reads fields from a received buffer.
pub(crate) struct Reader {
    buf: Bytes,
    at: usize,
}

impl Reader {
    fn new(buf: Bytes) -> Self {
        Self { buf, at: 0 }
    }
    fn take(&mut self, n: usize) -> Result<Bytes, CodecError> {
        if self.buf.len() - self.at < n {
            return Err(CodecError::Truncated { at: self.at, needed: n });
        }
        let out = self.buf.slice(self.at..self.at + n);
        self.at += n;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        Ok(self.take(N)?.as_ref().try_into().expect("N bytes"))
    }
    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn bytes(&mut self) -> Result<Bytes, CodecError> {
        let len = self.u32()? as usize;
        self.take(len)
    }
    fn round(&mut self) -> Result<Round, CodecError> {
        let r = i64::from_be_bytes(self.array()?);
        match r {
            -1 => Ok(Round::Nil),
            0..=0xffff_ffff => Ok(Round::new(r as u32)),
            _ => Err(CodecError::Invalid("round")),
        }
    }
    fn height(&mut self) -> Result<Height, CodecError> {
        Ok(Height(self.u64()?))
    }
    fn address(&mut self) -> Result<NodeAddress, CodecError> {
        Ok(NodeAddress(Address::from(self.array::<20>()?)))
    }
    fn signature(&mut self) -> Result<Signature, CodecError> {
        Ok(Signature(self.array::<SIGNATURE_LEN>()?))
    }
    fn value_id(&mut self) -> Result<B256, CodecError> {
        Ok(B256::from(self.array::<32>()?))
    }
    fn nil_or_val(&mut self) -> Result<NilOrVal<B256>, CodecError> {
        match self.u8()? {
            0 => Ok(NilOrVal::Nil),
            1 => Ok(NilOrVal::Val(self.value_id()?)),
            tag => Err(CodecError::UnknownTag { what: "nil-or-value", tag }),
        }
    }
    /// A count of items that take at least `min_item` bytes each: refused if the rest of the
    /// buffer could not hold them, so a forged count cannot make us allocate.
    fn count(&mut self, min_item: usize) -> Result<usize, CodecError> {
        let n = self.u32()? as usize;
        let left = self.buf.len() - self.at;
        if n.saturating_mul(min_item) > left {
            return Err(CodecError::Truncated { at: self.at, needed: n.saturating_mul(min_item) });
        }
        Ok(n)
    }
    fn finish(self) -> Result<(), CodecError> {
        match self.buf.len() - self.at {
            0 => Ok(()),
            n => Err(CodecError::TrailingBytes(n)),
        }
    }
}

/// Encodes and decodes one type with a [`Writer`] / [`Reader`].
pub(crate) trait Wire: Sized {
    fn write(&self, w: &mut Writer);
    fn read(r: &mut Reader) -> Result<Self, CodecError>;
}

fn encode<T: Wire>(v: &T) -> Bytes {
    let mut w = Writer::default();
    v.write(&mut w);
    w.finish()
}

fn decode<T: Wire>(bytes: Bytes) -> Result<T, CodecError> {
    let mut r = Reader::new(bytes);
    let v = T::read(&mut r)?;
    r.finish()?;
    Ok(v)
}

const ADDRESS_LEN: usize = 20;

fn vote_type_byte(t: VoteType) -> u8 {
    match t {
        VoteType::Prevote => 0,
        VoteType::Precommit => 1,
    }
}

fn read_vote_type(r: &mut Reader) -> Result<VoteType, CodecError> {
    match r.u8()? {
        0 => Ok(VoteType::Prevote),
        1 => Ok(VoteType::Precommit),
        tag => Err(CodecError::UnknownTag { what: "vote type", tag }),
    }
}

fn write_extension(w: &mut Writer, ext: &Option<SignedExtension<NumoContext>>) {
    match ext {
        None => w.u8(0),
        Some(ext) => {
            w.u8(1);
            w.bytes(&ext.message);
            w.signature(&ext.signature);
        }
    }
}

fn read_extension(r: &mut Reader) -> Result<Option<SignedExtension<NumoContext>>, CodecError> {
    match r.u8()? {
        0 => Ok(None),
        1 => {
            let message = r.bytes()?;
            Ok(Some(SignedMessage::new(message, r.signature()?)))
        }
        tag => Err(CodecError::UnknownTag { what: "extension", tag }),
    }
}

impl Wire for Vote {
    fn write(&self, w: &mut Writer) {
        w.u8(vote_type_byte(self.vote_type));
        w.height(self.height);
        w.round(self.round);
        w.nil_or_val(&self.value);
        w.address(&self.validator);
        write_extension(w, &self.extension);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        Ok(Vote {
            vote_type: read_vote_type(r)?,
            height: r.height()?,
            round: r.round()?,
            value: r.nil_or_val()?,
            validator: r.address()?,
            extension: read_extension(r)?,
        })
    }
}

impl Wire for Proposal {
    fn write(&self, w: &mut Writer) {
        w.height(self.height);
        w.round(self.round);
        w.value_id(&self.value.0);
        w.round(self.pol_round);
        w.address(&self.proposer);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        Ok(Proposal {
            height: r.height()?,
            round: r.round()?,
            value: Value(r.value_id()?),
            pol_round: r.round()?,
            proposer: r.address()?,
        })
    }
}

impl<T: Wire> Wire for SignedMessage<NumoContext, T> {
    fn write(&self, w: &mut Writer) {
        self.message.write(w);
        w.signature(&self.signature);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        let message = T::read(r)?;
        Ok(SignedMessage::new(message, r.signature()?))
    }
}

impl Wire for SignedConsensusMsg<NumoContext> {
    fn write(&self, w: &mut Writer) {
        match self {
            SignedConsensusMsg::Vote(v) => {
                w.u8(0);
                v.write(w);
            }
            SignedConsensusMsg::Proposal(p) => {
                w.u8(1);
                p.write(w);
            }
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        match r.u8()? {
            0 => Ok(SignedConsensusMsg::Vote(Wire::read(r)?)),
            1 => Ok(SignedConsensusMsg::Proposal(Wire::read(r)?)),
            tag => Err(CodecError::UnknownTag { what: "consensus message", tag }),
        }
    }
}

impl Wire for ProposalPart {
    fn write(&self, w: &mut Writer) {
        match self {
            ProposalPart::Init(init) => {
                w.u8(0);
                w.height(init.height);
                w.round(init.round);
                w.round(init.pol_round);
                w.address(&init.proposer);
                w.u64(init.value_len);
            }
            ProposalPart::Data(data) => {
                w.u8(1);
                w.bytes(data);
            }
            ProposalPart::Fin(signature) => {
                w.u8(2);
                w.signature(signature);
            }
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        match r.u8()? {
            0 => Ok(ProposalPart::Init(PartInit {
                height: r.height()?,
                round: r.round()?,
                pol_round: r.round()?,
                proposer: r.address()?,
                value_len: r.u64()?,
            })),
            1 => Ok(ProposalPart::Data(r.bytes()?)),
            2 => Ok(ProposalPart::Fin(r.signature()?)),
            tag => Err(CodecError::UnknownTag { what: "proposal part", tag }),
        }
    }
}

impl Wire for StreamMessage<ProposalPart> {
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.stream_id.to_bytes());
        w.u64(self.sequence);
        match &self.content {
            StreamContent::Data(part) => {
                w.u8(0);
                part.write(w);
            }
            StreamContent::Fin => w.u8(1),
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        let stream_id = StreamId::new(r.bytes()?);
        let sequence = r.u64()?;
        let content = match r.u8()? {
            0 => StreamContent::Data(ProposalPart::read(r)?),
            1 => StreamContent::Fin,
            tag => return Err(CodecError::UnknownTag { what: "stream content", tag }),
        };
        Ok(StreamMessage::new(stream_id, sequence, content))
    }
}

fn write_polka(w: &mut Writer, c: &PolkaCertificate<NumoContext>) {
    w.height(c.height);
    w.round(c.round);
    w.value_id(&c.value_id);
    w.count(c.polka_signatures.len());
    for s in &c.polka_signatures {
        w.address(&s.address);
        w.signature(&s.signature);
    }
}

fn read_polka(r: &mut Reader) -> Result<PolkaCertificate<NumoContext>, CodecError> {
    let height = r.height()?;
    let round = r.round()?;
    let value_id = r.value_id()?;
    let n = r.count(ADDRESS_LEN + SIGNATURE_LEN)?;
    let mut polka_signatures = Vec::with_capacity(n);
    for _ in 0..n {
        let address = r.address()?;
        polka_signatures.push(PolkaSignature::new(address, r.signature()?));
    }
    Ok(PolkaCertificate { height, round, value_id, polka_signatures })
}

impl Wire for PolkaCertificate<NumoContext> {
    fn write(&self, w: &mut Writer) {
        write_polka(w, self);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        read_polka(r)
    }
}

impl Wire for RoundCertificate<NumoContext> {
    fn write(&self, w: &mut Writer) {
        w.height(self.height);
        w.round(self.round);
        w.u8(match self.cert_type {
            RoundCertificateType::Skip => 0,
            RoundCertificateType::Precommit => 1,
        });
        w.count(self.round_signatures.len());
        for s in &self.round_signatures {
            w.u8(vote_type_byte(s.vote_type));
            w.nil_or_val(&s.value_id);
            w.address(&s.address);
            w.signature(&s.signature);
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        let height = r.height()?;
        let round = r.round()?;
        let cert_type = match r.u8()? {
            0 => RoundCertificateType::Skip,
            1 => RoundCertificateType::Precommit,
            tag => return Err(CodecError::UnknownTag { what: "round certificate", tag }),
        };
        let n = r.count(1 + 1 + ADDRESS_LEN + SIGNATURE_LEN)?;
        let mut round_signatures = Vec::with_capacity(n);
        for _ in 0..n {
            let vote_type = read_vote_type(r)?;
            let value_id = r.nil_or_val()?;
            let address = r.address()?;
            let signature = r.signature()?;
            round_signatures.push(RoundSignature { vote_type, value_id, address, signature });
        }
        Ok(RoundCertificate { height, round, cert_type, round_signatures })
    }
}

impl Wire for LivenessMsg<NumoContext> {
    fn write(&self, w: &mut Writer) {
        match self {
            LivenessMsg::Vote(v) => {
                w.u8(0);
                v.write(w);
            }
            LivenessMsg::PolkaCertificate(c) => {
                w.u8(1);
                c.write(w);
            }
            LivenessMsg::SkipRoundCertificate(c) => {
                w.u8(2);
                c.write(w);
            }
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        match r.u8()? {
            0 => Ok(LivenessMsg::Vote(Wire::read(r)?)),
            1 => Ok(LivenessMsg::PolkaCertificate(Wire::read(r)?)),
            2 => Ok(LivenessMsg::SkipRoundCertificate(Wire::read(r)?)),
            tag => Err(CodecError::UnknownTag { what: "liveness message", tag }),
        }
    }
}

impl Wire for ValidatorProof<NumoContext> {
    fn write(&self, w: &mut Writer) {
        w.bytes(&self.public_key);
        w.bytes(&self.peer_id);
        w.signature(&self.signature);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        let public_key = r.bytes()?.to_vec();
        let peer_id = r.bytes()?.to_vec();
        Ok(ValidatorProof::new(public_key, peer_id, r.signature()?))
    }
}

impl Wire for ProposedValue<NumoContext> {
    fn write(&self, w: &mut Writer) {
        w.height(self.height);
        w.round(self.round);
        w.round(self.valid_round);
        w.address(&self.proposer);
        w.value_id(&self.value.0);
        w.u8(u8::from(self.validity.is_valid()));
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        Ok(ProposedValue {
            height: r.height()?,
            round: r.round()?,
            valid_round: r.round()?,
            proposer: r.address()?,
            value: Value(r.value_id()?),
            validity: match r.u8()? {
                0 => Validity::Invalid,
                1 => Validity::Valid,
                tag => return Err(CodecError::UnknownTag { what: "validity", tag }),
            },
        })
    }
}

fn write_peer(w: &mut Writer, peer: &PeerId) {
    w.bytes(&peer.to_bytes());
}

fn read_peer(r: &mut Reader) -> Result<PeerId, CodecError> {
    PeerId::from_bytes(&r.bytes()?).map_err(|_| CodecError::Invalid("peer id"))
}

impl Wire for Status<NumoContext> {
    fn write(&self, w: &mut Writer) {
        write_peer(w, &self.peer_id);
        w.height(self.tip_height);
        w.height(self.history_min_height);
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        Ok(Status { peer_id: read_peer(r)?, tip_height: r.height()?, history_min_height: r.height()? })
    }
}

fn write_range(w: &mut Writer, range: &RangeInclusive<Height>) {
    w.height(*range.start());
    w.height(*range.end());
}

impl Wire for Request<NumoContext> {
    fn write(&self, w: &mut Writer) {
        match self {
            Request::ValueRequest(req) => {
                w.u8(0);
                write_range(w, &req.range);
            }
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        match r.u8()? {
            0 => {
                let start = r.height()?;
                let end = r.height()?;
                Ok(Request::ValueRequest(SyncValueRequest::new(start..=end)))
            }
            tag => Err(CodecError::UnknownTag { what: "sync request", tag }),
        }
    }
}

fn write_commit(w: &mut Writer, c: &ExtendedCommitCertificate<NumoContext>) {
    w.height(c.height);
    w.round(c.round);
    w.value_id(&c.value_id);
    w.count(c.commit_signatures.len());
    for s in &c.commit_signatures {
        w.address(&s.address);
        w.signature(&s.signature);
        write_extension(w, &s.extension);
    }
}

fn read_commit(r: &mut Reader) -> Result<ExtendedCommitCertificate<NumoContext>, CodecError> {
    let height = r.height()?;
    let round = r.round()?;
    let value_id = r.value_id()?;
    let n = r.count(ADDRESS_LEN + SIGNATURE_LEN + 1)?;
    let mut commit_signatures = Vec::with_capacity(n);
    for _ in 0..n {
        let address = r.address()?;
        let signature = r.signature()?;
        let extension = read_extension(r)?;
        commit_signatures.push(ExtendedCommitSignature { address, signature, extension });
    }
    Ok(ExtendedCommitCertificate { height, round, value_id, commit_signatures })
}

impl Wire for Response<NumoContext> {
    fn write(&self, w: &mut Writer) {
        match self {
            Response::ValueResponse(resp) => {
                w.u8(0);
                w.height(resp.start_height);
                w.count(resp.values.len());
                for v in &resp.values {
                    w.bytes(&v.value_bytes);
                    write_commit(w, &v.certificate);
                }
            }
        }
    }
    fn read(r: &mut Reader) -> Result<Self, CodecError> {
        match r.u8()? {
            0 => {
                let start_height = r.height()?;
                let n = r.count(4 + 8 + 8 + 32 + 4)?;
                let mut values = Vec::with_capacity(n);
                for _ in 0..n {
                    let value_bytes = r.bytes()?;
                    values.push(RawDecidedValue::new(value_bytes, read_commit(r)?));
                }
                Ok(Response::ValueResponse(SyncValueResponse::new(start_height, values)))
            }
            tag => Err(CodecError::UnknownTag { what: "sync response", tag }),
        }
    }
}

macro_rules! wire_codec {
    ($($t:ty),* $(,)?) => {$(
        impl Codec<$t> for NumoCodec {
            type Error = CodecError;

            fn decode(&self, bytes: Bytes) -> Result<$t, CodecError> {
                decode(bytes)
            }

            fn encode(&self, msg: &$t) -> Result<Bytes, CodecError> {
                Ok(encode(msg))
            }
        }
    )*};
}

wire_codec!(
    ProposalPart,
    SignedConsensusMsg<NumoContext>,
    LivenessMsg<NumoContext>,
    StreamMessage<ProposalPart>,
    ValidatorProof<NumoContext>,
    ProposedValue<NumoContext>,
    PolkaCertificate<NumoContext>,
    Status<NumoContext>,
    Request<NumoContext>,
    Response<NumoContext>,
);

impl HasEncodedLen<Response<NumoContext>> for NumoCodec {
    fn encoded_len(&self, msg: &Response<NumoContext>) -> Result<usize, CodecError> {
        Ok(encode(msg).len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malachitebft_app_channel::app::types::Keypair;

    fn addr(b: u8) -> NodeAddress {
        NodeAddress(Address::repeat_byte(b))
    }

    fn vote(value: NilOrVal<B256>, extension: bool) -> SignedMessage<NumoContext, Vote> {
        let extension = extension.then(|| SignedMessage::new(Bytes::from_static(b"ext"), Signature([4; 65])));
        let vote = Vote {
            vote_type: VoteType::Precommit,
            height: Height(7),
            round: Round::new(2),
            value,
            validator: addr(1),
            extension,
        };
        SignedMessage::new(vote, Signature([1; 65]))
    }

    fn commit() -> ExtendedCommitCertificate<NumoContext> {
        ExtendedCommitCertificate {
            height: Height(9),
            round: Round::new(0),
            value_id: B256::repeat_byte(5),
            commit_signatures: vec![ExtendedCommitSignature {
                address: addr(2),
                signature: Signature([2; 65]),
                extension: None,
            }],
        }
    }

    /// Encodes, decodes, re-encodes (same bytes) and checks every strict prefix and an extra
    /// byte fail without panicking.
    fn check<T>(msg: T)
    where
        NumoCodec: Codec<T, Error = CodecError>,
    {
        let bytes = NumoCodec.encode(&msg).unwrap();
        let back: T = NumoCodec.decode(bytes.clone()).unwrap();
        assert_eq!(NumoCodec.encode(&back).unwrap(), bytes);
        for len in 0..bytes.len() {
            assert!(Codec::<T>::decode(&NumoCodec, bytes.slice(..len)).is_err(), "prefix {len} decoded");
        }
        let mut long = bytes.to_vec();
        long.push(0);
        assert_eq!(Codec::<T>::decode(&NumoCodec, Bytes::from(long)).err(), Some(CodecError::TrailingBytes(1)));
    }

    #[test]
    fn every_message_round_trips_and_every_truncation_errors() {
        check(SignedConsensusMsg::Vote(vote(NilOrVal::Nil, false)));
        check(SignedConsensusMsg::Vote(vote(NilOrVal::Val(B256::repeat_byte(3)), true)));
        let proposal = Proposal {
            height: Height(7),
            round: Round::new(1),
            value: Value(B256::repeat_byte(8)),
            pol_round: Round::Nil,
            proposer: addr(3),
        };
        check(SignedConsensusMsg::Proposal(SignedMessage::new(proposal, Signature([6; 65]))));
        let init = ProposalPart::Init(PartInit {
            height: Height(1),
            round: Round::new(0),
            pol_round: Round::new(0),
            proposer: addr(4),
            value_len: 3,
        });
        check(init.clone());
        check(ProposalPart::Data(Bytes::from_static(b"abc")));
        check(ProposalPart::Fin(Signature([9; 65])));
        let id = StreamId::new(Bytes::from_static(b"stream"));
        check(StreamMessage::new(id.clone(), 0, StreamContent::Data(init)));
        check(StreamMessage::<ProposalPart>::new(id, 4, StreamContent::Fin));
        let polka = PolkaCertificate {
            height: Height(3),
            round: Round::new(1),
            value_id: B256::repeat_byte(1),
            polka_signatures: vec![PolkaSignature::new(addr(5), Signature([5; 65]))],
        };
        check(LivenessMsg::PolkaCertificate(polka.clone()));
        check(polka);
        check(LivenessMsg::Vote(vote(NilOrVal::Nil, false)));
        check(LivenessMsg::SkipRoundCertificate(RoundCertificate {
            height: Height(3),
            round: Round::new(4),
            cert_type: RoundCertificateType::Skip,
            round_signatures: vec![RoundSignature {
                vote_type: VoteType::Prevote,
                value_id: NilOrVal::Nil,
                address: addr(6),
                signature: Signature([6; 65]),
            }],
        }));
        check(ValidatorProof::<NumoContext>::new(vec![2; 33], vec![7; 38], Signature([8; 65])));
        check(ProposedValue::<NumoContext> {
            height: Height(2),
            round: Round::new(0),
            valid_round: Round::Nil,
            proposer: addr(7),
            value: Value(B256::repeat_byte(2)),
            validity: Validity::Invalid,
        });
        let peer = Keypair::ed25519_from_bytes([1; 32]).unwrap().public().to_peer_id();
        let peer_id = PeerId::from_bytes(&peer.to_bytes()).unwrap();
        check(Status::<NumoContext> { peer_id, tip_height: Height(10), history_min_height: Height(1) });
        check(Request::ValueRequest(SyncValueRequest::new(Height(3)..=Height(8))));
        let value = RawDecidedValue::new(Bytes::from_static(b"block"), commit());
        check(Response::ValueResponse(SyncValueResponse::new(Height(9), vec![value])));
    }

    #[test]
    fn forged_counts_and_rounds_are_refused() {
        // A sync response claiming 2^32-1 values in a few bytes: refused before allocating.
        let mut w = Writer::default();
        w.u8(0);
        w.u64(1);
        w.u32(u32::MAX);
        let err = Codec::<Response<NumoContext>>::decode(&NumoCodec, w.finish()).unwrap_err();
        assert_eq!(err.code(), "codec_truncated");
        // A round beyond u32 is invalid, not a panic in Malachite's `Round::from(i64)`.
        let mut w = Writer::default();
        w.u8(2);
        w.u64(1);
        w.0.extend_from_slice(&(1i64 << 40).to_be_bytes());
        let err = Codec::<LivenessMsg<NumoContext>>::decode(&NumoCodec, w.finish()).unwrap_err();
        assert_eq!(err, CodecError::Invalid("round"));
        let err = Codec::<ProposalPart>::decode(&NumoCodec, Bytes::from_static(&[9])).unwrap_err();
        assert_eq!(err, CodecError::UnknownTag { what: "proposal part", tag: 9 });
    }
}
