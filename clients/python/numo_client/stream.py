"""The node's WebSocket streams (``GET /v1/ws``, protocol in ``docs/CLIENTS.md``) with asyncio
and ``websockets``, and :class:`LocalBook`, an L2 book kept from a snapshot and deltas.

    async with Stream("http://127.0.0.1:8080") as stream:
        await stream.subscribe("book", market="WETH-USDC", depth=10)
        await stream.subscribe("trades", market="WETH-USDC")
        async for frame in stream:
            ...
"""

from __future__ import annotations

import collections
import itertools
import json
from typing import Any, Deque, Dict, List, Optional, Tuple

import websockets


class StreamError(Exception):
    """An error frame answering a request (``code``, ``message``), or the connection closing
    (``code`` = close code as text, e.g. ``"4000"`` with message ``"slow consumer"``)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Stream:
    """One WebSocket connection to a node."""

    def __init__(self, url: str, open_timeout: float = 10.0):
        base = url.rstrip("/")
        if base.startswith("http"):
            base = "ws" + base[len("http") :]
        self.url = base + "/v1/ws"
        self.open_timeout = open_timeout
        self._ws: Any = None
        self._ids = itertools.count(1)
        self._pending: Deque[Dict[str, Any]] = collections.deque()

    async def __aenter__(self) -> "Stream":
        self._ws = await websockets.connect(self.url, open_timeout=self.open_timeout)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._ws.close()

    async def _frame(self) -> Dict[str, Any]:
        try:
            text = await self._ws.recv()
        except websockets.ConnectionClosed as closed:
            frame = closed.rcvd
            raise StreamError(str(frame.code if frame else 1006), frame.reason if frame else "connection lost") from None
        return json.loads(text)

    async def request(self, op: str, channel: str, **params: Any) -> Dict[str, Any]:
        """Sends a request and returns its acknowledgement; raises :class:`StreamError` on an
        error frame. Data frames that arrive meanwhile are kept for :meth:`recv`."""
        request_id = next(self._ids)
        body = {"op": op, "channel": channel, "id": request_id}
        body.update({k: v for k, v in params.items() if v is not None})
        await self._ws.send(json.dumps(body))
        while True:
            frame = await self._frame()
            if frame.get("id") == request_id:
                if frame["type"] == "error":
                    raise StreamError(frame["code"], frame["message"])
                return frame
            self._pending.append(frame)

    async def subscribe(self, channel: str, **params: Any) -> Dict[str, Any]:
        """``subscribe`` to ``book`` (market, depth), ``trades`` (market), ``blocks`` or ``account``
        (address). A book's snapshot is the next frame :meth:`recv` returns for it."""
        return await self.request("subscribe", channel, **params)

    async def unsubscribe(self, channel: str, **params: Any) -> Dict[str, Any]:
        """``unsubscribe`` from what :meth:`subscribe` started."""
        return await self.request("unsubscribe", channel, **params)

    async def recv(self) -> Dict[str, Any]:
        """The next data frame (``book_snapshot``, ``book_delta``, ``trades``, ``block``,
        ``account``); raises :class:`StreamError` when the node closes the connection."""
        if self._pending:
            return self._pending.popleft()
        return await self._frame()

    def __aiter__(self) -> "Stream":
        return self

    async def __anext__(self) -> Dict[str, Any]:
        try:
            return await self.recv()
        except StreamError as error:
            if error.code == "1000":
                raise StopAsyncIteration from None
            raise


class GapError(Exception):
    """A delta whose ``prevSeq`` is not the book's ``seq``: re-subscribe for a fresh snapshot."""


class LocalBook:
    """An L2 book (tick -> (price, qty)) from a ``book_snapshot`` and ``book_delta`` frames."""

    def __init__(self, snapshot: Dict[str, Any]):
        if snapshot.get("type") != "book_snapshot":
            raise ValueError("a LocalBook starts from a book_snapshot frame")
        self.market = snapshot["market"]
        self.seq = snapshot["seq"]
        self.bids: Dict[int, Tuple[int, int]] = {}
        self.asks: Dict[int, Tuple[int, int]] = {}
        self._apply(snapshot)

    def _apply(self, frame: Dict[str, Any]) -> None:
        for side, levels in ((self.bids, frame["bids"]), (self.asks, frame["asks"])):
            for level in levels:
                if level["qty"] == "0":
                    side.pop(level["tick"], None)
                else:
                    side[level["tick"]] = (int(level["price"]), int(level["qty"]))

    def apply(self, delta: Dict[str, Any]) -> None:
        """Applies a ``book_delta``; :class:`GapError` if one was missed."""
        if delta["market"] != self.market:
            raise ValueError("delta of another market")
        if delta["prevSeq"] != self.seq:
            raise GapError(f"book at seq {self.seq}, delta follows {delta['prevSeq']}")
        self._apply(delta)
        self.seq = delta["seq"]

    def levels(self) -> Tuple[List[Tuple[int, int, int]], List[Tuple[int, int, int]]]:
        """(bids best first, asks best first) as (tick, price, qty)."""
        bids = [(t, p, q) for t, (p, q) in sorted(self.bids.items(), reverse=True)]
        asks = [(t, p, q) for t, (p, q) in sorted(self.asks.items())]
        return bids, asks

    def best(self) -> Tuple[Optional[int], Optional[int]]:
        """(best bid tick, best ask tick)."""
        return (max(self.bids) if self.bids else None, min(self.asks) if self.asks else None)


__all__ = ["GapError", "LocalBook", "Stream", "StreamError"]
