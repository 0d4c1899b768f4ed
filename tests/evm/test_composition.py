"""Composition with the exchange, end to end through the CLI (issue 12's second bullet): web3.py
deploys NumoTrader (contracts/artifacts/evm), `numo transfer` funds it with USDC, a dev maker
rests a sell with `numo order place`, the owner's `place(…)` crosses it through the system
contract; the trade appears in the market's trades with the contract as taker, and the
contract's balances move as both the read precompile (eth_call) and the REST API report. Then a
resting GTC bid, a stranger's reverted cancel (no request) and the owner's cancel.
Dev account 6 owns the contract; dev account 7 makes; dev account 8 is the stranger."""

import json
import secrets

from web3 import Web3

from conftest import CHAIN_ID, NUMO, artifact, deploy, measure, run, send_tx, wait_for

SYSTEM = "0x3333333333333333333333333333333333333333"
ZERO = "0x0000000000000000000000000000000000000000"
BUY, SELL, GTC, IOC = 0, 1, 0, 1
# Dev WETH/USDC: tickSize 1e4 at priceScale 1e18, 6-decimal quote, 18-decimal base, so
# 3000 USDC per WETH is tick 300000; a lot is 1e14 base units (crates/cli/src/units.rs).
PRICE, TICK = "3000", 300_000


def numo(node, *args):
    return json.loads(run([NUMO, *args, "--node", node.url, "--json"], timeout=60).stdout)


def test_contract_funded_by_transfer_trades_on_the_book(w3, node, dev_accounts):
    owner, maker = dev_accounts[6], dev_accounts[7]
    (market,) = [m for m in node.get("/v1/markets") if m["symbol"] == "WETH/USDC"]
    market_id, weth, usdc = market["marketId"], market["baseAssetId"], market["quoteAssetId"]
    # quote units per whole base at TICK: tick × tickSize × 10^baseDecimals / priceScale
    assert TICK * int(market["tickSize"]) * 10 ** market["baseDecimals"] // int(market["priceScale"]) == 3000 * 10**6

    a = artifact("NumoTrader")
    trader, deployed = deploy(w3, owner, a["abi"], a["bytecode"])
    contract = trader.address
    assert trader.functions.owner().call() == owner.address
    assert trader.functions.balance(usdc).call() == [0, 0]

    # Fund it: an exchange Transfer signed by the owner's key, through the CLI.
    funded = numo(node, "transfer", "--asset", "USDC", "--amount", "1000", "--to", contract, "--key", owner.key.hex())
    assert funded["status"] == "transferred", funded
    wait_for("the precompile sees the funding", lambda: trader.functions.balance(usdc).call() == [1000 * 10**6, 0], timeout=10)

    # A dev maker rests a sell of 0.3 WETH at 3000.
    rested = numo(node, "order", "place", "--market", "WETH-USDC", "--side", "sell", "--price", PRICE, "--qty", "0.3",
                  "--key", maker.key.hex())
    assert rested["outcome"] == "accepted" and int(rested["rested"]) == 3 * 10**17, rested
    assert rested["request"]["tick"] == TICK
    maker_order = rested["orderId"]
    wait_for("the precompile sees the ask", lambda: trader.functions.top(market_id).call()[2:] == [True, TICK], timeout=10)
    assert trader.functions.orderOf(market_id, maker_order).call() == [maker.address, SELL, TICK, 3 * 10**17]

    # The owner has the contract buy 0.1 WETH, IOC, crossing it.
    qty = 10**17
    order_id = "0x" + secrets.token_hex(32)
    trades_before = len(node.get("/v1/markets/WETH-USDC/trades"))
    tx = trader.functions.place(market_id, BUY, IOC, TICK, qty, order_id).build_transaction(
        {"from": owner.address, "chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(owner.address, "pending")})
    receipt = send_tx(w3, owner, tx)
    assert receipt.status == 1
    (request,) = [log for log in receipt.logs if log["address"] == Web3.to_checksum_address(SYSTEM)]
    assert request["topics"][1] == bytes(12) + bytes.fromhex(contract[2:])  # topic1 = msg.sender = the contract

    def trade():
        for t in node.get("/v1/markets/WETH-USDC/trades"):
            if t["taker"].lower() == contract.lower() and t["takerOrderId"] == order_id:
                return t
        return None

    t = wait_for("the contract's trade in GET /v1/markets/WETH-USDC/trades", trade, timeout=10)
    assert len(node.get("/v1/markets/WETH-USDC/trades")) == trades_before + 1
    assert t["maker"].lower() == maker.address.lower() and t["makerOrderId"] == maker_order
    assert t["takerSide"] == "buy" and t["tick"] == TICK and int(t["qty"]) == qty
    quote = int(t["quoteAmount"])
    fee = int(t["fee"])
    assert quote == 300 * 10**6  # 0.1 WETH × 3000 USDC
    assert fee == quote * int(market["takerFeeBps"]) // 10_000

    # Its balances: USDC down by the price and the taker fee, WETH up by the quantity — as the
    # REST API and the read precompile (eth_call through NumoTrader.balance) both report.
    usdc_left = 1000 * 10**6 - quote - fee
    rows = {b["assetId"]: b for b in node.get(f"/v1/accounts/{contract}")["balances"]}
    assert (int(rows[usdc]["available"]), int(rows[usdc]["locked"])) == (usdc_left, 0)
    assert (int(rows[weth]["available"]), int(rows[weth]["locked"])) == (qty, 0)
    wait_for("the precompile sees the trade",
             lambda: trader.functions.balance(weth).call() == [qty, 0] and trader.functions.balance(usdc).call() == [usdc_left, 0],
             timeout=10)
    # The maker's order has 0.2 WETH left, read through the precompile too.
    assert trader.functions.orderOf(market_id, maker_order).call() == [maker.address, SELL, TICK, 2 * 10**17]
    measure("NumoTrader.place: gasUsed", receipt.gasUsed)

    # The system batch (kind 3, E7) that ran the request, and the EVM block batch before it that
    # holds the transaction: GET /v1/batches agrees with the JSON-RPC, and the verifier with both.
    system = node.get(f"/v1/batches/{t['batchSeq']}")
    assert (system["kind"], system["phase"]) == ("evm", "system"), system
    (message,) = system["messages"]
    assert message["type"] == "place" and message["trader"].lower() == contract.lower() and message["orderId"] == order_id
    # E7's bytes: 0x01 ‖ trader ‖ marketId ‖ side ‖ tif ‖ I32 tick ‖ U256 qty ‖ orderId (123 B).
    e7 = (b"\x01" + bytes.fromhex(contract[2:]) + bytes.fromhex(market_id[2:]) + bytes([BUY, IOC])
          + TICK.to_bytes(4, "big", signed=True) + qty.to_bytes(32, "big") + bytes.fromhex(order_id[2:]))
    assert len(e7) == 123 and message["bytes"] == "0x" + e7.hex()
    assert [x["takerOrderId"] for x in system["trades"]] == [order_id]
    seq = t["batchSeq"] - 1
    while node.get(f"/v1/batches/{seq}").get("phase") != "block":
        seq -= 1
        assert seq > t["batchSeq"] - 5, "no EVM block batch just before the system batch"
    block_batch = node.get(f"/v1/batches/{seq}")
    assert block_batch["evmBlock"]["number"] == receipt.blockNumber
    assert block_batch["evmBlock"]["hash"] == receipt.blockHash.to_0x_hex()
    assert receipt.transactionHash.to_0x_hex() in block_batch["evmBlock"]["transactions"]
    for b in (t["batchSeq"], seq):
        wait_for(f"batch {b} verified", lambda: node.get(f"/v1/batches/{b}")["verification"] == "verified", timeout=10)

    def account():
        return node.get(f"/v1/accounts/{contract}")

    def nonce():
        (row,) = [n for n in account()["nonces"] if n["marketId"] == market_id]
        return row["nextNonce"]

    # The system Place took the contract's next exchange nonce (E7).
    assert nonce() == 1

    # A GTC bid below the ask rests for the contract: the precompile and the REST API see the
    # order and the USDC it locks.
    bid_tick, bid_id = TICK - 1000, "0x" + secrets.token_hex(32)
    tx = trader.functions.place(market_id, BUY, GTC, bid_tick, qty, bid_id).build_transaction(
        {"from": owner.address, "chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(owner.address, "pending")})
    assert send_tx(w3, owner, tx).status == 1
    wait_for("the contract's bid rests", lambda: trader.functions.orderOf(market_id, bid_id).call() == [contract, BUY, bid_tick, qty], timeout=10)
    available, locked = trader.functions.balance(usdc).call()
    assert available + locked == usdc_left and locked >= 299 * 10**6
    assert [o for o in account()["openOrders"] if o["orderId"] == bid_id], account()["openOrders"]
    assert trader.functions.top(market_id).call() == [True, bid_tick, True, TICK]
    assert nonce() == 2

    # Someone else's cancel reverts (NotOwner): included, status 0, no request logged, nothing moves.
    stranger = dev_accounts[8]
    tx = trader.functions.cancel(market_id, bid_id).build_transaction(
        {"from": stranger.address, "chainId": CHAIN_ID, "gas": 100_000,
         "nonce": w3.eth.get_transaction_count(stranger.address, "pending")})
    reverted = send_tx(w3, stranger, tx)
    assert reverted.status == 0 and reverted.logs == []

    # The owner's cancel frees the USDC and removes the order everywhere.
    tx = trader.functions.cancel(market_id, bid_id).build_transaction(
        {"from": owner.address, "chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(owner.address, "pending")})
    assert send_tx(w3, owner, tx).status == 1
    wait_for("the bid is cancelled", lambda: trader.functions.orderOf(market_id, bid_id).call() == [ZERO, 0, 0, 0], timeout=10)
    assert trader.functions.balance(usdc).call() == [usdc_left, 0]
    assert not [o for o in account()["openOrders"] if o["orderId"] == bid_id]
    assert nonce() == 3  # the reverted cancel made no request
