"""Python client for a numo exchange node.

Encodes Place and Cancel messages exactly as the spec lays them out (``encoding``), signs their
``msgHash`` with eth-account (``signing``), converts human prices and quantities to the
market's tick/lot grid (``units``), talks to the node's HTTP API (``client``) and follows its
WebSocket streams (``stream``). Withdrawals and transfers are signed like orders under the
venue's funding domain (``NodeClient.withdraw``, ``NodeClient.transfer``); ``numo_client.l1`` (extra ``l1``, web3.py) deposits into and
claims from the L1 bridge.
"""

from .encoding import Cancel, Place, Transfer, Withdraw, domain_separator, funding_domain, msg_hash
from .signing import Signer
from .units import Grid, OffGridError
from .client import Market, NodeClient, NodeError
from .stream import LocalBook, Stream, StreamError

__all__ = [
    "Cancel",
    "Grid",
    "LocalBook",
    "Market",
    "NodeClient",
    "NodeError",
    "OffGridError",
    "Place",
    "Signer",
    "Stream",
    "StreamError",
    "Transfer",
    "Withdraw",
    "domain_separator",
    "funding_domain",
    "msg_hash",
]
