//! The SP1 program of NUMO: re-executes one batch from its C22 witness blob and commits its
//! 272-byte PublicInputs (section B) as the proof's public values.
//!
//! A batch-invalid blob panics, so the program fails and no proof of it can exist. Keccak and
//! signature recovery run on SP1's precompiles through numo-stf's crypto seam. Each phase is
//! marked for SP1's cycle tracker (`numo prove --mode execute` prints the regions).

#![no_main]
sp1_zkvm::entrypoint!(main);

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
    let blob = sp1_zkvm::io::read_vec();
    println!("cycle-tracker-report-start: decode");
    let input = GuestInput::decode(&blob).map_err(numo_stf::BatchError::from);
    println!("cycle-tracker-report-end: decode");
    let output = input.and_then(|input| numo_guest::run_input_probed(&input, &mut CycleTracker));
    match output {
        Ok(output) => sp1_zkvm::io::commit_slice(&output.public_inputs.encode()),
        Err(error) => panic!("batch-invalid: {error}"),
    }
}
