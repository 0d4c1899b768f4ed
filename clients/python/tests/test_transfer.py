"""Transfers with the SDK: the Transfer bytes and msgHash equal the Rust implementation's (the
fixed vector below is also pinned in crates/cli/src/transfer_cmd.rs), and against a dev node:
a transfer to a fresh address (as a contract's would be) moves exactly the amount between the
two available balances with the node's msgHash equal to ours, the funding nonce is shared with
withdrawals, and a transfer over the balance or to the signer itself is rejected with its code,
its nonce spent."""

import pytest

from numo_client import NodeClient, NodeError, Signer, Transfer, funding_domain, msg_hash


def test_transfer_vector_matches_rust():
    domain = funding_domain(31337, "0x" + "11" * 32)
    t = Transfer(
        owner="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        nonce=7,
        asset_id="0x" + "22" * 32,
        amount=400_000_000,
        to="0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    )
    raw = t.encode()
    assert len(raw) == 113
    assert raw.hex() == (
        "05"
        "70997970c51812dc3a010c7d01b50e0d17dc79c8"
        "0000000000000007"
        "2222222222222222222222222222222222222222222222222222222222222222"
        "0000000000000000000000000000000000000000000000000000000017d78400"
        "3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
    )
    assert msg_hash(t, domain).hex() == "62f03c88cb14dad4b3f5b288771b2395d9481d67fe6ae493d1d5582e7fbcc787"


def test_transfer_refuses_bad_amounts():
    with pytest.raises(ValueError):
        Transfer("0x" + "00" * 20, 0, "0x" + "00" * 32, -1, "0x" + "00" * 20).encode()
    with pytest.raises(ValueError):
        NodeClient("http://127.0.0.1:1").transfer(Signer("0x" + "11" * 32), "USDC", 0, "0x" + "11" * 20)


def _available(client, address, symbol):
    rows = [b for b in client.account(address)["balances"] if b["symbol"] == symbol]
    return int(rows[0]["available"]) if rows else 0


def test_transfer_moves_both_balances(node_url, dev_keys):
    client = NodeClient(node_url)
    signer = Signer(dev_keys[3])
    to = "0x" + "c1" * 20
    before = _available(client, signer.address, "USDC")
    nonce = client.funding_nonce(signer.address)

    answer = client.transfer(signer, "USDC", 250 * 10**6, to)
    ours = msg_hash(Transfer(signer.address, nonce, client.asset_id("USDC"), 250 * 10**6, to), client.funding_domain())
    assert answer["msgHash"] == "0x" + ours.hex() and answer["status"] == "transferred", answer
    assert _available(client, signer.address, "USDC") == before - 250 * 10**6
    assert _available(client, to, "USDC") == 250 * 10**6

    for amount, dest, code in ((before, to, "insufficient_balance"), (1, signer.address, "self_transfer")):
        with pytest.raises(NodeError) as refused:
            client.transfer(signer, "USDC", amount, dest)
        assert (refused.value.status, refused.value.code) == (422, code)
    assert client.account(signer.address)["fundingNonce"]["nextNonce"] == nonce + 3
    assert _available(client, to, "USDC") == 250 * 10**6
