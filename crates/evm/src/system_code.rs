//! E6, E8: the system contract's runtime code — `contracts/evm/NumoSystem.sol` compiled by
//! solc-js (`contracts/build.mjs`, artifact `contracts/artifacts/evm/NumoSystem.json`,
//! `deployedBytecode`). It is ordinary EVM code that only emits the three request events, so
//! Solidity callers need nothing special (a high-level call checks that the target has code)
//! and the EVM itself enforces what a request must be: decodable calldata, no value
//! (nonpayable), not in a static context (no log there), and a `DELEGATECALL` logs from the
//! caller's address, not this one. Every genesis writes it at `SYSTEM_CONTRACT` (E8).
//!
//! A test (`tests/system_code.rs`) checks this copy against the artifact, so a change of the
//! Solidity source cannot leave genesis with stale code.

use alloy_primitives::hex;

/// The runtime code at `0x3333…3333`.
pub const SYSTEM_CONTRACT_CODE: &[u8] = &hex!(
    "608060405234801561000f575f5ffd5b506004361061003f575f3560e01c80632ad2a9f814610043578063a47d9d3314"
    "610058578063a55978df1461006b575b5f5ffd5b610056610051366004610164565b61007e565b005b61005661006636"
    "60046101a5565b6100c8565b6100566100793660046101da565b610103565b604080518381526001600160a01b038316"
    "6020820152849133917fe7ea7b5ad6f0496457ab231a147c2bd3a097e32482fe36a1712568135f38278a910160405180"
    "910390a3505050565b604051818152829033907f615a178f2b02c677cd87afec33e2f580216e9bada44aad6ee76abdfe"
    "54ede2b89060200160405180910390a35050565b6040805160ff878116825286166020820152600385900b8183015260"
    "608101849052608081018390529051879133917fe5b3d4aa78e49993a79b3b8fd3e3bd2bfa925698545de8626d4799dc"
    "880007739181900360a00190a3505050505050565b5f5f5f60608486031215610176575f5ffd5b833592506020840135"
    "915060408401356001600160a01b038116811461019a575f5ffd5b809150509250925092565b5f5f6040838503121561"
    "01b6575f5ffd5b50508035926020909101359150565b803560ff811681146101d5575f5ffd5b919050565b5f5f5f5f5f"
    "5f60c087890312156101ef575f5ffd5b863595506101ff602088016101c5565b945061020d604088016101c5565b9350"
    "60608701358060030b8114610222575f5ffd5b9598949750929560808101359460a090910135935091505056"
);

/// E8: the system contract's nonce in genesis (a deployed contract's, EIP-161).
pub const SYSTEM_CONTRACT_NONCE: u64 = 1;
