//! The system contract's code in numo-evm is the compiled `contracts/evm/NumoSystem.sol`
//! (`contracts/build.mjs` keeps the artifact fresh; this keeps the Rust copy equal to it).

use numo_evm::system_code::SYSTEM_CONTRACT_CODE;

#[test]
fn the_system_contract_code_is_the_compiled_numo_system() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../contracts/artifacts/evm/NumoSystem.json");
    let artifact: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let hex = artifact["deployedBytecode"].as_str().unwrap().trim_start_matches("0x");
    let code = alloy_primitives::hex::decode(hex).unwrap();
    assert_eq!(SYSTEM_CONTRACT_CODE, code.as_slice(), "regenerate crates/evm/src/system_code.rs from the artifact");
}
