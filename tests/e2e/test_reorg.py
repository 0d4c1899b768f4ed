"""A deposit that an L1 reorg removes before its confirmations is never credited; the queue
index it had is taken by the next deposit, which is credited once."""

import time

from conftest import USERS, measure, wait_for


def test_reorged_deposit_is_never_credited(net):
    user = USERS[3]
    usdc = net.tokens["USDC"]
    net.quiesce()
    before = net.balance(user.address, "USDC")
    with net.miner_paused():
        net.send(usdc.functions.approve(net.bridge.address, 10**12), user.address)
        snapshot = net.anvil.rpc("evm_snapshot")
        fork = net.anvil.head()
        index, receipt = net.deposit(user, "USDC", 5 * 10**6, approve=False)
        assert index == 0 and receipt.blockNumber == fork + 1
        net.anvil.mine()  # one confirmation: still one short
        time.sleep(1.5)
        assert net.deposits() == []

        assert net.anvil.rpc("evm_revert", [snapshot]) is True
        assert net.anvil.head() == fork
        assert net.bridge.functions.depositCount().call() == 0
        net.anvil.mine(5)  # the other branch grows past the old one
        time.sleep(2)
        assert net.deposits() == []
        assert net.balance(user.address, "USDC") == before
    time.sleep(1)
    assert net.deposits() == []
    assert net.balance(user.address, "USDC") == before

    # The next deposit takes index 0 and is credited once, with its own amount.
    index, _ = net.deposit(user, "USDC", 7 * 10**6)
    assert index == 0
    row = net.wait_credited(0)
    assert int(row["amount"]) == 7 * 10**6
    net.quiesce()
    rows = net.deposits()
    assert [(r["index"], r["amount"], r["status"]) for r in rows] == [(0, str(7 * 10**6), "credited")]
    assert net.balance(user.address, "USDC") == (before[0] + 7 * 10**6, before[1])
    assert net.bridge.functions.settledDepositCount().call() == 1


def test_dropped_settlement_is_sent_again(net):
    """A settle transaction that a reorg removes after it was mined (before its confirmations)
    is sent again; the bridge ends up with every batch settled exactly once."""
    user = USERS[4]
    net.quiesce()
    with net.miner_paused():
        net.anvil.rpc("evm_setAutomine", [False])
        try:
            usdc = net.tokens["USDC"]
            usdc.functions.approve(net.bridge.address, 10**7).transact({"from": user.address, "gas": 300_000})
            net.bridge.functions.deposit(usdc.address, 10**7, user.address).transact({"from": user.address, "gas": 300_000})
            net.anvil.mine(3)  # the deposit's block and its two confirmations
            net.wait_credited(0)
            wait_for("the settle tx pending", lambda: int(net.anvil.rpc("txpool_status")["pending"], 16) > 0, timeout=15)
            snapshot = net.anvil.rpc("evm_snapshot")
            net.anvil.mine()  # the settle tx is mined …
            assert net.bridge.functions.lastBatchSeq().call() == 1
            assert net.anvil.rpc("evm_revert", [snapshot]) is True  # … and reorged out
            assert net.bridge.functions.lastBatchSeq().call() == 0
        finally:
            net.anvil.rpc("evm_setAutomine", [True])
        net.anvil.mine()
    started = time.monotonic()
    assert net.quiesce(timeout=45) == 1
    measure("dropped settlement -> settled again (s)", round(time.monotonic() - started, 2))
    assert [(f, l) for f, l, _ in net.settle_receipts()] == [(1, 1)]
    assert net.balance(user.address, "USDC")[0] == 10**7
