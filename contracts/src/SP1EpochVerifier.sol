// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IEpochVerifier} from "./IEpochVerifier.sol";

/// @notice The standard SP1 verifier interface (the SP1 verifier gateway or a versioned verifier).
/// @dev Declared here to avoid a dependency; reverts unless the proof is valid.
interface ISP1Verifier {
    function verifyProof(bytes32 programVKey, bytes calldata publicValues, bytes calldata proofBytes) external view;
}

/// @title SP1EpochVerifier
/// @notice Authorises an epoch with one SP1 proof per batch (docs/PROTOCOL.md §11, F12, F13).
/// @dev `proof` = `abi.encode(bytes[] proofs)`, one SP1 proof per batch of the epoch, in epoch order.
///      The public values of batch i are its public-input bytes (272 B trading, section B; 400 B
///      funding, F11) without the kind byte, exactly what the numo SP1 program commits (F12).
///      Each is checked with `ISP1Verifier.verifyProof(programVKey, publicValues, proofs[i])`.
///      The epoch digest is not needed: every public input is bound by its own proof, and the
///      bridge itself checks that the epoch continues its settled state (F13).
///      NOT EXERCISED WITH REAL PROOFS OFFLINE: the test suite has no real SP1 verifier nor SP1
///      proofs (they need the SP1 toolchain and its network artifacts). `contracts/ci.sh` only runs
///      this adapter against a test mock (`test/solidity/MockSP1Verifier.sol`) that checks the
///      public values and key it is given, i.e. the epoch splitting, not the cryptography.
contract SP1EpochVerifier is IEpochVerifier {
    /// The epoch is empty or its bytes do not split into whole batches of a known kind.
    error MalformedEpoch(uint256 offset);
    /// The number of proofs differs from the number of batches.
    error ProofCountMismatch(uint256 batches, uint256 proofs);
    error ZeroVerifier();

    uint256 private constant TRADING_PI_LEN = 272;
    uint256 private constant FUNDING_PI_LEN = 400;
    uint256 private constant EVM_PI_LEN = 225;

    ISP1Verifier public immutable sp1Verifier;
    bytes32 public immutable programVKey;

    constructor(address sp1Verifier_, bytes32 programVKey_) {
        if (sp1Verifier_ == address(0)) revert ZeroVerifier();
        sp1Verifier = ISP1Verifier(sp1Verifier_);
        programVKey = programVKey_;
    }

    /// @inheritdoc IEpochVerifier
    function verifyEpoch(bytes32, bytes calldata epoch, bytes calldata proof) external view returns (bool) {
        bytes[] memory proofs = abi.decode(proof, (bytes[]));
        uint256 off = 0;
        uint256 n = 0;
        if (epoch.length == 0) revert MalformedEpoch(0);
        while (off < epoch.length) {
            uint8 kind = uint8(epoch[off]);
            uint256 len;
            if (kind == 1) len = TRADING_PI_LEN;
            else if (kind == 2) len = FUNDING_PI_LEN;
            else if (kind == 3) len = EVM_PI_LEN;
            else revert MalformedEpoch(off);
            if (epoch.length - off - 1 < len) revert MalformedEpoch(off);
            if (n >= proofs.length) revert ProofCountMismatch(n + 1, proofs.length);
            sp1Verifier.verifyProof(programVKey, epoch[off + 1:off + 1 + len], proofs[n]);
            off += 1 + len;
            n++;
        }
        if (n != proofs.length) revert ProofCountMismatch(n, proofs.length);
        return true;
    }
}
