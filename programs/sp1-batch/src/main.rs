//! The SP1 program of NUMO: re-executes one batch from its C22 witness blob and commits its
//! 272-byte PublicInputs (section B) as the proof's public values.
//!
//! A batch-invalid blob panics, so the program fails and no proof of it can exist. Keccak and
//! signature recovery run on SP1's precompiles through numo-stf's crypto seam.

#![no_main]
sp1_zkvm::entrypoint!(main);

fn main() {
    let blob = sp1_zkvm::io::read_vec();
    match numo_guest::run(&blob) {
        Ok(output) => sp1_zkvm::io::commit_slice(&output.public_inputs.encode()),
        Err(error) => panic!("batch-invalid: {error}"),
    }
}
