"""The whole path of a token: L1 deposit → credited after its confirmations → traded on numo →
withdrawn → settled on L1 → claimed once."""

import time

from eth_account import Account

from conftest import ANVIL_KEYS, CONFIRMATIONS, USERS, measure, wait_for
from numo_client import Signer


def test_deposit_trade_withdraw_settle_claim(net):
    alice, bob = USERS[1], USERS[2]
    recipient = Account.create().address  # an L1 address that holds nothing yet
    usdc_in, weth_in = 10_000 * 10**6, 2 * 10**18

    # Bob's WETH: the ordinary path (the miner confirms it).
    index, receipt = net.deposit(bob, "WETH", weth_in)
    assert index == 0
    mined = time.monotonic()
    net.wait_credited(index)
    measure("deposit mined -> credited (s, 0.3 s L1 blocks, 2 conf)", round(time.monotonic() - mined, 2))
    assert net.balance(bob.address, "WETH") == (weth_in, 0)
    net.quiesce()

    # Alice's USDC: the head is ours; the deposit must wait for head >= b + 2.
    with net.miner_paused():
        before = net.balance(alice.address, "USDC")
        index, receipt = net.deposit(alice, "USDC", usdc_in)
        assert index == 1
        b = receipt.blockNumber
        for confirmations in range(CONFIRMATIONS):
            assert net.anvil.head() == b + confirmations
            time.sleep(1.5)  # > 5 listener polls and 10 numo blocks
            assert [d for d in net.deposits() if d["index"] == 1] == [], f"credited at head b+{confirmations}"
            assert net.balance(alice.address, "USDC") == before
            net.anvil.mine()
        assert net.anvil.head() == b + CONFIRMATIONS
        mined = time.monotonic()
        row = net.wait_credited(1, timeout=10)
        measure("head reaches b+2 -> credited (s)", round(time.monotonic() - mined, 2))
    assert row["to"].lower() == alice.address.lower() and int(row["amount"]) == usdc_in
    assert net.balance(alice.address, "USDC") == (before[0] + usdc_in, 0)

    # A trade: Bob rests a sell, Alice takes it.
    market = net.client.market("WETH-USDC")
    sell = net.client.place(Signer(ANVIL_KEYS[2]), market, "sell", price="3000", qty="1")
    assert sell["outcome"] == "accepted" and int(sell["rested"]) == 10**18, sell
    buy = net.client.place(Signer(ANVIL_KEYS[1]), market, "buy", price="3000", qty="1")
    assert buy["outcome"] == "accepted" and int(buy["filled"]) == 10**18, buy
    (fill,) = buy["fills"]
    quote, fee = int(fill["quoteAmount"]), int(fill["fee"])
    assert quote == 3000 * 10**6 and fee > 0
    assert net.balance(alice.address, "WETH") == (10**18, 0)
    assert net.balance(alice.address, "USDC") == (usdc_in - quote - fee, 0)
    assert net.balance(bob.address, "USDC") == (quote, 0)
    assert net.balance(bob.address, "WETH") == (weth_in - 10**18, 0)

    # Bob withdraws his proceeds to a fresh L1 address.
    started = time.monotonic()
    w = net.withdraw(bob, "USDC", quote, recipient)
    assert w["status"] == "pending"
    assert net.balance(bob.address, "USDC") == (0, 0)
    settled = net.wait_settled(w["id"])
    measure("withdraw answered -> settled (s, 1 s settle interval)", round(time.monotonic() - started, 2))
    assert settled["kind"] == "withdrawal" and int(settled["amount"]) == quote
    assert settled["recipient"].lower() == recipient.lower()

    # Anyone may send the claim; the recipient gets exactly the amount, once.
    assert net.erc20("USDC", recipient) == 0
    held = net.erc20("USDC", net.bridge.address)
    net.claim(settled, sender=alice.address)
    assert net.erc20("USDC", recipient) == quote
    assert net.erc20("USDC", net.bridge.address) == held - quote
    assert net.claim_revert(settled, sender=alice.address) == "AlreadyClaimed"
    wait_for("status claimed", lambda: net.withdrawal(w["id"])["status"] == "claimed")

    for first, last, gas in net.settle_receipts():
        measure("gas settle (batches, gas)", (last - first + 1, gas))
