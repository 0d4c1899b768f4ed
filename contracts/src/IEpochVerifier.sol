// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IEpochVerifier
/// @notice Authorises an epoch of numo batches for `NumoBridge.settle` (docs/PROTOCOL.md §11, F13).
/// @dev The bridge has already checked the epoch's contents (sequence, root chain, queues) before it
///      calls the verifier; the verifier only decides whether `proof` authorises exactly `epoch`.
interface IEpochVerifier {
    /// @notice Reverts or returns false unless `proof` authorises `epoch` (F13).
    /// @param epochDigest keccak256("NUMO_EPOCH_V1" ‖ U256 l1ChainId ‖ ADDR bridge ‖ keccak256(epoch)).
    /// @param epoch The concatenation of `U8 kind ‖ publicInputs` for each batch of the epoch.
    /// @param proof Verifier-specific authorisation (signatures, zk proofs, ...).
    function verifyEpoch(bytes32 epochDigest, bytes calldata epoch, bytes calldata proof) external view returns (bool);
}
