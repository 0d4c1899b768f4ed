"""The node's HTTP API (``docs/API.md``): markets, book, trades, accounts, blocks, batches,
order submission with signing, nonces and the grid handled for you, and funding: signed
withdrawals and transfers, the deposit and withdrawal lists, and the bridge's L1 coordinates."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

import requests

from .encoding import BUY, GTC, IOC, SELL, Cancel, Place, Transfer, Withdraw, funding_domain, msg_hash, to_bytes
from .signing import Signer
from .units import Amount, Grid


class NodeError(Exception):
    """A refusal from the node: HTTP ``status`` and the API's ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Market:
    """A market as ``GET /v1/markets`` describes it, with its grid."""

    symbol: str
    market_id: str
    domain_separator: str
    grid: Grid
    info: Dict[str, Any]


def _order_id(order_id: Union[None, int, str, bytes]) -> bytes:
    if order_id is None:
        while True:
            fresh = secrets.token_bytes(32)
            if any(fresh):
                return fresh
    return to_bytes(order_id, 32, "orderId")


class NodeClient:
    """A client of one node, e.g. ``NodeClient("http://127.0.0.1:8080")``."""

    def __init__(self, url: str, timeout: float = 35.0, session: Optional[requests.Session] = None):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()
        self._nonces: Dict[Tuple[str, str], int] = {}
        self._markets: Optional[Dict[str, Market]] = None

    # -- transport -----------------------------------------------------------------------
    def _answer(self, response: requests.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            error = (body or {}).get("error", {}) if isinstance(body, dict) else {}
            raise NodeError(response.status_code, error.get("code", "http_error"), error.get("message", response.text))
        return body

    def get(self, path: str, **params: Any) -> Any:
        """``GET path`` as JSON; raises :class:`NodeError` on a refusal."""
        return self._answer(self.http.get(self.url + path, params=params or None, timeout=self.timeout))

    # -- reading -------------------------------------------------------------------------
    def markets(self) -> Dict[str, Market]:
        """Every market by symbol (cached)."""
        if self._markets is None:
            self._markets = {}
            for m in self.get("/v1/markets"):
                grid = Grid(
                    price_scale=int(m["priceScale"]),
                    tick_size=int(m["tickSize"]),
                    lot_size=int(m["lotSize"]),
                    base_decimals=m.get("baseDecimals"),
                    quote_decimals=m.get("quoteDecimals"),
                )
                self._markets[m["symbol"]] = Market(m["symbol"], m["marketId"], m["domainSeparator"], grid, m)
        return self._markets

    def market(
        self, name: str, base_decimals: Optional[int] = None, quote_decimals: Optional[int] = None
    ) -> Market:
        """A market by symbol (``WETH/USDC`` or ``WETH-USDC``) or id. Nodes that do not report
        asset decimals need them given here to convert human prices and quantities."""
        wanted = name.replace("-", "/").lower()
        for market in self.markets().values():
            if market.symbol.lower() == wanted or market.market_id.lower() == name.lower():
                grid = market.grid
                if base_decimals is not None or quote_decimals is not None:
                    grid = Grid(
                        grid.price_scale,
                        grid.tick_size,
                        grid.lot_size,
                        grid.base_decimals if base_decimals is None else base_decimals,
                        grid.quote_decimals if quote_decimals is None else quote_decimals,
                    )
                return Market(market.symbol, market.market_id, market.domain_separator, grid, market.info)
        raise NodeError(404, "unknown_market", f"no market {name}")

    def book(self, market: Union[str, Market], depth: int = 20) -> Dict[str, Any]:
        """L2 book from committed state."""
        return self.get(f"/v1/markets/{self._id(market)}/book", depth=depth)

    def trades(self, market: Union[str, Market], limit: int = 100) -> list:
        """Recent trades, newest first."""
        return self.get(f"/v1/markets/{self._id(market)}/trades", limit=limit)

    def account(self, address: str) -> Dict[str, Any]:
        """Balances, open orders and committed nonces."""
        return self.get(f"/v1/accounts/{address}")

    def batch(self, seq: int) -> Dict[str, Any]:
        """A batch: PublicInputs, roots, messages with outcomes, trades, verification."""
        return self.get(f"/v1/batches/{int(seq)}")

    def block(self, height: Optional[int] = None) -> Dict[str, Any]:
        """A block header (the latest without ``height``)."""
        return self.get("/v1/blocks/latest" if height is None else f"/v1/blocks/{int(height)}")

    def next_nonce(self, address: str, market: Union[str, Market]) -> int:
        """The nonce the next message of ``address`` in ``market`` must carry: the node's pending
        one (admitted messages not yet in a block count), or one past the last this client
        submitted if that is later."""
        market_id = self._id(market)
        committed = next(
            n.get("pendingNonce", n["nextNonce"])
            for n in self.account(address)["nonces"]
            if n["marketId"].lower() == market_id.lower()
        )
        return max(committed, self._nonces.get((address.lower(), market_id.lower()), 0))

    # -- submitting ----------------------------------------------------------------------
    def submit(self, body: Dict[str, str], wait: bool = True) -> Dict[str, Any]:
        """``POST /v1/messages`` of a signed body; with ``wait`` the answer has the outcome."""
        response = self.http.post(
            self.url + "/v1/messages", json=body, params=None if wait else {"wait": "false"}, timeout=self.timeout
        )
        return self._answer(response)

    def place(
        self,
        signer: Signer,
        market: Union[str, Market],
        side: str,
        price: Amount,
        qty: Amount,
        order_id: Union[None, int, str, bytes] = None,
        tif: str = "gtc",
        wait: bool = True,
    ) -> Dict[str, Any]:
        """Signs and submits a Place of a human ``qty`` at a human ``price`` (both checked against
        the grid before anything is sent). Returns the node's answer with ``orderId`` set."""
        market = market if isinstance(market, Market) else self.market(market)
        if market.grid.base_decimals is None or market.grid.quote_decimals is None:
            raise ValueError(f"{market.symbol}: the node does not report asset decimals; pass them to market()")
        sides = {"buy": BUY, "sell": SELL}
        tifs = {"gtc": GTC, "ioc": IOC}
        if side not in sides or tif not in tifs:
            raise ValueError("side must be 'buy' or 'sell' and tif 'gtc' or 'ioc'")
        tick, units = market.grid.tick_of(price), market.grid.qty_of(qty)
        oid = _order_id(order_id)
        nonce = self.next_nonce(signer.address, market)
        message = Place(signer.address, nonce, oid, sides[side], tifs[tif], tick, units)
        return self._send(signer, market, message, wait)

    def cancel(
        self, signer: Signer, market: Union[str, Market], order_id: Union[int, str, bytes], wait: bool = True
    ) -> Dict[str, Any]:
        """Signs and submits a Cancel of one of the signer's resting orders."""
        market = market if isinstance(market, Market) else self.market(market)
        nonce = self.next_nonce(signer.address, market)
        return self._send(signer, market, Cancel(signer.address, nonce, _order_id(order_id)), wait)

    def _send(self, signer: Signer, market: Market, message: Union[Place, Cancel], wait: bool) -> Dict[str, Any]:
        key = (signer.address.lower(), market.market_id.lower())
        try:
            answer = self.submit(signer.sign(message, market.domain_separator), wait=wait)
        except NodeError as error:
            if error.code.startswith("nonce"):
                self._nonces.pop(key, None)
            raise
        self._nonces[key] = message.nonce + 1
        answer.setdefault("orderId", "0x" + to_bytes(message.order_id, 32, "orderId").hex())
        return answer

    # -- funding -------------------------------------------------------------------------
    def l1(self) -> Dict[str, Any]:
        """``GET /v1/l1``: ``chainId``, ``bridge``, ``tokens`` (symbol -> address),
        ``confirmations``, ``lastSettledBatch``, ``fundingDomain``. A node without an L1 refuses
        with :class:`NodeError` code ``no_l1`` (404)."""
        return self.get("/v1/l1")

    def deposits(self, owner: Optional[str] = None) -> list:
        """Executed deposits (``credited`` or ``refunded``) by L1 index; with ``owner``, those
        it sent or received."""
        return self.get("/v1/deposits", **({"owner": owner} if owner else {}))

    def withdrawals(self, owner: Optional[str] = None) -> list:
        """Withdrawals (and refunds, forced withdrawals) by id, with their ``status``
        (``pending``, ``settled``, ``claimed``) and, once settled, the ``claim`` calldata."""
        return self.get("/v1/withdrawals", **({"owner": owner} if owner else {}))

    def withdrawal(self, withdrawal_id: int) -> Dict[str, Any]:
        """One withdrawal; ``claim`` = ``{"to", "data"}`` once its batch is settled on L1."""
        return self.get(f"/v1/withdrawals/{int(withdrawal_id)}")

    def funding_domain(self) -> bytes:
        """The venue's funding domain (F1): computed from the markets' ``chainId`` and
        ``venueId``, and checked against the node's ``fundingDomain`` when it has an L1."""
        markets = list(self.markets().values())
        if not markets:
            raise NodeError(404, "funding_disabled", "the node lists no market, so no asset is fundable")
        info = markets[0].info
        domain = funding_domain(int(info["chainId"]), info["venueId"])
        try:
            served = self.l1().get("fundingDomain")
        except NodeError as error:
            if error.code != "no_l1":
                raise
            served = None
        if served is not None and to_bytes(served, 32, "fundingDomain") != domain:
            raise NodeError(409, "domain_mismatch", f"the node's fundingDomain {served} is not its venue's 0x{domain.hex()}")
        return domain

    def funding_nonce(self, address: str) -> int:
        """The funding nonce the next withdrawal or transfer of ``address`` must carry (the node's
        pending one: withdrawals and transfers admitted but not in a block yet count)."""
        nonce = self.account(address)["fundingNonce"]
        return int(nonce.get("pendingNonce", nonce["nextNonce"]))

    def asset_id(self, asset: str) -> str:
        """The ``0x`` id of an asset symbol (any case) some market trades, or ``asset`` itself if
        it is already a ``0x`` id."""
        if asset.startswith(("0x", "0X")):
            return "0x" + to_bytes(asset, 32, "assetId").hex()
        for market in self.markets().values():
            base, _, quote = market.symbol.partition("/")
            for symbol, key in ((base, "baseAssetId"), (quote, "quoteAssetId")):
                if symbol.lower() == asset.lower():
                    return market.info[key]
        raise NodeError(404, "unknown_asset", f"no asset {asset}")

    def withdraw(
        self,
        signer: Signer,
        asset: str,
        amount_base_units: int,
        recipient: str,
        nonce: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Signs and submits a Withdraw of ``amount_base_units`` (an int, smallest units) of
        ``asset`` (symbol or ``0x`` id) to the L1 address ``recipient``; ``nonce`` defaults to the
        owner's pending funding nonce. Answered after its block with ``id``, ``status``,
        ``batchSeq``, ``blockHeight``, ``globalIndex``, ``msgHash``. A rejection (e.g.
        ``insufficient_balance``, 422) raises :class:`NodeError`; its funding nonce is spent."""
        if not isinstance(amount_base_units, int) or amount_base_units <= 0:
            raise ValueError("amount_base_units must be a positive int (smallest units)")
        asset_id = self.asset_id(asset)
        if nonce is None:
            nonce = self.funding_nonce(signer.address)
        message = Withdraw(signer.address, nonce, asset_id, amount_base_units, recipient)
        signature = signer.sign_hash(msg_hash(message, self.funding_domain()))
        body = {
            "owner": signer.address,
            "nonce": nonce,
            "asset": asset_id,
            "amount": str(amount_base_units),
            "recipient": "0x" + to_bytes(recipient, 20, "recipient").hex(),
            "signature": "0x" + signature.hex(),
        }
        response = self.http.post(self.url + "/v1/withdrawals", json=body, timeout=self.timeout)
        return self._answer(response)

    def transfer(
        self,
        signer: Signer,
        asset: str,
        amount_base_units: int,
        to: str,
        nonce: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Signs and submits a Transfer of ``amount_base_units`` (an int, smallest units) of
        ``asset`` (symbol or ``0x`` id) from the signer's available balance to the numo address
        ``to`` (any account or contract); ``nonce`` defaults to the owner's pending funding nonce
        (shared with withdrawals). Answered after its block with ``status`` ``"transferred"``,
        ``batchSeq``, ``blockHeight``, ``globalIndex``, ``msgHash``. A rejection (e.g.
        ``insufficient_balance`` or ``self_transfer``, 422) raises :class:`NodeError`; its funding
        nonce is spent."""
        if not isinstance(amount_base_units, int) or amount_base_units <= 0:
            raise ValueError("amount_base_units must be a positive int (smallest units)")
        asset_id = self.asset_id(asset)
        if nonce is None:
            nonce = self.funding_nonce(signer.address)
        message = Transfer(signer.address, nonce, asset_id, amount_base_units, to)
        signature = signer.sign_hash(msg_hash(message, self.funding_domain()))
        body = {
            "owner": signer.address,
            "nonce": nonce,
            "asset": asset_id,
            "amount": str(amount_base_units),
            "to": "0x" + to_bytes(to, 20, "to").hex(),
            "signature": "0x" + signature.hex(),
        }
        response = self.http.post(self.url + "/v1/transfers", json=body, timeout=self.timeout)
        return self._answer(response)

    def _id(self, market: Union[str, Market]) -> str:
        if isinstance(market, Market):
            return market.market_id
        return market if market.startswith("0x") else market.replace("/", "-")
