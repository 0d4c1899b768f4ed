"""Funding with the SDK: the Withdraw bytes and msgHash equal the Rust implementation's (the
fixed vector below is also pinned in crates/cli/src/funding_cmd.rs), and against a real anvil
and node: deposit -> credited, withdraw -> id with the node's msgHash equal to ours, settled ->
claim pays the recipient exactly the amount, a second claim fails, a withdrawal over the
balance is insufficient_balance, and a forced withdrawal request is honoured."""

import time

import pytest
from eth_account import Account
from web3 import Web3

from numo_client import NodeClient, NodeError, Signer, Withdraw, funding_domain, l1, msg_hash

# Anvil's default accounts: each holds 1,000,000 of every dev token on the dev L1.
ANVIL_KEYS = [
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
]


def test_withdraw_vector_matches_rust():
    domain = funding_domain(31337, "0x" + "11" * 32)
    assert domain.hex() == "47ee380e56910f959573d65cb4caa62914fd4d6cf3593ae1a434f1037c3f01d1"
    w = Withdraw(
        owner="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        nonce=7,
        asset_id="0x" + "22" * 32,
        amount=400_000_000,
        recipient="0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    )
    raw = w.encode()
    assert len(raw) == 113
    assert raw.hex() == (
        "03"
        "70997970c51812dc3a010c7d01b50e0d17dc79c8"
        "0000000000000007"
        "2222222222222222222222222222222222222222222222222222222222222222"
        "0000000000000000000000000000000000000000000000000000000017d78400"
        "3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
    )
    assert msg_hash(w, domain).hex() == "031c823dfebfd3f74f53060983d03e30b96b2611c5d3c5e6334deee441d264de"


def test_withdraw_refuses_bad_amounts():
    with pytest.raises(ValueError):
        Withdraw("0x" + "00" * 20, 0, "0x" + "00" * 32, -1, "0x" + "00" * 20).encode()
    with pytest.raises(ValueError):
        NodeClient("http://127.0.0.1:1").withdraw(Signer(ANVIL_KEYS[0]), "USDC", 1.5, "0x" + "11" * 20)


def _until(check, what, seconds=90.0):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {seconds} s")
        time.sleep(0.25)


def test_deposit_withdraw_claim(l1_node_url, anvil_url):
    client = NodeClient(l1_node_url)
    w3 = Web3(Web3.HTTPProvider(anvil_url))
    info = client.l1()
    markets = list(client.markets().values())
    assert "0x" + funding_domain(markets[0].info["chainId"], markets[0].info["venueId"]).hex() == info["fundingDomain"]
    account = Account.from_key(ANVIL_KEYS[0])
    signer = Signer(ANVIL_KEYS[0])
    recipient = Account.from_key(ANVIL_KEYS[1]).address
    usdc = info["tokens"]["USDC"]

    # Deposit 1000 USDC and wait for the node to credit it.
    receipt = l1.deposit(w3, account, info["bridge"], usdc, 1000 * 10**6)
    row = _until(
        lambda: next((d for d in client.deposits(account.address) if d["index"] == receipt["index"]), None),
        "deposit credited",
    )
    assert (row["status"], row["amount"], row["to"].lower()) == ("credited", str(1000 * 10**6), account.address.lower())

    # Withdraw 400 USDC to another address: the node's msgHash is the one we signed.
    nonce = client.funding_nonce(account.address)
    answer = client.withdraw(signer, "USDC", 400 * 10**6, recipient)
    asset_id = client.asset_id("USDC")
    ours = msg_hash(Withdraw(account.address, nonce, asset_id, 400 * 10**6, recipient), client.funding_domain())
    assert answer["msgHash"] == "0x" + ours.hex() and answer["status"] == "pending", answer
    wid = answer["id"]

    # Over the remaining 600: rejected, and the nonce is spent.
    with pytest.raises(NodeError) as refused:
        client.withdraw(signer, asset_id, 600 * 10**6 + 1, recipient)
    assert (refused.value.status, refused.value.code) == (422, "insufficient_balance")
    assert client.account(account.address)["fundingNonce"]["nextNonce"] == nonce + 2

    # Not claimable before settlement; then the claim pays exactly the amount.
    settled = _until(lambda: (lambda w: w if w["status"] == "settled" else None)(client.withdrawal(wid)), "settled")
    assert [w["id"] for w in client.withdrawals(account.address)] == [wid]
    before = l1.erc20_balance(w3, usdc, recipient)
    payer = Account.from_key(ANVIL_KEYS[2])
    l1.claim(w3, payer, settled)
    assert l1.erc20_balance(w3, usdc, recipient) - before == 400 * 10**6
    with pytest.raises(Exception):
        l1.claim(w3, payer, settled)
    assert l1.erc20_balance(w3, usdc, recipient) - before == 400 * 10**6
    _until(lambda: client.withdrawal(wid)["status"] == "claimed", "the node sees the claim")
    with pytest.raises(l1.L1Error):
        l1.claim(w3, payer, client.withdrawal(wid))

    # A forced withdrawal request takes what is available (600 USDC) through L1.
    forced = l1.request_forced_withdrawal(w3, account, info["bridge"], asset_id, 10**12)
    assert forced["index"] == 0 and forced["deadline"] > 0
    row = _until(
        lambda: next((w for w in client.withdrawals(account.address) if w["kind"] == "forced"), None), "forced row"
    )
    assert row["amount"] == str(600 * 10**6) and row["recipient"].lower() == account.address.lower()
