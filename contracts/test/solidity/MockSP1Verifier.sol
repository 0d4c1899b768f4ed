// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Test-only stand-in for an SP1 verifier: a "proof" is keccak256(programVKey ‖ publicValues).
///         It checks that SP1EpochVerifier passes each batch's exact public values and key; it proves nothing.
contract MockSP1Verifier {
    error MockProofRejected(bytes32 programVKey, bytes publicValues);

    function verifyProof(bytes32 programVKey, bytes calldata publicValues, bytes calldata proofBytes) external pure {
        if (proofBytes.length != 32 || bytes32(proofBytes) != keccak256(abi.encodePacked(programVKey, publicValues))) {
            revert MockProofRejected(programVKey, publicValues);
        }
    }
}
