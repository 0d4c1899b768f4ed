//! What numo-prover does without the SP1 host: the native public inputs every proof is checked
//! against, the ELF lookup, and the `sp1`-feature error.

use numo_prover::{native_public_inputs, native_public_inputs_kind, BatchKind, ProofMode, ProverError};
use std::path::{Path, PathBuf};

fn vector(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/vectors/batches").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.strip_prefix("0x").unwrap();
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn native_public_inputs_are_the_vectors_expected_bytes() {
    for name in ["batch_1_plain_cross.json", "batch_2_rejects_and_cancel.json", "batch_3_multifill_fees_hints.json"] {
        let vector = vector(name);
        let blob = unhex(vector["guestInput"].as_str().unwrap());
        let expected = unhex(vector["expectedPublicInputs"].as_str().unwrap());
        assert_eq!(native_public_inputs(&blob).unwrap(), expected, "{name}");
    }
    assert!(native_public_inputs(&[0u8; 10]).is_err());
}

/// F12: the native run of either kind is what a proof of that kind must commit: 272 bytes for
/// a trading blob, 400 for a funding blob; a blob given as the other kind is refused.
#[test]
fn native_public_inputs_of_each_kind() {
    let vector = vector("batch_1_plain_cross.json");
    let trading = unhex(vector["guestInput"].as_str().unwrap());
    let expected = unhex(vector["expectedPublicInputs"].as_str().unwrap());
    assert_eq!(native_public_inputs_kind(BatchKind::Trading, &trading).unwrap(), expected);
    assert_eq!(native_public_inputs_kind(BatchKind::Funding, &trading).unwrap_err().code(), "malformed");

    use alloy_primitives::{Address, B256, U256};
    use numo_funding::{AssetRule, Deposit, FundingContext, FundingMessage};
    let asset_id = B256::repeat_byte(0xba);
    let ctx = FundingContext {
        chain_id: 1,
        venue_id: B256::repeat_byte(0x5e),
        assets: vec![AssetRule { asset_id, max_balance: U256::from(1_000u64) }],
    };
    let deposit = FundingMessage::Deposit(Deposit {
        index: 0,
        asset_id,
        from: Address::repeat_byte(1),
        to: Address::repeat_byte(2),
        amount: U256::from(5u64),
    });
    let mut state = numo_host::FullState::new();
    let built = numo_host::build_funding_batch(
        &mut state,
        &ctx,
        1,
        0,
        vec![deposit],
        numo_host::Signatures::Check,
        numo_host::WitnessForm::Full,
    )
    .unwrap();
    let public_inputs = native_public_inputs_kind(BatchKind::Funding, &built.blob).unwrap();
    assert_eq!(public_inputs.len(), 400);
    assert_eq!(public_inputs, built.public_inputs.to_vec());
    assert!(native_public_inputs_kind(BatchKind::Trading, &built.blob).is_err());
}

#[test]
fn a_missing_elf_names_the_build_script() {
    let error = numo_prover::read_elf(Path::new("/nonexistent/numo.elf")).unwrap_err();
    assert!(matches!(error, ProverError::Elf { .. }));
    assert!(error.to_string().contains("scripts/build-sp1-program.sh"), "{error}");
}

#[test]
fn without_the_feature_sp1_operations_say_how_to_rebuild() {
    if numo_prover::SP1_ENABLED {
        return;
    }
    let out = Path::new("/nonexistent/proof");
    let errors = [
        numo_prover::execute(b"elf", b"blob").unwrap_err(),
        numo_prover::prove(b"elf", b"blob", ProofMode::Core, out).unwrap_err(),
        numo_prover::execute_kind(b"elf", BatchKind::Funding, b"blob").unwrap_err(),
        numo_prover::prove_kind(b"elf", BatchKind::Funding, b"blob", ProofMode::Core, out).unwrap_err(),
        numo_prover::verify(b"elf", out).unwrap_err(),
        numo_prover::verifying_key_hash(b"elf").unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, ProverError::Sp1Disabled));
        assert!(error.to_string().contains("--features sp1"));
    }
}
