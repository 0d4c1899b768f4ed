//! The SP1 program of NUMO: re-executes one batch from its witness blob and commits its public
//! inputs as the proof's public values (F12).
//!
//! Input: `U8 kind` as a one-byte `read_vec` buffer, then the blob as a second buffer. Kind 1
//! is a trading batch (C22 blob, 272-byte PublicInputs of section B); kind 2 a funding batch
//! (F12 blob, 400-byte funding public inputs of F11); kind 3 an EVM batch — an EVM block or a
//! system batch (E11 blob, 225-byte public inputs of E10), executed by revm as on the node.
//! Any other kind, or a batch-invalid blob, panics, so the program fails and no proof of it
//! can exist. Keccak and signature recovery run on SP1's precompiles through numo-core's
//! crypto seam. Each phase of a trading batch, and an EVM batch as a whole, is marked for
//! SP1's cycle tracker (`numo prove --mode execute` prints the regions).

#![no_main]
sp1_zkvm::entrypoint!(main);

use numo_guest::funding::FundingInput;
use numo_guest::kind::BatchKind;
use numo_guest::{GuestInput, Phase, PhaseProbe};

/// Marks guest phases as `cycle-tracker-report` regions.
struct CycleTracker;

impl PhaseProbe for CycleTracker {
    fn enter(&mut self, phase: Phase) {
        println!("cycle-tracker-report-start: {}", phase.name());
    }

    fn leave(&mut self, phase: Phase) {
        println!("cycle-tracker-report-end: {}", phase.name());
    }
}

fn main() {
    let kind = sp1_zkvm::io::read_vec();
    let blob = sp1_zkvm::io::read_vec();
    let kind = match kind.as_slice() {
        [byte] => BatchKind::from_u8(*byte),
        _ => None,
    };
    match kind {
        Some(BatchKind::Trading) => trading(&blob),
        Some(BatchKind::Funding) => funding(&blob),
        Some(BatchKind::Evm) => evm(&blob),
        None => panic!("batch-invalid: the kind is not one byte 1 (trading), 2 (funding) or 3 (evm)"),
    }
}

/// Kind 1: the C22 blob, 272 bytes committed.
fn trading(blob: &[u8]) {
    println!("cycle-tracker-report-start: decode");
    let input = GuestInput::decode(blob).map_err(numo_stf::BatchError::from);
    println!("cycle-tracker-report-end: decode");
    let output = input.and_then(|input| numo_guest::run_input_probed(&input, &mut CycleTracker));
    match output {
        Ok(output) => sp1_zkvm::io::commit_slice(&output.public_inputs.encode()),
        Err(error) => panic!("batch-invalid: {error}"),
    }
}

/// Kind 2: the F12 blob, 400 bytes committed.
fn funding(blob: &[u8]) {
    println!("cycle-tracker-report-start: decode");
    let input = FundingInput::decode(blob);
    println!("cycle-tracker-report-end: decode");
    let input = match input {
        Ok(input) => input,
        Err(error) => panic!("batch-invalid: malformed input: {error}"),
    };
    println!("cycle-tracker-report-start: funding");
    let output = numo_guest::funding::run_funding_input(&input);
    println!("cycle-tracker-report-end: funding");
    match output {
        Ok(output) => sp1_zkvm::io::commit_slice(&output.public_inputs.encode()),
        Err(error) => panic!("batch-invalid: {error}"),
    }
}

/// Kind 3: the E11 blob, 225 bytes committed.
fn evm(blob: &[u8]) {
    println!("cycle-tracker-report-start: evm");
    let output = numo_guest::evm::run_evm(blob);
    println!("cycle-tracker-report-end: evm");
    match output {
        Ok(output) => sp1_zkvm::io::commit_slice(&output.public_inputs.encode()),
        Err(error) => panic!("batch-invalid: {error}"),
    }
}
