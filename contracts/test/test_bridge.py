"""NumoBridge + CommitteeVerifier against a real anvil (docs/PROTOCOL.md §11, F5, F10, F13, F14)."""

import pytest
from eth_account import Account
from web3.logs import DISCARD

import numo
from conftest import ASSET_A, ASSET_B, FUNDING_DOMAIN, GENESIS_ROOT, FORCED_WINDOW

ZERO = b"\x00" * 32


def funding_batch(env, new_root, *, dep_after=None, forced_after=None, wroot=ZERO, seq=None, prev=None,
                  dep_before=None, dep_acc_before=None, dep_acc_after=None, domain=FUNDING_DOMAIN):
    b = env.bridge.functions
    settled_dep = b.settledDepositCount().call()
    settled_forced = b.settledForcedCount().call()
    dep_before = settled_dep if dep_before is None else dep_before
    dep_after = settled_dep if dep_after is None else dep_after
    forced_after = settled_forced if forced_after is None else forced_after
    pi = numo.funding_pi(
        env.root() if prev is None else prev, new_root, env.seq() + 1 if seq is None else seq, domain,
        dep_before, env.dep_acc(settled_dep) if dep_acc_before is None else dep_acc_before,
        dep_after, env.dep_acc(dep_after) if dep_acc_after is None else dep_acc_after,
        settled_forced, env.forced_acc(settled_forced), forced_after, env.forced_acc(forced_after),
        wroot)
    return (2, pi)


def trading_batch(env, new_root, *, seq=None, prev=None):
    return (1, numo.trading_pi(env.root() if prev is None else prev, new_root, env.seq() + 1 if seq is None else seq))


def root_n(n: int) -> bytes:
    return numo.keccak(b"root", numo.u64(n))


# ------------------------------------------------------------------ deposits and the F5 accumulator

def test_deposit_accumulator_matches_f5(chain, env):
    b = env.bridge.functions
    assert env.dep_acc(0) == ZERO
    acc = ZERO
    records = [(env.users[0], env.users[1], env.token_a, ASSET_A, 1000),
               (env.users[1], env.users[1], env.token_b, ASSET_B, 7),
               (env.users[2], env.users[0], env.token_a, ASSET_A, 10**20)]
    for i, (frm, to, token, asset, amount) in enumerate(records):
        receipt = chain.send(b.deposit(token.address, amount, to), sender=frm)
        acc = numo.deposit_acc(acc, i, asset, frm, to, amount)
        assert env.dep_acc(i + 1) == acc
        ev = env.bridge.events.Deposited().process_receipt(receipt, errors=DISCARD)[0].args
        assert (ev.index, bytes(ev.assetId), ev["from"], ev.to, ev.amount, bytes(ev.acc)) == \
            (i, asset, frm, to, amount, acc)
    assert b.depositCount().call() == 3
    assert env.token_a.functions.balanceOf(env.bridge.address).call() == 1000 + 10**20
    chain.expect_revert(b.depositAccAt(4), "IndexOutOfRange")


def test_deposit_refusals(chain, env):
    b = env.bridge.functions
    stray = chain.deploy("DevToken", "Stray", "STR", 18, chain.deployer)
    chain.send(stray.functions.mint(env.users[0], 100))
    chain.send(stray.functions.approve(env.bridge.address, 100), sender=env.users[0])
    chain.expect_revert(b.deposit(stray.address, 100, env.users[0]), "UnknownToken", env.users[0])
    chain.expect_revert(b.deposit(env.token_a.address, 0, env.users[0]), "ZeroAmount", env.users[0])
    chain.expect_revert(b.deposit(env.token_a.address, 5, "0x" + "00" * 20), "ZeroAddress", env.users[0])
    chain.expect_revert(b.registerAsset(numo.keccak(b"x"), stray.address), "OwnableUnauthorizedAccount",
                        env.users[0])
    chain.expect_revert(b.registerAsset(ASSET_A, stray.address), "AssetAlreadyRegistered")
    assert b.depositCount().call() == 0


def test_forced_accumulator_and_deadline(chain, env):
    b = env.bridge.functions
    acc = ZERO
    for i, (owner, asset, amount) in enumerate([(env.users[0], ASSET_A, 5), (env.users[3], ASSET_B, 9)]):
        receipt = chain.send(b.requestForcedWithdrawal(asset, amount), sender=owner)
        acc = numo.forced_acc(acc, i, owner, asset, amount)
        assert env.forced_acc(i + 1) == acc
        ts = chain.w3.eth.get_block(receipt.blockNumber).timestamp
        assert b.forcedDeadline(i).call() == ts + FORCED_WINDOW
    chain.expect_revert(b.requestForcedWithdrawal(numo.keccak(b"nope"), 1), "UnknownAsset", env.users[0])
    chain.expect_revert(b.requestForcedWithdrawal(ASSET_A, 0), "ZeroAmount", env.users[0])


# ------------------------------------------------------------------ settle, claim (F10, F13)

@pytest.mark.parametrize("n_leaves", [3, 5])
def test_settle_and_claim(chain, env, n_leaves):
    b = env.bridge.functions
    u = env.users
    chain.send(b.deposit(env.token_a.address, 10_000, u[0]), sender=u[0])
    chain.send(b.deposit(env.token_b.address, 10_000, u[1]), sender=u[1])
    records = [(100 + i, u[i % len(u)], ASSET_A if i % 2 == 0 else ASSET_B, 10 * (i + 1)) for i in range(n_leaves)]
    leaves = [numo.withdrawal_leaf(*r) for r in records]
    wroot, proofs = numo.withdrawals_tree(leaves)

    epoch = [trading_batch(env, root_n(1))]
    epoch.append(funding_batch(env, root_n(2), dep_after=2, wroot=wroot, seq=2, prev=root_n(1)))
    receipt = chain.send(env.settle_fn(epoch))
    ev = env.bridge.events.Settled().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.firstBatchSeq, ev.lastBatchSeq, bytes(ev.newRoot), ev.depositCount, ev.forcedCount) == \
        (1, 2, root_n(2), 2, 0)
    assert env.root() == root_n(2) and env.seq() == 2
    assert b.settledDepositCount().call() == 2
    assert bytes(b.withdrawalsRoot(2).call()) == wroot
    assert bytes(b.withdrawalsRoot(1).call()) == ZERO

    wid, recipient, asset, amount = records[1]
    bad = list(proofs[1])
    bad[0] = numo.keccak(b"wrong")
    chain.expect_revert(b.claim(2, wid, recipient, asset, amount, bad), "BadProof")
    chain.expect_revert(b.claim(2, wid, recipient, asset, amount + 1, proofs[1]), "BadProof")
    chain.expect_revert(b.claim(1, wid, recipient, asset, amount, proofs[1]), "NoWithdrawalsRoot")

    for i, (wid, recipient, asset, amount) in enumerate(records):
        token = env.token_a if asset == ASSET_A else env.token_b
        before = token.functions.balanceOf(recipient).call()
        chain.send(b.claim(2, wid, recipient, asset, amount, proofs[i]), sender=u[4])  # anyone may send it
        assert token.functions.balanceOf(recipient).call() == before + amount
        assert b.isClaimed(wid).call()
        chain.expect_revert(b.claim(2, wid, recipient, asset, amount, proofs[i]), "AlreadyClaimed")


# ------------------------------------------------------------------ settle refusals (F13)

def test_settle_refusals(chain, env):
    b = env.bridge.functions
    u = env.users
    chain.send(b.deposit(env.token_a.address, 50, u[0]), sender=u[0])
    good = [trading_batch(env, root_n(1))]
    digest = numo.epoch_digest(chain.w3.eth.chain_id, env.bridge.address, numo.epoch_bytes(good))
    c = sorted(env.committee, key=lambda a: int(a.address, 16))

    def sigs(accts):
        return b"".join(numo.u256(s.r) + numo.u256(s.s) + numo.u8(s.v)
                        for s in (a.unsafe_sign_hash(digest) for a in accts))

    settle = lambda proof: b.settle(numo.epoch_bytes(good), proof)  # noqa: E731
    # forged: one byte of r flipped recovers some other address; s flipped to n - s is high-s.
    forged = bytearray(sigs(c[:2]))
    forged[5] ^= 1
    chain.expect_revert(settle(bytes(forged)), "NotCommitteeMember")
    high_s = bytearray(sigs(c[:2]))
    s = int.from_bytes(high_s[32:64], "big")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s[32:64] = numo.u256(n - s)
    high_s[64] = 55 - high_s[64]
    chain.expect_revert(settle(bytes(high_s)), "BadSignature")
    outsider = Account.from_key(numo.keccak(b"outsider"))
    chain.expect_revert(settle(numo.committee_sign([c[0], outsider], digest)), "NotCommitteeMember")
    chain.expect_revert(settle(sigs([c[0], c[0]])), "SignersNotAscending")
    chain.expect_revert(settle(sigs([c[1], c[0]])), "SignersNotAscending")
    chain.expect_revert(settle(sigs([c[0]])), "BelowThreshold")
    chain.expect_revert(settle(sigs(c[:2]) + b"\x01"), "BadProofLength")
    # signatures over another chain's digest
    other = numo.epoch_digest(1, env.bridge.address, numo.epoch_bytes(good))
    chain.expect_revert(settle(numo.committee_sign(c[:2], other)), "NotCommitteeMember")

    # the good epoch settles; replaying it is a batchSeq repeat
    chain.send(env.settle_fn(good))
    chain.expect_revert(env.settle_fn(good), "BatchSeqGap")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(3), seq=3)]), "BatchSeqGap")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(3), seq=1)]), "BatchSeqGap")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(3)), trading_batch(env, root_n(4), seq=4,
                                                                                     prev=root_n(3))]),
                        "BatchSeqGap")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(2), prev=root_n(7))]), "PrevRootMismatch")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(2)), trading_batch(env, root_n(3), seq=3)]),
                        "PrevRootMismatch")
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(2), dep_after=1, dep_acc_after=root_n(9))]),
                        "DepositAccMismatch")
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(2), dep_after=0, dep_acc_before=root_n(9))]),
                        "DepositAccMismatch")
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(2), dep_after=2, dep_acc_after=ZERO)]),
                        "DepositIndexBeyondQueue")
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(2), dep_before=1, dep_after=1,
                                                     dep_acc_before=env.dep_acc(1))]), "DepositIndexMismatch")
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(2), domain=numo.keccak(b"other"))]),
                        "FundingDomainMismatch")
    chain.expect_revert(b.settle(b"", b""), "EmptyEpoch")
    chain.expect_revert(b.settle(b"\x04" + b"\x00" * 272, b""), "UnknownBatchKind")
    chain.expect_revert(b.settle(numo.epoch_bytes(good)[:-1], b""), "TruncatedBatch")
    assert env.seq() == 1 and env.root() == root_n(1)
    # consuming the deposit twice: a second funding batch claiming indexBefore 0 again
    chain.send(env.settle_fn([funding_batch(env, root_n(2), dep_after=1)]))
    assert env.bridge.functions.settledDepositCount().call() == 1
    chain.expect_revert(env.settle_fn([funding_batch(env, root_n(3), dep_before=0, dep_acc_before=ZERO,
                                                     dep_after=1)]), "DepositIndexMismatch")


def evm_batch(env, new_root, *, seq=None, prev=None):
    """An EVM batch's 225-byte public inputs (E10): U8 phase ‖ U64 chainId ‖ U64 height ‖ U64 batchSeq ‖
    prevRoot ‖ newRoot ‖ inputDigest ‖ outputDigest ‖ contextDigest ‖ touchedKeysDigest ‖ U64 count."""
    seq = env.seq() + 1 if seq is None else seq
    prev = env.root() if prev is None else prev
    pi = (numo.u8(2) + numo.u64(7357) + numo.u64(10) + numo.u64(seq) + prev + new_root
          + b"".join(numo.keccak(bytes([i])) for i in range(4)) + numo.u64(3))
    assert len(pi) == 225
    return (3, pi)


def test_evm_batches_settle_between_others(chain, env):
    """Kind 3 (E10) chains the root like the others and moves no funds (F13)."""
    epoch = [trading_batch(env, root_n(1)), evm_batch(env, root_n(2), seq=2, prev=root_n(1)),
             trading_batch(env, root_n(3), seq=3, prev=root_n(2))]
    chain.send(env.settle_fn(epoch))
    assert env.seq() == 3 and env.root() == root_n(3)
    chain.expect_revert(env.settle_fn([evm_batch(env, root_n(5), prev=root_n(4))]), "PrevRootMismatch")
    chain.expect_revert(env.settle_fn([evm_batch(env, root_n(5), seq=5)]), "BatchSeqGap")
    chain.expect_revert(env.bridge.functions.settle(numo.epoch_bytes([evm_batch(env, root_n(4))])[:-1], b""),
                        "TruncatedBatch")


def test_committee_constructor_refusals(chain):
    keys = [a.address for a in numo_committee(2)]
    for members, threshold in [([], 1), (keys, 0), (keys, 3)]:
        assert chain.deploy_revert_name("CommitteeVerifier", members, threshold) == "BadCommittee"
    assert chain.deploy_revert_name("CommitteeVerifier", [keys[0], keys[0]], 1) == "BadMember"
    assert chain.deploy_revert_name("CommitteeVerifier", [keys[0], "0x" + "00" * 20], 1) == "BadMember"
    v = chain.deploy("CommitteeVerifier", keys, 2)
    assert v.functions.committee().call() == keys and v.functions.threshold().call() == 2


def numo_committee(n):
    from conftest import committee_keys
    return committee_keys(n)


# ------------------------------------------------------------------ freeze, escape, reclaim (F14)

def test_freeze_escape_reclaim(chain, env):
    b = env.bridge.functions
    u = env.users
    alice, bob, carol, dave = u[0], u[1], u[2], u[3]
    chain.send(b.deposit(env.token_a.address, 1000, alice), sender=alice)      # index 0, settled below
    chain.send(b.deposit(env.token_a.address, 500, dave), sender=bob)          # index 1, never settled
    chain.send(b.deposit(env.token_b.address, 70, carol), sender=carol)        # index 2, never settled

    # The settled state: three BAL leaves (two assets), proven in Solidity by escape.
    balances = {(alice, ASSET_A): (600, 300), (dave, ASSET_A): (100, 0), (alice, ASSET_B): (0, 5)}
    leaves = {numo.bal_key(o, a): numo.bal_leaf(numo.bal_key(o, a), av, lk) for (o, a), (av, lk) in balances.items()}
    root = numo.smt_root(leaves)
    chain.send(env.token_b.functions.mint(env.bridge.address, 5))  # backs alice's locked B

    wleaf = numo.withdrawal_leaf(0, carol, ASSET_A, 0)
    wroot, wproofs = numo.withdrawals_tree([wleaf])
    chain.send(env.settle_fn([funding_batch(env, root, dep_after=1, wroot=wroot)]))
    assert env.root() == root

    chain.expect_revert(b.freeze(), "NothingPending")
    chain.expect_revert(b.escape(alice, ASSET_A, 600, 300, numo.smt_proof(leaves, numo.bal_key(alice, ASSET_A))),
                        "NotFrozen")
    chain.expect_revert(b.reclaimDeposit(1, ASSET_A, bob, dave, 500), "NotFrozen")

    chain.send(b.requestForcedWithdrawal(ASSET_A, 900), sender=alice)
    chain.expect_revert(b.freeze(), "DeadlineNotPassed")
    chain.increase_time(FORCED_WINDOW - 100)
    chain.expect_revert(b.freeze(), "DeadlineNotPassed")
    chain.increase_time(200)
    receipt = chain.send(b.freeze(), sender=carol)
    assert env.bridge.events.Frozen().process_receipt(receipt, errors=DISCARD)[0].args.forcedIndex == 0
    assert b.frozen().call()

    chain.expect_revert(b.freeze(), "BridgeFrozen")
    chain.expect_revert(env.settle_fn([trading_batch(env, root_n(5))]), "BridgeFrozen")
    chain.expect_revert(b.deposit(env.token_a.address, 1, alice), "BridgeFrozen", alice)
    chain.expect_revert(b.requestForcedWithdrawal(ASSET_A, 1), "BridgeFrozen", alice)
    # a settled withdrawal still pays when frozen (amount 0 here: the leaf still must verify)
    chain.send(b.claim(1, 0, carol, ASSET_A, 0, wproofs[0]))
    assert b.isClaimed(0).call()

    ta, tb = env.token_a.functions, env.token_b.functions
    proof_alice = numo.smt_proof(leaves, numo.bal_key(alice, ASSET_A))
    chain.expect_revert(b.escape(alice, ASSET_A, 601, 300, proof_alice), "BadProof")
    chain.expect_revert(b.escape(alice, ASSET_A, 300, 600, proof_alice), "BadProof")
    chain.expect_revert(b.escape(dave, ASSET_A, 100, 0, proof_alice), "BadProof")
    chain.expect_revert(b.escape(alice, ASSET_A, 600, 300, proof_alice[:255]), "BadSiblingCount")
    chain.expect_revert(b.escape(carol, ASSET_A, 0, 0, proof_alice), "ZeroAmount")
    before = ta.balanceOf(alice).call()
    receipt = chain.send(b.escape(alice, ASSET_A, 600, 300, proof_alice), sender=carol)
    assert ta.balanceOf(alice).call() == before + 900
    ev = env.bridge.events.Escaped().process_receipt(receipt, errors=DISCARD)[0].args
    assert (ev.owner, bytes(ev.assetId), ev.amount) == (alice, ASSET_A, 900)
    chain.expect_revert(b.escape(alice, ASSET_A, 600, 300, proof_alice), "AlreadyEscaped")
    assert b.isEscaped(alice, ASSET_A).call()

    before = ta.balanceOf(dave).call()
    chain.send(b.escape(dave, ASSET_A, 100, 0, numo.smt_proof(leaves, numo.bal_key(dave, ASSET_A))))
    assert ta.balanceOf(dave).call() == before + 100
    before = tb.balanceOf(alice).call()
    chain.send(b.escape(alice, ASSET_B, 0, 5, numo.smt_proof(leaves, numo.bal_key(alice, ASSET_B))))
    assert tb.balanceOf(alice).call() == before + 5

    # unsettled deposits go back to `from`, once; a settled one cannot be reclaimed
    chain.expect_revert(b.reclaimDeposit(0, ASSET_A, alice, alice, 1000), "DepositNotReclaimable")
    chain.expect_revert(b.reclaimDeposit(3, ASSET_A, bob, dave, 500), "DepositNotReclaimable")
    chain.expect_revert(b.reclaimDeposit(1, ASSET_A, bob, dave, 501), "DepositAccMismatch")
    chain.expect_revert(b.reclaimDeposit(1, ASSET_A, dave, dave, 500), "DepositAccMismatch")
    before = ta.balanceOf(bob).call()
    chain.send(b.reclaimDeposit(1, ASSET_A, bob, dave, 500), sender=carol)
    assert ta.balanceOf(bob).call() == before + 500
    chain.expect_revert(b.reclaimDeposit(1, ASSET_A, bob, dave, 500), "AlreadyReclaimed")
    before = tb.balanceOf(carol).call()
    chain.send(b.reclaimDeposit(2, ASSET_B, carol, carol, 70))
    assert tb.balanceOf(carol).call() == before + 70
    # everything that backed a balance or an unsettled deposit has left the bridge
    assert ta.balanceOf(env.bridge.address).call() == 0
    assert tb.balanceOf(env.bridge.address).call() == 0


def test_smt_helper_matches_default_tree():
    # an empty tree is D256; one leaf's proof lifts to the root the helper computes
    assert numo.smt_root({}) == numo.DEFAULTS[256]
    k = numo.bal_key("0x" + "11" * 20, ASSET_A)
    leaves = {k: numo.bal_leaf(k, 1, 2)}
    sib = numo.smt_proof(leaves, k)
    assert all(s == numo.DEFAULTS[i] for i, s in enumerate(sib))


def test_deposit_credits_measured_amount_of_fee_on_transfer_token(chain, env):
    b = env.bridge.functions
    fot = chain.deploy("test/FeeOnTransferToken")
    asset = numo.keccak(b"asset-FOT")
    chain.send(b.registerAsset(asset, fot.address))
    sender, to = env.users[0], env.users[1]
    chain.send(fot.functions.mint(sender, 10_000))
    chain.send(fot.functions.approve(env.bridge.address, 10_000), sender=sender)
    receipt = chain.send(b.deposit(fot.address, 1000, to), sender=sender)
    ev = env.bridge.events.Deposited().process_receipt(receipt, errors=DISCARD)[0].args
    assert ev.amount == 990
    assert fot.functions.balanceOf(env.bridge.address).call() == 990
    assert env.dep_acc(1) == numo.deposit_acc(b"\x00" * 32, 0, asset, sender, to, 990)


def test_settling_forced_requests_prevents_freeze(chain, env):
    b = env.bridge.functions
    chain.send(b.requestForcedWithdrawal(ASSET_A, 5), sender=env.users[0])
    chain.send(b.requestForcedWithdrawal(ASSET_A, 6), sender=env.users[1])
    beyond = bytearray(funding_batch(env, root_n(1), forced_after=2)[1])
    beyond[328 + 7] = 3  # forcedIndexAfter = 3 > 2 enqueued
    chain.expect_revert(env.settle_fn([(2, bytes(beyond))]), "ForcedIndexBeyondQueue")
    batch = funding_batch(env, root_n(1), forced_after=1)
    bad = bytearray(batch[1])
    bad[336 + 31] ^= 1  # last byte of forcedAccAfter
    chain.expect_revert(env.settle_fn([(2, bytes(bad))]), "ForcedAccMismatch")
    bad = bytearray(batch[1])
    bad[288 + 7] = 1  # forcedIndexBefore = 1
    chain.expect_revert(env.settle_fn([(2, bytes(bad))]), "ForcedIndexMismatch")
    chain.send(env.settle_fn([batch]))
    assert b.settledForcedCount().call() == 1
    chain.increase_time(FORCED_WINDOW + 1)
    # request 1 is unsettled and past its deadline: freeze names it
    receipt = chain.send(b.freeze())
    assert env.bridge.events.Frozen().process_receipt(receipt, errors=DISCARD)[0].args.forcedIndex == 1


def test_settling_all_forced_requests_leaves_nothing_to_freeze(chain, env):
    b = env.bridge.functions
    chain.send(b.requestForcedWithdrawal(ASSET_B, 5), sender=env.users[0])
    chain.send(env.settle_fn([funding_batch(env, root_n(1), forced_after=1)]))
    chain.increase_time(FORCED_WINDOW + 1)
    chain.expect_revert(b.freeze(), "NothingPending")
