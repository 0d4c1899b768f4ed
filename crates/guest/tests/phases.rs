//! `run_input_probed`: the probe sees every phase once, in order, with the same result as
//! `run`; a failing phase is still closed and no later phase starts.

use alloy_primitives::hex;
use numo_guest::{run_input_probed, GuestInput, Phase, PhaseProbe};
use std::path::PathBuf;

#[derive(Default)]
struct Recorder(Vec<(&'static str, Phase)>);

impl PhaseProbe for Recorder {
    fn enter(&mut self, phase: Phase) {
        self.0.push(("enter", phase));
    }

    fn leave(&mut self, phase: Phase) {
        self.0.push(("leave", phase));
    }
}

fn vector_blob(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/batches").join(name);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    hex::decode(json["guestInput"].as_str().unwrap()).unwrap()
}

#[test]
fn a_valid_batch_goes_through_every_phase_in_order() {
    let blob = vector_blob("batch_3_multifill_fees_hints.json");
    let input = GuestInput::decode(&blob).unwrap();
    let mut recorder = Recorder::default();
    let probed = run_input_probed(&input, &mut recorder).unwrap();
    assert_eq!(probed.public_inputs, numo_guest::run(&blob).unwrap().public_inputs);
    let phases = [Phase::CheckCommitments, Phase::LoadWitness, Phase::Execute, Phase::Reroot];
    let expected: Vec<_> = phases.iter().flat_map(|phase| [("enter", *phase), ("leave", *phase)]).collect();
    assert_eq!(recorder.0, expected);
}

#[test]
fn a_failing_phase_is_closed_and_ends_the_run() {
    let blob = vector_blob("batch_1_plain_cross.json");
    let mut input = GuestInput::decode(&blob).unwrap();
    input.header.batch_digest.0[0] ^= 1;
    let mut recorder = Recorder::default();
    assert!(run_input_probed(&input, &mut recorder).is_err());
    assert_eq!(recorder.0, vec![("enter", Phase::CheckCommitments), ("leave", Phase::CheckCommitments)]);
}
