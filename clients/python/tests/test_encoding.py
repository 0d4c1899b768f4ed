"""The SDK's bytes, hashes and eth-account signatures against the spec vectors
(encodings.json), and its refusals of malformed fields."""

import pytest
from eth_account import Account

from numo_client import Cancel, Place, Signer, domain_separator, msg_hash


def place_of(v):
    return Place(v["trader"], v["nonce"], v["orderId"], v["side"], v["tif"], v["tickIndex"], int(v["qtyBase"]))


def test_domain_separator(vectors):
    d = vectors["domainSeparator"]
    assert "0x" + domain_separator(d["chainId"], d["venueId"], d["marketId"]).hex() == d["value"]


def test_message_bytes_and_hashes(vectors):
    domain = vectors["domainSeparator"]["value"]
    place, cancel = vectors["messages"]["place"], vectors["messages"]["cancel"]
    for message, v in ((place_of(place), place), (Cancel(cancel["trader"], cancel["nonce"], cancel["orderId"]), cancel)):
        raw = message.encode()
        assert "0x" + raw.hex() == v["bytes"]
        assert "0x" + msg_hash(message, domain).hex() == v["msgHash"]
        assert msg_hash(raw, domain) == msg_hash(message, domain)
    assert len(place_of(place).encode()) == 102


def test_signatures_match_the_vectors_and_recover(vectors):
    for v in vectors["signatures"]:
        signer = Signer(v["privateKey"])
        assert signer.address.lower() == v["address"]
        signature = signer.sign_hash(v["digest"])
        expected = bytes.fromhex(v["signature"][2:])
        assert signature[:64] == expected[:64], "same r and s (RFC 6979, low s)"
        assert signature[64] in (27, 28)
        assert signature[64] - 27 == expected[64] % 27, "v in {27, 28} is the vector's parity"
        assert int.from_bytes(signature[32:64], "big") <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
        recovered = Account._recover_hash(bytes.fromhex(v["digest"][2:]), signature=signature)
        assert recovered.lower() == v["address"]


def test_sign_gives_the_canonical_body(vectors):
    v = vectors["messages"]["place"]
    signer = Signer(vectors["signatures"][0]["privateKey"])
    body = signer.sign(place_of(v), vectors["domainSeparator"]["value"])
    assert body == {"message": v["bytes"], "signature": vectors["signatures"][0]["signature"]}


@pytest.mark.parametrize(
    "fields",
    [
        dict(trader="0x1234"),
        dict(nonce=-1),
        dict(nonce=1 << 64),
        dict(order_id="0xzz"),
        dict(side=256),
        dict(tick=1 << 31),
        dict(qty=1 << 256),
    ],
)
def test_bad_fields_are_refused(vectors, fields):
    v = vectors["messages"]["place"]
    base = dict(trader=v["trader"], nonce=0, order_id=v["orderId"], side=1, tif=0, tick=10000, qty=1)
    base.update(fields)
    with pytest.raises(ValueError):
        Place(**base).encode()


def test_negative_ticks_are_twos_complement(vectors):
    v = vectors["messages"]["place"]
    raw = Place(v["trader"], 0, v["orderId"], 0, 0, -2, 1).encode()
    assert raw[-36:-32] == bytes.fromhex("fffffffe")
