"""kill -9 of the node at the awkward moments of the bridge's life, restarted each time on the
same data dir and the same anvil: nothing is credited twice or lost, every withdrawal settles
and is claimable once, no batch is settled twice."""

import time

from eth_account import Account

from conftest import USERS, wait_for


def crash(net):
    net.node.kill9()
    net.node.restart()


def test_kill9_at_every_step(net):
    alice, bob = USERS[4], USERS[5]
    expected = {}  # (owner, symbol) -> numo available
    deposits = []  # (index, to, symbol, amount)
    withdrawals = []  # ids

    def deposited(user, symbol, amount, index):
        deposits.append((index, user.address, symbol, amount))
        expected[(user.address, symbol)] = expected.get((user.address, symbol), 0) + amount

    # 1. Right after a deposit is mined (not yet confirmed).
    index, _ = net.deposit(alice, "USDC", 1_000 * 10**6)
    deposited(alice, "USDC", 1_000 * 10**6, index)
    crash(net)
    net.wait_credited(index)

    # 2. A deposit with one confirmation, killed, its second confirmation mined while the node is down.
    with net.miner_paused():
        index, _ = net.deposit(bob, "WETH", 3 * 10**18)
        deposited(bob, "WETH", 3 * 10**18, index)
        net.anvil.mine()
        net.node.kill9()
        net.anvil.mine(3)
    net.node.restart()
    net.wait_credited(index)

    # 3. Right after a deposit is credited.
    index, _ = net.deposit(alice, "WETH", 10**18)
    deposited(alice, "WETH", 10**18, index)
    net.wait_credited(index)
    crash(net)

    # 4. Right after a withdrawal is answered (committed, not settled).
    w = net.withdraw(alice, "USDC", 100 * 10**6)
    withdrawals.append(w["id"])
    expected[(alice.address, "USDC")] -= 100 * 10**6
    crash(net)
    assert net.withdrawal(w["id"])["amount"] == str(100 * 10**6)

    # 5. Mid-settlement: the settle transaction is mined, its confirmations are not.
    with net.miner_paused():
        w = net.withdraw(bob, "WETH", 10**18, recipient=Account.create().address)
        withdrawals.append(w["id"])
        expected[(bob.address, "WETH")] -= 10**18
        wait_for("the settle tx mined", lambda: net.bridge.functions.lastBatchSeq().call() >= w["batchSeq"], timeout=15)
        net.node.kill9()
    net.node.restart()
    net.wait_settled(w["id"])

    # 6. Right after a withdrawal is settled, and again after its claim.
    w = net.withdraw(alice, "WETH", 4 * 10**17)
    withdrawals.append(w["id"])
    expected[(alice.address, "WETH")] -= 4 * 10**17
    settled = net.wait_settled(w["id"])
    crash(net)
    assert net.withdrawal(w["id"])["status"] == "settled"
    net.claim(settled, sender=bob.address)
    crash(net)
    wait_for("claimed after restart", lambda: net.withdrawal(w["id"])["status"] == "claimed")

    # 7. A withdrawal and a deposit in flight together, killed twice in a row.
    index, _ = net.deposit(bob, "USDC", 50 * 10**6)
    deposited(bob, "USDC", 50 * 10**6, index)
    w = net.withdraw(bob, "WETH", 10**17)
    withdrawals.append(w["id"])
    expected[(bob.address, "WETH")] -= 10**17
    crash(net)
    crash(net)

    # Quiescence: everything credited once, every withdrawal settled and claimable once.
    last = net.quiesce(timeout=45)
    assert last == net.last_batch()
    rows = net.deposits()
    assert [(r["index"], r["to"].lower(), r["asset"], int(r["amount"]), r["status"]) for r in rows] == [
        (i, to.lower(), s, a, "credited") for i, to, s, a in sorted(deposits)
    ]
    assert net.bridge.functions.depositCount().call() == len(deposits)
    assert net.bridge.functions.settledDepositCount().call() == len(deposits)
    for (owner, symbol), amount in expected.items():
        assert net.balance(owner, symbol) == (amount, 0), (owner, symbol)

    listed = net.node.get("/v1/withdrawals")
    assert sorted(x["id"] for x in listed) == sorted(withdrawals)
    for wid in withdrawals:
        x = net.withdrawal(wid)
        assert x["status"] in ("settled", "claimed"), x
        if x["status"] == "settled":
            token_before = net.erc20(x["asset"], x["recipient"])
            net.claim(x, sender=alice.address)
            assert net.erc20(x["asset"], x["recipient"]) == token_before + int(x["amount"])
        assert net.claim_revert(x, sender=alice.address) == "AlreadyClaimed"

    # No batch settled twice: the Settled ranges tile 1..last exactly.
    ranges = [(first, last_) for first, last_, _ in net.settle_receipts()]
    expect = 1
    for first, last_ in ranges:
        assert first == expect and last_ >= first, ranges
        expect = last_ + 1
    assert expect - 1 == last == net.bridge.functions.lastBatchSeq().call()
    assert net.node.starts >= 8
    time.sleep(0)
