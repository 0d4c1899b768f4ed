//! Typed bindings of the L1 contracts, generated from their compiled artifacts.
//!
//! The artifacts (`contracts/artifacts/*.json`: `contractName`, `abi`, `bytecode`) are what the
//! contracts build commits, so the Rust side can never drift from the Solidity ABI of
//! docs/BRIDGE.md: a renamed function or event breaks this crate's build. `sol!` embeds each
//! artifact's bytecode, which [`crate::deploy`] uses; [`decode_revert`] maps revert data back to
//! the custom error's name using the same ABIs.

use std::sync::OnceLock;

use alloy::json_abi::JsonAbi;
use alloy::primitives::{hex, U256};
use alloy::sol;
use alloy::sol_types::SolValue;

sol!(
    /// The bridge (docs/BRIDGE.md): deposit and forced queues (F5), settlement (F13), claims,
    /// freeze and escape (F14).
    #[allow(missing_docs)]
    #[sol(rpc)]
    #[derive(Debug)]
    NumoBridge,
    "../../contracts/artifacts/NumoBridge.json"
);

sol!(
    /// The committee epoch verifier: k signatures over the epoch digest (F13).
    #[allow(missing_docs)]
    #[sol(rpc)]
    #[derive(Debug)]
    CommitteeVerifier,
    "../../contracts/artifacts/CommitteeVerifier.json"
);

sol!(
    /// The owner-mintable ERC20 of dev deployments.
    #[allow(missing_docs)]
    #[sol(rpc)]
    #[derive(Debug)]
    DevToken,
    "../../contracts/artifacts/DevToken.json"
);

/// The artifact JSON of each contract, embedded for [`decode_revert`].
const ARTIFACTS: [&str; 4] = [
    include_str!("../../../contracts/artifacts/NumoBridge.json"),
    include_str!("../../../contracts/artifacts/CommitteeVerifier.json"),
    include_str!("../../../contracts/artifacts/DevToken.json"),
    include_str!("../../../contracts/artifacts/SP1EpochVerifier.json"),
];

/// `(selector, name)` of every custom error of the four contracts (OpenZeppelin's included, e.g.
/// `ERC20InsufficientBalance`), parsed once from the artifacts.
fn error_table() -> &'static [([u8; 4], String)] {
    static TABLE: OnceLock<Vec<([u8; 4], String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Vec::new();
        for artifact in ARTIFACTS {
            #[derive(serde::Deserialize)]
            struct Artifact {
                abi: JsonAbi,
            }
            // The artifacts are compiled in; one that does not parse is a build defect that
            // the crate's tests catch, so it only loses the names here.
            let Ok(parsed) = serde_json::from_str::<Artifact>(artifact) else { continue };
            for error in parsed.abi.errors() {
                table.push((error.selector().0, error.name.clone()));
            }
        }
        table
    })
}

/// The name of the error revert `data` encodes: a custom error's name (`BatchSeqGap`,
/// `BadSignature`, …), `Error(string)`'s reason, `Panic(0x..)`, or the raw data in hex when none
/// matches — so a refused settlement says why without a Solidity debugger.
pub fn decode_revert(data: &[u8]) -> String {
    const ERROR_STRING: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
    const PANIC: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];
    let Some(selector) = data.get(..4) else {
        return format!("0x{}", hex::encode(data));
    };
    if selector == ERROR_STRING {
        if let Ok(reason) = String::abi_decode(&data[4..]) {
            return reason;
        }
    }
    if selector == PANIC {
        if let Ok(code) = U256::abi_decode(&data[4..]) {
            return format!("Panic(0x{code:x})");
        }
    }
    error_table()
        .iter()
        .find(|(s, _)| s == selector)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| format!("0x{}", hex::encode(data)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    #[test]
    fn every_artifact_parses_and_names_its_errors() {
        let names: Vec<&str> = error_table().iter().map(|(_, n)| n.as_str()).collect();
        for expected in ["BatchSeqGap", "BadProof", "BadSignature", "ERC20InsufficientBalance"] {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
    }

    #[test]
    fn decodes_custom_errors_reasons_and_unknown_data() {
        let gap = NumoBridge::BatchSeqGap { expected: 1, got: 3 }.abi_encode();
        assert_eq!(decode_revert(&gap), "BatchSeqGap");
        let mut reason = ERROR_STRING_SELECTOR.to_vec();
        reason.extend("nope".to_string().abi_encode());
        assert_eq!(decode_revert(&reason), "nope");
        assert_eq!(decode_revert(&[1, 2, 3, 4, 5]), "0x0102030405");
        assert_eq!(decode_revert(&[]), "0x");
    }

    const ERROR_STRING_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
}
