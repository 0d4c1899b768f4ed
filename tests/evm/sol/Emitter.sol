// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// Deployed with `cast send --create`, read with `cast call`, its events filtered with
/// `cast logs` and eth_getLogs (tests/evm/test_cast.py).
contract Emitter {
    uint256 public stored;

    event Stored(address indexed from, uint256 indexed value, bytes32 tag);
    event Ping(uint256 indexed n);

    function store(uint256 value, bytes32 tag) external {
        stored = value;
        emit Stored(msg.sender, value, tag);
    }

    function ping(uint256 n) external {
        emit Ping(n);
    }

    /// Burns gas in a loop: an out-of-gas transaction with a tight gas limit.
    function burn(uint256 rounds) external {
        for (uint256 i = 0; i < rounds; i++) {
            stored = stored + i;
        }
    }
}
