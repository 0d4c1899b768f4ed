"""Conservation after quiescence: for every dev token, what the bridge holds on L1 equals what
numo owes — every account's available + locked, the fee vault, and the settled withdrawals not
yet claimed."""

from eth_account import Account

from conftest import ANVIL_KEYS, USERS, fee_vault_key
from numo_client import Signer


def fee_vault(net, symbol: str) -> int:
    value = net.node.get(f"/v1/state/proof/{fee_vault_key(net.assets[symbol])}")["value"]
    return int(value, 16) if value else 0


def test_tokens_held_equal_balances_owed(net, dev_accounts):
    u1, u2, u3 = USERS[1], USERS[2], USERS[3]
    dev0, dev1 = Signer(dev_accounts[0]["privateKey"]), Signer(dev_accounts[1]["privateKey"])
    market = net.client.market("WETH-USDC")

    for user, symbol, amount, to in [
        (u1, "USDC", 20_000 * 10**6, None),
        (u2, "WETH", 5 * 10**18, None),
        (u3, "WBTC", 2 * 10**8, u1.address),  # deposited for someone else
    ]:
        index, _ = net.deposit(user, symbol, amount, to)
        net.wait_credited(index)

    # Trades with genesis-funded accounts on both sides, fees paid in USDC, orders left resting.
    assert net.client.place(dev0, market, "sell", price="3000", qty="2")["outcome"] == "accepted"
    assert int(net.client.place(Signer(ANVIL_KEYS[1]), market, "buy", price="3000", qty="2")["filled"]) == 2 * 10**18
    assert net.client.place(Signer(ANVIL_KEYS[2]), market, "sell", price="3100", qty="1.5")["outcome"] == "accepted"
    assert int(net.client.place(dev1, market, "buy", price="3100", qty="1")["filled"]) == 10**18
    net.client.place(Signer(ANVIL_KEYS[1]), market, "buy", price="1000", qty="1")  # rests: USDC locked
    assert net.balance(u2.address, "WETH")[1] == 5 * 10**17  # the rest of the 1.5 sell is locked

    # Withdrawals: claimed, left unclaimed, and one by a genesis account.
    claimed = net.withdraw(u1, "USDC", 1_000 * 10**6)
    net.withdraw(u2, "WETH", 10**18)
    dev_account = Account.from_key(dev_accounts[0]["privateKey"])
    net.withdraw(dev_account, "USDC", 500 * 10**6, recipient=Account.create().address)
    net.claim(net.wait_settled(claimed["id"]), sender=u3.address)
    net.quiesce()

    withdrawals = net.node.get("/v1/withdrawals")
    assert len(withdrawals) == 3
    owners = {a["address"] for a in dev_accounts} | {u.address for u in (u1, u2, u3)}
    for symbol, token in net.tokens.items():
        held = token.functions.balanceOf(net.bridge.address).call()
        balances = sum(sum(net.balance(owner, symbol)) for owner in owners)
        fees = fee_vault(net, symbol)
        unclaimed = 0
        for w in withdrawals:
            assert w["status"] in ("settled", "claimed"), w
            if w["asset"] == symbol and not net.bridge.functions.isClaimed(w["id"]).call():
                unclaimed += int(w["amount"])
        assert held == balances + fees + unclaimed, (symbol, held, balances, fees, unclaimed)
        if symbol == "USDC":
            assert fees > 0 and unclaimed == 500 * 10**6
        if symbol == "WETH":
            assert unclaimed == 10**18
