// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An OpenZeppelin ERC20 deployed and used with web3.py (tests/evm/test_web3.py).
contract Token is ERC20 {
    constructor(uint256 supply) ERC20("Numo Test Token", "NTT") {
        _mint(msg.sender, supply);
    }
}
