"""Signing with eth-account: the key signs the 32-byte ``msgHash`` directly (not EIP-191
``personal_sign``: the ``0x19 0x01`` prefix is already inside ``msgHash``). The result is the
spec's 65-byte ``r | s | v`` with low ``s`` and ``v`` in {27, 28}, deterministic (RFC 6979)."""

from __future__ import annotations

from eth_account import Account

from .encoding import Bytesish, Cancel, Place, msg_hash, to_bytes


class Signer:
    """A trader's key."""

    def __init__(self, private_key: Bytesish):
        self._account = Account.from_key(to_bytes(private_key, 32, "private key"))

    @property
    def address(self) -> str:
        """Checksummed address."""
        return self._account.address

    def sign_hash(self, digest: Bytesish) -> bytes:
        """65-byte signature of a 32-byte digest."""
        signed = self._account.unsafe_sign_hash(to_bytes(digest, 32, "digest"))
        return signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])

    def sign(self, message: Place | Cancel, domain: Bytesish) -> dict:
        """The canonical submission body: ``{"message": "0x…", "signature": "0x…"}``."""
        signature = self.sign_hash(msg_hash(message, domain))
        return {"message": "0x" + message.encode().hex(), "signature": "0x" + signature.hex()}
