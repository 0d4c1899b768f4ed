// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title numo's exchange, seen from its EVM (docs/EVM.md, docs/PROTOCOL.md E6, E7)
/// @notice Contracts on numo's EVM read the order book through a precompile and act on it
/// through a system contract. Amounts are the asset's base units; `side` is 0 buy / 1 sell and
/// `tif` 0 GTC / 1 IOC (the Place encodings of NUMO SPOT CLOB V1); a tick is the market's price
/// index; an `orderId` is the exchange order id.

/// @notice Reads of the exchange state, answered by the precompile at 0x…0800 with the state as
/// the exchange block the EVM block follows left it.
interface INumoExchangeRead {
    /// @notice `owner`'s exchange balance of `assetId`: spendable and locked in resting orders.
    function balanceOf(address owner, bytes32 assetId) external view returns (uint256 available, uint256 locked);

    /// @notice Best bid and ask ticks of `marketId` (`has*` false when that side is empty).
    function bestBidAsk(bytes32 marketId)
        external
        view
        returns (bool hasBid, int32 bidTick, bool hasAsk, int32 askTick);

    /// @notice A resting order (all zero when absent).
    function order(bytes32 marketId, bytes32 orderId)
        external
        view
        returns (address trader, uint8 side, int32 tick, uint256 remaining);
}

/// @notice Requests to the exchange for `msg.sender`'s exchange account. Each call emits one
/// event from the system contract; the exchange executes the requests of a block's successful
/// transactions, in order, at the start of the next exchange block (E7). A request is not an
/// outcome: read the result back through `INumoExchangeRead` or the exchange API.
interface INumoExchange {
    /// @notice A Place for `trader`'s exchange account.
    event PlaceRequested(
        address indexed trader, bytes32 indexed marketId, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 orderId
    );
    /// @notice A Cancel of `trader`'s order.
    event CancelRequested(address indexed trader, bytes32 indexed marketId, bytes32 orderId);
    /// @notice A move of `from`'s available exchange balance to `to`'s.
    event TransferRequested(address indexed from, bytes32 indexed assetId, uint256 amount, address to);

    /// @notice Place an order for `msg.sender` (its nonce is taken when it executes).
    function placeOrder(bytes32 marketId, uint8 side, uint8 tif, int32 tick, uint256 qty, bytes32 orderId) external;

    /// @notice Cancel `msg.sender`'s order `orderId`.
    function cancelOrder(bytes32 marketId, bytes32 orderId) external;

    /// @notice Move `amount` of `msg.sender`'s available `assetId` to `to`'s exchange account.
    function transfer(bytes32 assetId, uint256 amount, address to) external;
}

/// @notice Where the two live.
library NumoExchange {
    /// @notice The read precompile.
    INumoExchangeRead internal constant READ = INumoExchangeRead(0x0000000000000000000000000000000000000800);
    /// @notice The system contract (NumoSystem.sol, in every venue's genesis).
    INumoExchange internal constant SYSTEM = INumoExchange(0x3333333333333333333333333333333333333333);
}
