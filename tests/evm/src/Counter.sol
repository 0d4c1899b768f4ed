// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// A small contract `forge create` deploys from source (tests/evm/test_forge.py).
contract Counter {
    uint256 public number;

    event Incremented(address indexed by, uint256 number);

    constructor(uint256 start) {
        number = start;
    }

    function increment() external {
        number += 1;
        emit Incremented(msg.sender, number);
    }
}
