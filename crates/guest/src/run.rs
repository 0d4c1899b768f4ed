//! The guest program in named phases: decode, check the batch, load the witness, execute,
//! commit. [`run`] is what an SP1 entrypoint wraps and what any verifier runs natively.

use crate::input::{BatchHeader, GuestInput};
use crate::witness::WitnessState;
use alloy_primitives::B256;
use numo_core::{PublicInputs, TouchLog};
use numo_stf::{execute_messages, validate_batch, BatchError, BatchReport, GivenHints};

/// The guest's result: the public inputs plus what a debugger wants to see.
#[derive(Debug, Clone)]
pub struct GuestOutput {
    /// The 272-byte public inputs (section B).
    pub public_inputs: PublicInputs,
    /// Outcomes, trades, fees and the section H touched-keys log.
    pub report: BatchReport,
}

/// Runs the guest on a C22 blob.
pub fn run(blob: &[u8]) -> Result<GuestOutput, BatchError> {
    run_input(&GuestInput::decode(blob)?)
}

/// Runs the guest on a decoded input.
pub fn run_input(input: &GuestInput<'_>) -> Result<GuestOutput, BatchError> {
    run_input_probed(input, &mut ())
}

/// The phases of [`run_input`], in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// C11: Rules, count, signatures and the header's commitments.
    CheckCommitments,
    /// Every proof verified against `prevRoot`.
    LoadWitness,
    /// The messages executed (C9–C18).
    Execute,
    /// The new root over the changed keys.
    Reroot,
}

impl Phase {
    /// A short stable name (the SP1 program's cycle-tracker labels).
    pub fn name(self) -> &'static str {
        match self {
            Phase::CheckCommitments => "check_commitments",
            Phase::LoadWitness => "load_witness",
            Phase::Execute => "execute",
            Phase::Reroot => "reroot",
        }
    }
}

/// Observes the phases of a run, e.g. to count zkVM cycles per phase. `()` observes nothing.
pub trait PhaseProbe {
    /// Called when `phase` starts.
    fn enter(&mut self, _phase: Phase) {}
    /// Called when `phase` ends, also when it fails.
    fn leave(&mut self, _phase: Phase) {}
}

impl PhaseProbe for () {}

/// [`run_input`] reporting each phase to `probe`.
pub fn run_input_probed(input: &GuestInput<'_>, probe: &mut impl PhaseProbe) -> Result<GuestOutput, BatchError> {
    in_phase(probe, Phase::CheckCommitments, || check_commitments(input))?;
    let mut witness =
        in_phase(probe, Phase::LoadWitness, || WitnessState::from_proofs(input.header.prev_root, &input.proofs))?;
    let mut hints = GivenHints(&input.hints);
    let report = in_phase(probe, Phase::Execute, || {
        execute_messages(&input.context, &mut witness, &input.messages, &mut hints, TouchLog::digest_only())
    })?;
    let new_root = in_phase(probe, Phase::Reroot, || witness.root())?;
    Ok(GuestOutput { public_inputs: public_inputs(&input.header, new_root, &report), report })
}

fn in_phase<T>(probe: &mut impl PhaseProbe, phase: Phase, work: impl FnOnce() -> T) -> T {
    probe.enter(phase);
    let result = work();
    probe.leave(phase);
    result
}

/// C11: Rules, count and signatures, then every claimed commitment against its recomputation.
fn check_commitments(input: &GuestInput<'_>) -> Result<(), BatchError> {
    let header = &input.header;
    let computed = validate_batch(&input.context, header.batch_seq, &input.messages)?;
    compare(header.domain_separator, computed.domain_separator, |given, computed| {
        BatchError::DomainSeparatorMismatch { given, computed }
    })?;
    compare(header.rules_hash, computed.rules_hash, |given, computed| BatchError::RulesHashMismatch {
        given,
        computed,
    })?;
    compare(header.batch_digest, computed.batch_digest, |given, computed| BatchError::BatchDigestMismatch {
        given,
        computed,
    })?;
    compare(header.da_commitment, computed.da_commitment, |given, computed| BatchError::DaCommitmentMismatch {
        given,
        computed,
    })
}

fn compare(given: B256, computed: B256, error: impl FnOnce(B256, B256) -> BatchError) -> Result<(), BatchError> {
    if given == computed {
        Ok(())
    } else {
        Err(error(given, computed))
    }
}

/// Section B from the header, the new root and the execution report.
pub fn public_inputs(header: &BatchHeader, new_root: B256, report: &BatchReport) -> PublicInputs {
    PublicInputs {
        prev_root: header.prev_root,
        new_root,
        batch_digest: header.batch_digest,
        rules_hash: header.rules_hash,
        domain_separator: header.domain_separator,
        batch_seq: header.batch_seq,
        batch_timestamp: header.batch_timestamp,
        da_commitment: header.da_commitment,
        trades_root: report.trades_root(),
        fees_root: report.fees_root(),
    }
}
