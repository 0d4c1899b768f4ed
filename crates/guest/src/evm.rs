//! The EVM guest (docs/PROTOCOL.md E10, E11): re-executes one EVM batch — a system batch
//! (phase 1) or an EVM block (phase 2) — from its witness blob with numo-evm over the proven
//! state, and outputs its 225-byte [`EvmPublicInputs`].
//!
//! Layout (E11, with `prevRoot` after the phase: the proofs need the root they are checked
//! against, as in C22 part 1 and F12):
//! `U8 phase ‖ B32 prevRoot ‖ U64 chainId ‖ B32 venueId ‖ U32 m ‖ m × (B32 marketId ‖ Rules) ‖
//! U64 height ‖ U64 batchSeq ‖ U64 timestampMs ‖ B32 parentHash ‖ U32 n ‖ n × (U32 len ‖ tx)`,
//! then `U32 proofCount` and the proofs as C22 part 5. Phase 1 has `n = 0`.

use crate::input::{read_proof, ProofEntry, MIN_PROOF_LEN};
use crate::witness::WitnessState;
use alloc::vec::Vec;
use alloy_primitives::B256;
use numo_core::codec::{DecodeError, Reader, Writer};
use numo_core::TouchLog;
use numo_evm::limits::EVM_MAX_TX_BYTES;
use numo_evm::{
    execute_evm_block, execute_system_batch, EvmBlockReport, EvmEnv, EvmError, EvmPhase, EvmPublicInputs, EvmVenue,
    SystemReport,
};
use numo_stf::{MarketContext, Rules};

/// Size of one market context in the input: `B32 marketId ‖ Rules`.
const MARKET_LEN: usize = 32 + 208;

/// What is known before execution (everything but the transactions and the proofs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmHeader {
    /// System batch or block.
    pub phase: EvmPhase,
    /// Root the proofs are checked against.
    pub prev_root: B256,
    /// The venue: chain id, venue id, markets.
    pub venue: EvmVenue,
    /// The exchange block the batch runs in (its height, timestamp and parent hash).
    pub env: EvmEnv,
    /// Venue-global batch number.
    pub batch_seq: u64,
}

/// A decoded EVM guest input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmInput<'a> {
    /// Everything before the transactions.
    pub header: EvmHeader,
    /// The block's transactions (E3 bytes, entry order); empty for phase 1.
    pub txs: Vec<&'a [u8]>,
    /// Proofs of every touched key against `prevRoot`.
    pub proofs: Vec<ProofEntry<'a>>,
}

/// Reads everything before `U32 proofCount`: the one parser of that part (the guest's decoder
/// and the host's compact witness form both use it).
pub fn read_evm_prefix<'a>(r: &mut Reader<'a>) -> Result<(EvmHeader, Vec<&'a [u8]>), DecodeError> {
    let phase_byte = r.u8()?;
    let phase = EvmPhase::from_u8(phase_byte).ok_or(DecodeError::UnknownMessageType(phase_byte))?;
    let prev_root = r.b32()?;
    let chain_id = r.u64()?;
    let venue_id = r.b32()?;
    let m = r.u32()? as usize;
    let mut markets = Vec::with_capacity(m.min(r.remaining() / MARKET_LEN));
    for _ in 0..m {
        let market_id = r.b32()?;
        let rules = Rules::read(r)?;
        markets.push(MarketContext { chain_id, venue_id, market_id, rules });
    }
    let height = r.u64()?;
    let batch_seq = r.u64()?;
    let timestamp_ms = r.u64()?;
    let parent_hash = r.b32()?;
    let n = r.u32()? as usize;
    let mut txs = Vec::with_capacity(n.min(r.remaining() / 4));
    for _ in 0..n {
        let len = r.u32()? as usize;
        if len > EVM_MAX_TX_BYTES {
            return Err(DecodeError::BadValueLength { expected: EVM_MAX_TX_BYTES, got: len });
        }
        txs.push(r.take(len)?);
    }
    // Markets strictly ascending: the venue is a map, so a duplicate would be dropped silently.
    if markets.windows(2).any(|pair| pair[0].market_id >= pair[1].market_id) {
        return Err(DecodeError::BadValueLength { expected: m, got: m });
    }
    let venue = EvmVenue::new(chain_id, venue_id, markets);
    let env = EvmEnv { chain_id, height, timestamp_ms, parent_hash };
    Ok((EvmHeader { phase, prev_root, venue, env, batch_seq }, txs))
}

/// Appends everything before `U32 proofCount`.
pub fn write_evm_prefix(w: &mut Writer, header: &EvmHeader, txs: &[&[u8]]) {
    w.u8(header.phase as u8).b32(&header.prev_root).u64(header.venue.chain_id).b32(&header.venue.venue_id);
    w.u32(header.venue.markets.len() as u32);
    for (id, ctx) in &header.venue.markets {
        w.b32(id);
        ctx.rules.write(w);
    }
    w.u64(header.env.height).u64(header.batch_seq).u64(header.env.timestamp_ms).b32(&header.env.parent_hash);
    w.u32(txs.len() as u32);
    for tx in txs {
        w.u32(tx.len() as u32).bytes(tx);
    }
}

impl<'a> EvmInput<'a> {
    /// Strict decode of a whole blob.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let (header, txs) = read_evm_prefix(&mut r)?;
        let proof_count = r.u32()? as usize;
        let mut proofs = Vec::with_capacity(proof_count.min(r.remaining() / MIN_PROOF_LEN));
        for _ in 0..proof_count {
            proofs.push(read_proof(&mut r)?);
        }
        r.finish()?;
        Ok(Self { header, txs, proofs })
    }

    /// Encodes the blob; `decode(encode(x)) == x`.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        write_evm_prefix(&mut w, &self.header, &self.txs);
        w.u32(self.proofs.len() as u32);
        for proof in &self.proofs {
            let value = proof.value.unwrap_or_default();
            w.b32(&proof.key).u32(value.len() as u32).bytes(value).bytes(proof.siblings);
        }
        w.into_bytes()
    }
}

/// What an EVM batch reported.
#[derive(Debug, Clone)]
pub enum EvmBatchReport {
    /// A system batch's outcomes and trades.
    System(alloc::boxed::Box<SystemReport>),
    /// A block's header, receipts and skipped transactions.
    Block(alloc::boxed::Box<EvmBlockReport>),
}

impl EvmBatchReport {
    /// The batch's accesses (C23).
    pub fn touched(&self) -> &TouchLog {
        match self {
            EvmBatchReport::System(report) => &report.touched,
            EvmBatchReport::Block(report) => &report.touched,
        }
    }
}

/// The EVM guest's result.
#[derive(Debug, Clone)]
pub struct EvmOutput {
    /// E10 public inputs.
    pub public_inputs: EvmPublicInputs,
    /// What the batch did.
    pub report: EvmBatchReport,
}

/// Executes the batch `header` describes over `state` (the host's overlay or the guest's
/// witness), recording into `touched`: the one execution host and guest share.
pub fn execute_evm_batch<S: numo_evm::RootedState>(
    state: &mut S,
    header: &EvmHeader,
    txs: &[&[u8]],
    touched: TouchLog,
) -> Result<EvmBatchReport, EvmError> {
    match header.phase {
        EvmPhase::System if !txs.is_empty() => Err(EvmError::Input("a system batch carries no transactions")),
        EvmPhase::System => {
            let report = execute_system_batch(state, &header.venue, touched)?;
            Ok(EvmBatchReport::System(alloc::boxed::Box::new(report)))
        }
        EvmPhase::Block => {
            let report = execute_evm_block(state, &header.env, &header.venue, txs, touched)?;
            Ok(EvmBatchReport::Block(alloc::boxed::Box::new(report)))
        }
    }
}

/// E10 from the header, the new root and the report.
pub fn evm_public_inputs(header: &EvmHeader, new_root: B256, report: &EvmBatchReport) -> EvmPublicInputs {
    let (input_digest, output_digest, count) = match report {
        EvmBatchReport::System(r) => (r.input_digest, r.trades_root(), r.messages.len() as u64),
        EvmBatchReport::Block(r) => (r.input_digest, r.hash, r.executed.len() as u64),
    };
    EvmPublicInputs {
        phase: header.phase,
        chain_id: header.venue.chain_id,
        height: header.env.height,
        batch_seq: header.batch_seq,
        prev_root: header.prev_root,
        new_root,
        input_digest,
        output_digest,
        context_digest: header.venue.context_digest(),
        touched_keys_digest: report.touched().digest(),
        count,
    }
}

/// Runs the EVM guest on an E11 blob.
pub fn run_evm(blob: &[u8]) -> Result<EvmOutput, EvmError> {
    run_evm_input(&EvmInput::decode(blob)?)
}

/// Runs the EVM guest on a decoded input: the markets' Rules (C11), every proof against
/// `prevRoot`, the execution, the new root.
pub fn run_evm_input(input: &EvmInput<'_>) -> Result<EvmOutput, EvmError> {
    let header = &input.header;
    if header.venue.markets.values().any(|ctx| ctx.rules.validate().is_err()) {
        return Err(EvmError::BadRules);
    }
    let mut witness = WitnessState::from_proofs(header.prev_root, &input.proofs).map_err(EvmError::Witness)?;
    let report = execute_evm_batch(&mut witness, header, &input.txs, TouchLog::digest_only())?;
    let new_root = witness.root().map_err(EvmError::Witness)?;
    Ok(EvmOutput { public_inputs: evm_public_inputs(header, new_root, &report), report })
}
