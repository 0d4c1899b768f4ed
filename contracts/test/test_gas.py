"""Gas used by deposit, claim and settle (2-of-3 committee) on anvil; run with `-s` to see the table."""

from web3.logs import DISCARD

import numo
from conftest import ASSET_A
from test_bridge import funding_batch, root_n, trading_batch


def test_gas_report(chain, env):
    b = env.bridge.functions
    u = env.users
    report = []

    first = chain.send(b.deposit(env.token_a.address, 1000, u[0]), sender=u[0]).gasUsed
    steady = chain.send(b.deposit(env.token_a.address, 1000, u[1]), sender=u[1]).gasUsed
    report.append(f"deposit (first ever / steady state): {first} / {steady}")

    records = [(i, u[i % len(u)], ASSET_A, 10 + i) for i in range(5)]
    wroot, proofs = numo.withdrawals_tree([numo.withdrawal_leaf(*r) for r in records])
    fund = chain.send(env.settle_fn([funding_batch(env, root_n(1), dep_after=2, wroot=wroot)])).gasUsed
    report.append(f"settle, 1 funding batch (2 deposits, withdrawals root): {fund}")
    claim = chain.send(b.claim(1, *records[3], proofs[3])).gasUsed
    report.append(f"claim (5-leaf tree, 3 siblings): {claim}")

    for n in (1, 10, 50):
        batches = []
        prev, seq = env.root(), env.seq()
        for i in range(n):
            new = numo.keccak(b"gas", numo.u64(seq + i + 1))
            batches.append(trading_batch(env, new, seq=seq + i + 1, prev=prev))
            prev = new
        receipt = chain.send(env.settle_fn(batches))
        ev = env.bridge.events.Settled().process_receipt(receipt, errors=DISCARD)[0].args
        assert ev.lastBatchSeq == seq + n and env.root() == prev
        report.append(f"settle, {n} trading batches: {receipt.gasUsed} ({receipt.gasUsed // n} per batch)")

    print("\n" + "\n".join("gas: " + line for line in report))
    # sanity bounds, so a regression that makes settlement unaffordable fails the test
    assert steady < 100_000 and claim < 100_000
    assert receipt.gasUsed < 2_000_000
