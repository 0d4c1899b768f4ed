//! The guest input blob of C22 (section G): strict decoding (no trailing bytes, typed errors,
//! never a panic) and the matching encoder used by the host.
//!
//! Layout:
//! 1. `prevRoot ‖ batchDigest ‖ rulesHash ‖ domainSeparator ‖ U64 batchSeq ‖ U64 batchTimestamp ‖ daCommitment`
//! 2. `U64 chainId ‖ B32 venueId ‖ B32 marketId`
//! 3. Rules (208 bytes)
//! 4. `U32 messageCount`, then per message: bytes ‖ sig65 ‖ (Place only) hints
//! 5. `U32 proofCount`, then per proof: `B32 key ‖ U32 valueLen ‖ value ‖ 256 × B32 siblings`

use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::limits::SIGNATURE_LEN;
use numo_smt::SIBLINGS_BYTES;
use numo_stf::limits::CANCEL_LEN;
use numo_stf::{MarketContext, Message, Rules, Signature, SignedMessage, TickHints};

/// Part 1 of the input: the public inputs known before execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchHeader {
    /// Root the proofs are checked against.
    pub prev_root: B256,
    /// Claimed `batchDigest`, recomputed by the guest.
    pub batch_digest: B256,
    /// Claimed `rulesHash`, recomputed by the guest.
    pub rules_hash: B256,
    /// Claimed `domainSeparator`, recomputed by the guest.
    pub domain_separator: B256,
    /// Venue-global batch number (C19).
    pub batch_seq: u64,
    /// Unix milliseconds (C19).
    pub batch_timestamp: u64,
    /// Claimed `daCommitment` (C20), recomputed by the guest.
    pub da_commitment: B256,
}

/// One state proof: a key, its value (`None` proves absence) and 256 leaf-first siblings.
/// Borrowed from the blob so the guest copies nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofEntry<'a> {
    /// The state key.
    pub key: B256,
    /// The value bytes, `None` for `valueLen = 0`.
    pub value: Option<&'a [u8]>,
    /// 8192 bytes of siblings, leaf-first (C7).
    pub siblings: &'a [u8],
}

/// A decoded guest input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestInput<'a> {
    /// Part 1.
    pub header: BatchHeader,
    /// Parts 2 and 3.
    pub context: MarketContext,
    /// Part 4: messages with signatures.
    pub messages: Vec<SignedMessage>,
    /// Part 4: hints per message (all `None` for a Cancel).
    pub hints: Vec<TickHints>,
    /// Part 5.
    pub proofs: Vec<ProofEntry<'a>>,
}

/// Smallest encoded message (a Cancel with its signature): bounds pre-allocation so a huge
/// `messageCount` in a short blob cannot make the decoder allocate.
const MIN_MESSAGE_LEN: usize = CANCEL_LEN + SIGNATURE_LEN;
/// Smallest encoded proof (absent value).
pub(crate) const MIN_PROOF_LEN: usize = 32 + 4 + SIBLINGS_BYTES;

impl<'a> GuestInput<'a> {
    /// Decodes a whole blob; any deviation from C22 is a [`DecodeError`] (batch-invalid, C11).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let InputPrefix { header, context, messages, hints } = read_prefix(&mut r)?;
        let proof_count = r.u32()? as usize;
        let mut proofs = Vec::with_capacity(proof_count.min(r.remaining() / MIN_PROOF_LEN));
        for _ in 0..proof_count {
            proofs.push(read_proof(&mut r)?);
        }
        r.finish()?;
        Ok(Self { header, context, messages, hints, proofs })
    }

    /// Encodes the blob (the host side of C22). `decode(encode(x)) == x`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let h = &self.header;
        w.b32(&h.prev_root).b32(&h.batch_digest).b32(&h.rules_hash).b32(&h.domain_separator);
        w.u64(h.batch_seq).u64(h.batch_timestamp).b32(&h.da_commitment);
        w.u64(self.context.chain_id).b32(&self.context.venue_id).b32(&self.context.market_id);
        self.context.rules.write(&mut w);
        w.u32(self.messages.len() as u32);
        for (index, signed) in self.messages.iter().enumerate() {
            signed.message.write(&mut w);
            w.bytes(&signed.signature.0);
            if let Message::Place(_) = signed.message {
                self.hints.get(index).copied().unwrap_or_default().write(&mut w);
            }
        }
        w.u32(self.proofs.len() as u32);
        for proof in &self.proofs {
            let value = proof.value.unwrap_or_default();
            w.b32(&proof.key).u32(value.len() as u32).bytes(value).bytes(proof.siblings);
        }
        w.into_bytes()
    }
}

/// Parts 1–4 of an input: everything before `U32 proofCount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPrefix {
    /// Part 1.
    pub header: BatchHeader,
    /// Parts 2 and 3.
    pub context: MarketContext,
    /// Part 4: messages with signatures.
    pub messages: Vec<SignedMessage>,
    /// Part 4: hints per message (all `None` for a Cancel).
    pub hints: Vec<TickHints>,
}

/// Reads parts 1–4 of C22 and leaves `r` at `U32 proofCount`. The one parser of those parts:
/// [`GuestInput::decode`] and the host's compact witness form (which keeps parts 1–4 byte for
/// byte and must find their end exactly where the guest does) both read them here.
pub fn read_prefix(r: &mut Reader<'_>) -> Result<InputPrefix, DecodeError> {
    let header = read_header(r)?;
    let context = MarketContext { chain_id: r.u64()?, venue_id: r.b32()?, market_id: r.b32()?, rules: Rules::read(r)? };
    let message_count = r.u32()? as usize;
    let mut messages = Vec::with_capacity(message_count.min(r.remaining() / MIN_MESSAGE_LEN));
    let mut hints = Vec::with_capacity(messages.capacity());
    for _ in 0..message_count {
        let message = Message::read(r)?;
        let signature = Signature::read(r)?;
        hints.push(match message {
            Message::Place(_) => TickHints::read(r)?,
            Message::Cancel(_) => TickHints::default(),
        });
        messages.push(SignedMessage { message, signature });
    }
    Ok(InputPrefix { header, context, messages, hints })
}

fn read_header(r: &mut Reader<'_>) -> Result<BatchHeader, DecodeError> {
    Ok(BatchHeader {
        prev_root: r.b32()?,
        batch_digest: r.b32()?,
        rules_hash: r.b32()?,
        domain_separator: r.b32()?,
        batch_seq: r.u64()?,
        batch_timestamp: r.u64()?,
        da_commitment: r.b32()?,
    })
}

pub(crate) fn read_proof<'a>(r: &mut Reader<'a>) -> Result<ProofEntry<'a>, DecodeError> {
    let key = r.b32()?;
    let value_len = r.u32()? as usize;
    let value = r.take(value_len)?;
    let siblings = r.take(SIBLINGS_BYTES)?;
    Ok(ProofEntry { key, value: (value_len > 0).then_some(value), siblings })
}
