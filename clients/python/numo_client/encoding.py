"""Message bytes and hashes of NUMO SPOT CLOB V1 (section C, C1): fixed-width big-endian fields.

Place (0x01, 102 bytes): type U8 | trader ADDR | nonce U64 | orderId B32 | side U8 | tif U32 |
tickIndex I32 | qtyBase U256. Cancel (0x02, 61 bytes): type U8 | trader ADDR | nonce U64 |
orderId B32.

domainSeparator = keccak256("NUMO_SPOT_CLOB_V1" | U64 chainId | B32 venueId | B32 marketId)
msgHash = keccak256(0x19 | 0x01 | domainSeparator | keccak256(messageBytes))

Funding (PROTOCOL.md section 11, F1/F2): Withdraw (0x03, 113 bytes): type U8 | owner ADDR |
nonce U64 | assetId B32 | amount U256 | recipient ADDR, and Transfer (0x05, 113 bytes): type U8 |
owner ADDR | nonce U64 | assetId B32 | amount U256 | to ADDR, both signed under the venue's
funding domain fundingDomainSeparator = keccak256("NUMO_FUNDING_V1" | U64 chainId | B32 venueId),
with the same msgHash construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from eth_utils import keccak

DOMAIN_TAG = b"NUMO_SPOT_CLOB_V1"
FUNDING_DOMAIN_TAG = b"NUMO_FUNDING_V1"
PLACE_TYPE = 0x01
CANCEL_TYPE = 0x02
WITHDRAW_TYPE = 0x03
TRANSFER_TYPE = 0x05
BUY, SELL = 0, 1
GTC, IOC = 0, 1

Bytesish = Union[bytes, str, int]


def to_bytes(value: Bytesish, length: int, what: str) -> bytes:
    """``value`` (bytes, 0x hex, or a non-negative integer) as exactly ``length`` bytes."""
    if isinstance(value, int):
        if value < 0 or value >= 1 << (8 * length):
            raise ValueError(f"{what} does not fit in {length} bytes")
        return value.to_bytes(length, "big")
    if isinstance(value, str):
        text = value[2:] if value.startswith(("0x", "0X")) else value
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{what} must be hex") from None
    else:
        raw = bytes(value)
    if len(raw) != length:
        raise ValueError(f"{what} must be {length} bytes, got {len(raw)}")
    return raw


def _uint(value: int, length: int, what: str) -> bytes:
    if not isinstance(value, int) or value < 0 or value >= 1 << (8 * length):
        raise ValueError(f"{what} must be an integer in [0, 2^{8 * length})")
    return value.to_bytes(length, "big")


def _int32(value: int, what: str) -> bytes:
    if not isinstance(value, int) or not -(1 << 31) <= value < 1 << 31:
        raise ValueError(f"{what} must be a 32-bit signed integer")
    return value.to_bytes(4, "big", signed=True)


@dataclass(frozen=True)
class Place:
    """A Place message. ``side`` 0 = buy, 1 = sell; ``tif`` 0 = GTC, 1 = IOC; ``tick`` is the
    tick index (price = tick x tickSize); ``qty`` is base smallest units (a multiple of lotSize)."""

    trader: Bytesish
    nonce: int
    order_id: Bytesish
    side: int
    tif: int
    tick: int
    qty: int

    def encode(self) -> bytes:
        """The 102 spec bytes."""
        return b"".join(
            [
                bytes([PLACE_TYPE]),
                to_bytes(self.trader, 20, "trader"),
                _uint(self.nonce, 8, "nonce"),
                to_bytes(self.order_id, 32, "orderId"),
                _uint(self.side, 1, "side"),
                _uint(self.tif, 4, "tif"),
                _int32(self.tick, "tick"),
                _uint(self.qty, 32, "qty"),
            ]
        )


@dataclass(frozen=True)
class Cancel:
    """A Cancel message: the trader's resting order ``order_id`` in this market."""

    trader: Bytesish
    nonce: int
    order_id: Bytesish

    def encode(self) -> bytes:
        """The 61 spec bytes."""
        return b"".join(
            [
                bytes([CANCEL_TYPE]),
                to_bytes(self.trader, 20, "trader"),
                _uint(self.nonce, 8, "nonce"),
                to_bytes(self.order_id, 32, "orderId"),
            ]
        )


@dataclass(frozen=True)
class Withdraw:
    """A Withdraw (F2): move ``amount`` base units of ``asset_id`` from ``owner``'s available
    balance to ``recipient`` on L1. ``nonce`` is the owner's funding nonce (separate from the
    per-market nonces)."""

    owner: Bytesish
    nonce: int
    asset_id: Bytesish
    amount: int
    recipient: Bytesish

    def encode(self) -> bytes:
        """The 113 spec bytes."""
        return b"".join(
            [
                bytes([WITHDRAW_TYPE]),
                to_bytes(self.owner, 20, "owner"),
                _uint(self.nonce, 8, "nonce"),
                to_bytes(self.asset_id, 32, "assetId"),
                _uint(self.amount, 32, "amount"),
                to_bytes(self.recipient, 20, "recipient"),
            ]
        )


@dataclass(frozen=True)
class Transfer:
    """A Transfer (F2): move ``amount`` base units of ``asset_id`` from ``owner``'s available
    balance to ``to``'s available balance on numo (any address, a contract's included; nothing
    happens on L1). ``nonce`` is the owner's funding nonce, shared with its withdrawals."""

    owner: Bytesish
    nonce: int
    asset_id: Bytesish
    amount: int
    to: Bytesish

    def encode(self) -> bytes:
        """The 113 spec bytes."""
        return b"".join(
            [
                bytes([TRANSFER_TYPE]),
                to_bytes(self.owner, 20, "owner"),
                _uint(self.nonce, 8, "nonce"),
                to_bytes(self.asset_id, 32, "assetId"),
                _uint(self.amount, 32, "amount"),
                to_bytes(self.to, 20, "to"),
            ]
        )


def funding_domain(chain_id: int, venue_id: Bytesish) -> bytes:
    """The venue's funding domain (F1), under which withdrawals and transfers are signed (a node with an L1
    also serves it as ``fundingDomain`` in ``GET /v1/l1``)."""
    return keccak(FUNDING_DOMAIN_TAG + _uint(chain_id, 8, "chainId") + to_bytes(venue_id, 32, "venueId"))


def domain_separator(chain_id: int, venue_id: Bytesish, market_id: Bytesish) -> bytes:
    """The market's signing domain (a node also serves it in ``GET /v1/markets``)."""
    material = DOMAIN_TAG + _uint(chain_id, 8, "chainId") + to_bytes(venue_id, 32, "venueId")
    return keccak(material + to_bytes(market_id, 32, "marketId"))


def msg_hash(message: Union[Place, Cancel, Withdraw, Transfer, bytes], domain: Bytesish) -> bytes:
    """The digest a trader signs: ``keccak256(0x19 0x01 | domainSeparator | keccak256(bytes))``."""
    raw = message if isinstance(message, bytes) else message.encode()
    return keccak(b"\x19\x01" + to_bytes(domain, 32, "domainSeparator") + keccak(raw))
