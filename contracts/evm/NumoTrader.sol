// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {INumoExchange, INumoExchangeRead, NumoExchange} from "./INumoExchange.sol";

/// @title An example contract that trades on numo's book (docs/EVM.md)
/// @notice Fund it with `numo transfer --to <this>`; its owner then places and cancels orders
/// for it, and anyone can read its exchange balances and the book through the precompile.
contract NumoTrader {
    /// @notice Who may trade for this contract.
    address public immutable owner;

    /// @notice Only the owner.
    error NotOwner();

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Place an order for this contract's exchange account.
    function place(bytes32 marketId, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 orderId)
        external
        onlyOwner
    {
        NumoExchange.SYSTEM.placeOrder(marketId, side, tif, tick, qty, orderId);
    }

    /// @notice Cancel one of this contract's orders.
    function cancel(bytes32 marketId, bytes32 orderId) external onlyOwner {
        NumoExchange.SYSTEM.cancelOrder(marketId, orderId);
    }

    /// @notice Move this contract's exchange balance to `to`.
    function send(bytes32 assetId, uint256 amount, address to) external onlyOwner {
        NumoExchange.SYSTEM.transfer(assetId, amount, to);
    }

    /// @notice This contract's exchange balance of `assetId`.
    function balance(bytes32 assetId) external view returns (uint256 available, uint256 locked) {
        return NumoExchange.READ.balanceOf(address(this), assetId);
    }

    /// @notice The book's best ticks, read through the precompile.
    function top(bytes32 marketId) external view returns (bool hasBid, int32 bidTick, bool hasAsk, int32 askTick) {
        return NumoExchange.READ.bestBidAsk(marketId);
    }

    /// @notice An order, read through the precompile.
    function orderOf(bytes32 marketId, bytes32 orderId)
        external
        view
        returns (address trader, uint8 side, int32 tick, uint256 remaining)
    {
        return NumoExchange.READ.order(marketId, orderId);
    }
}
