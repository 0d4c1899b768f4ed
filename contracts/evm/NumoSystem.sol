// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INumoExchange} from "./INumoExchange.sol";

/// @title The system contract at 0x3333…3333 (docs/PROTOCOL.md E6, E7)
/// @notice Its code is in every numo venue's genesis. It only emits events: the EVM engine turns
/// this address's events in successful receipts into system messages, which the exchange executes
/// at the start of the next exchange block for the `msg.sender` they name. Solidity does the checks
/// a request needs: calldata decodes, no value is sent (nonpayable), a static call cannot log, and a
/// DELEGATECALL runs this code in the caller's context, so its event is not this address's.
contract NumoSystem is INumoExchange {
    /// @inheritdoc INumoExchange
    function placeOrder(bytes32 marketId, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 orderId)
        external
    {
        emit PlaceRequested(msg.sender, marketId, side, tif, tick, qty, orderId);
    }

    /// @inheritdoc INumoExchange
    function cancelOrder(bytes32 marketId, bytes32 orderId) external {
        emit CancelRequested(msg.sender, marketId, orderId);
    }

    /// @inheritdoc INumoExchange
    function transfer(bytes32 assetId, uint256 amount, address to) external {
        emit TransferRequested(msg.sender, assetId, amount, to);
    }
}
