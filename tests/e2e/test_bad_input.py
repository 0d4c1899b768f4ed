"""What must be refused is refused, on both sides."""

from eth_account import Account
from web3 import Web3

from conftest import USERS, artifact, b32, revert_name, u64, u256, wait_for


def error(response):
    return response.status_code, response.json()["error"]["code"]


def test_numo_refusals(net):
    user, other = USERS[7], USERS[8]
    index, _ = net.deposit(user, "USDC", 100 * 10**6)
    net.wait_credited(index)

    # Over the balance: executed and rejected (the funding nonce is consumed).
    r = net.node.post("/v1/withdrawals", net.withdraw_body(user, "USDC", 100 * 10**6 + 1, nonce=0))
    assert error(r) == (422, "insufficient_balance"), r.text
    assert net.balance(user.address, "USDC") == (100 * 10**6, 0)
    assert net.node.get(f"/v1/accounts/{user.address}")["fundingNonce"]["nextNonce"] == 1

    # Signed by someone else.
    r = net.node.post("/v1/withdrawals", net.withdraw_body(user, "USDC", 10**6, nonce=1, signer=other))
    assert error(r) == (401, "bad_signature"), r.text
    # A tampered amount breaks a good signature too.
    body = net.withdraw_body(user, "USDC", 10**6, nonce=1)
    body["amount"] = str(2 * 10**6)
    assert error(net.node.post("/v1/withdrawals", body)) == (401, "bad_signature")

    # Wrong nonces: used, and a gap.
    r = net.node.post("/v1/withdrawals", net.withdraw_body(user, "USDC", 10**6, nonce=0))
    assert r.status_code == 409 and r.json()["error"]["code"] == "nonce_used", r.text
    r = net.node.post("/v1/withdrawals", net.withdraw_body(user, "USDC", 10**6, nonce=5))
    assert r.status_code == 409 and r.json()["error"]["code"] == "nonce_gap", r.text

    # Nothing above moved the balance or made a withdrawal; the right one still works.
    assert net.node.get("/v1/withdrawals", owner=user.address) == []
    w = net.withdraw(user, "USDC", 10**6)
    assert w["status"] == "pending"
    assert net.balance(user.address, "USDC") == (99 * 10**6, 0)


def test_l1_refusals(net):
    user = USERS[9]
    # An ERC20 the bridge does not know.
    art = artifact("DevToken")
    factory = net.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = net.w3.eth.wait_for_transaction_receipt(
        factory.constructor("Stray", "STRAY", 18, user.address).transact({"from": user.address}), timeout=30)
    stray = net.w3.eth.contract(address=receipt.contractAddress, abi=art["abi"])
    net.send(stray.functions.mint(user.address, 10**20), user.address)
    net.send(stray.functions.approve(net.bridge.address, 10**20), user.address)
    deposit = net.bridge.functions.deposit(stray.address, 10**18, user.address)
    assert revert_name(lambda: deposit.call({"from": user.address})) == "UnknownToken"

    # A settlement signed by a non-member: the next batchSeq on the settled root, a made-up
    # new root, so only the verifier can refuse it.
    net.quiesce()
    root = bytes(net.bridge.functions.stateRoot().call())
    seq = net.bridge.functions.lastBatchSeq().call() + 1
    pi = root + b"\x66" * 32 + b"\x00" * 96 + u64(seq) + u64(1_700_000_000) + b"\x00" * 96
    pi = pi.ljust(272, b"\x00")
    epoch = b"\x01" + pi
    digest = bytes(net.bridge.functions.epochDigest(epoch).call())
    forger = Account.create()
    sig = forger.unsafe_sign_hash(digest)
    proof = u256(sig.r) + u256(sig.s) + bytes([sig.v])
    settle = net.bridge.functions.settle(epoch, proof)
    assert revert_name(lambda: settle.call({"from": user.address})) == "NotCommitteeMember"
    # The same forgery signed by the operator (the dev committee of one) would pass the
    # verifier: the refusal above is the signature's, not the epoch's shape.
    operator = Account.from_key("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    sig = operator.unsafe_sign_hash(digest)
    settle = net.bridge.functions.settle(epoch, u256(sig.r) + u256(sig.s) + bytes([sig.v]))
    settle.call({"from": user.address})  # does not revert (an eth_call: nothing is changed)
    assert net.bridge.functions.lastBatchSeq().call() == seq - 1
