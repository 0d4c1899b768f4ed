"""A forced withdrawal requested on L1 is executed by numo, settled, and claimable; the bridge
counts it settled, so nobody can freeze the bridge over it even past its deadline."""

from web3.logs import DISCARD

from conftest import USERS, revert_name, wait_for


def forced_rows(net, owner):
    return [w for w in net.node.get("/v1/withdrawals", owner=owner) if w["kind"] == "forced"]


def test_forced_withdrawal_is_honoured(net):
    user = USERS[6]
    index, _ = net.deposit(user, "USDC", 500 * 10**6)
    net.wait_credited(index)
    asset = net.assets["USDC"]

    receipt = net.send(net.bridge.functions.requestForcedWithdrawal(asset, 200 * 10**6), user.address)
    (event,) = net.bridge.events.ForcedWithdrawalRequested().process_receipt(receipt, errors=DISCARD)
    assert event.args["index"] == 0
    (w,) = wait_for("the forced withdrawal executed", lambda: forced_rows(net, user.address))
    assert int(w["amount"]) == 200 * 10**6 and w["recipient"].lower() == user.address.lower()
    assert net.balance(user.address, "USDC") == (300 * 10**6, 0)

    settled = net.wait_settled(w["id"])
    wait_for("settledForcedCount = 1", lambda: net.bridge.functions.settledForcedCount().call() == 1)
    assert net.bridge.functions.forcedCount().call() == 1
    before = net.erc20("USDC", user.address)
    net.claim(settled, sender=user.address)
    assert net.erc20("USDC", user.address) == before + 200 * 10**6

    # Past the deadline, the honoured request gives no ground to freeze.
    net.anvil.rpc("evm_increaseTime", [net.bridge.functions.forcedWindow().call() + 60])
    net.anvil.mine()
    assert revert_name(lambda: net.bridge.functions.freeze().call({"from": user.address})) == "NothingPending"

    # A request above the available balance is honoured with what is available (F7).
    net.send(net.bridge.functions.requestForcedWithdrawal(asset, 10**12), user.address)
    wait_for("second forced withdrawal", lambda: len(forced_rows(net, user.address)) == 2)
    second = max(forced_rows(net, user.address), key=lambda x: x["id"])
    assert int(second["amount"]) == 300 * 10**6
    assert net.balance(user.address, "USDC") == (0, 0)
    settled = net.wait_settled(second["id"])
    wait_for("settledForcedCount = 2", lambda: net.bridge.functions.settledForcedCount().call() == 2)
    net.claim(settled, sender=user.address)
    assert net.erc20("USDC", user.address) == before + 500 * 10**6
    assert revert_name(lambda: net.bridge.functions.freeze().call({"from": user.address})) == "NothingPending"
    assert net.bridge.functions.frozen().call() is False
