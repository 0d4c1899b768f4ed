// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IEpochVerifier} from "./IEpochVerifier.sol";

/// @title CommitteeVerifier
/// @notice Authorises an epoch by signatures of a fixed committee (docs/PROTOCOL.md §11, F13).
/// @dev `proof` is k 65-byte signatures `r ‖ s ‖ v` over the raw `epochDigest` (no EIP-191 prefix),
///      by distinct committee members in strictly ascending address order, k ≥ `threshold`.
///      `v` may be 27/28 or 0/1 (as C11); a high `s` is refused (OpenZeppelin `ECDSA.tryRecover`).
contract CommitteeVerifier is IEpochVerifier {
    /// The committee has no member, or a threshold of 0 or above the member count.
    error BadCommittee();
    /// A member is the zero address or listed twice.
    error BadMember(address member);
    /// `proof` is not a whole number of 65-byte signatures.
    error BadProofLength(uint256 length);
    /// Fewer signatures than the threshold.
    error BelowThreshold(uint256 signatures, uint256 threshold);
    /// Signature number `index` does not recover (bad `v`, high `s`, or no signer).
    error BadSignature(uint256 index);
    /// Signature number `index` recovers to `signer`, which is not a member.
    error NotCommitteeMember(uint256 index, address signer);
    /// Signature number `index` is by `signer`, not strictly above the previous signer (ascending, no duplicates).
    error SignersNotAscending(uint256 index, address signer);

    uint256 private constant SIG_LEN = 65;

    /// @notice Number of valid member signatures an epoch needs.
    uint256 public immutable threshold;
    mapping(address => bool) public isMember;
    address[] private _members;

    constructor(address[] memory members, uint256 threshold_) {
        if (members.length == 0 || threshold_ == 0 || threshold_ > members.length) revert BadCommittee();
        for (uint256 i = 0; i < members.length; i++) {
            address m = members[i];
            if (m == address(0) || isMember[m]) revert BadMember(m);
            isMember[m] = true;
        }
        _members = members;
        threshold = threshold_;
    }

    /// @notice The committee, in the order given at deployment.
    function committee() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc IEpochVerifier
    /// @dev Reverts with a named error on any bad signature; returns true otherwise (F13).
    function verifyEpoch(bytes32 epochDigest, bytes calldata, bytes calldata proof) external view returns (bool) {
        if (proof.length % SIG_LEN != 0) revert BadProofLength(proof.length);
        uint256 k = proof.length / SIG_LEN;
        if (k < threshold) revert BelowThreshold(k, threshold);
        address last = address(0);
        for (uint256 i = 0; i < k; i++) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                let p := add(proof.offset, mul(i, SIG_LEN))
                r := calldataload(p)
                s := calldataload(add(p, 32))
                v := byte(0, calldataload(add(p, 64)))
            }
            if (v < 27) v += 27;
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(epochDigest, v, r, s);
            if (err != ECDSA.RecoverError.NoError) revert BadSignature(i);
            if (!isMember[signer]) revert NotCommitteeMember(i, signer);
            if (signer <= last) revert SignersNotAscending(i, signer);
            last = signer;
        }
        return true;
    }
}
