"""Against a real dev node (the numo binary, started by conftest): orders signed by the SDK with
eth-account are accepted and trade, the REST views agree, and a WebSocket subscription sees the
book change, the trade and the account updates."""

import asyncio

import pytest
from eth_account import Account

from numo_client import msg_hash, LocalBook, NodeClient, NodeError, OffGridError, Signer, Stream, StreamError


def test_signed_orders_are_accepted_and_trade(node_url, dev_keys):
    asyncio.run(_trade_and_watch(node_url, dev_keys))


async def _trade_and_watch(node_url, dev_keys):
    client = NodeClient(node_url)
    # This node version may not report asset decimals: the dev genesis has WETH 18, USDC 6.
    market = client.market("WETH-USDC", base_decimals=18, quote_decimals=6)
    maker, taker = Signer(dev_keys[0]), Signer(dev_keys[1])

    async with Stream(node_url) as stream:
        ack = await stream.subscribe("book", market="WETH-USDC", depth=10)
        assert ack["type"] == "subscribed" and ack["market"] == market.market_id
        book = LocalBook(await stream.recv())
        await stream.subscribe("trades", market=market.market_id)
        await stream.subscribe("account", address=taker.address)
        with pytest.raises(StreamError) as refused:
            await stream.subscribe("account", address="0x1234")
        assert refused.value.code == "bad_address"

        ask = await asyncio.to_thread(client.place, maker, market, "sell", "3000", "1.5")
        assert (ask["outcome"], ask["rested"]) == ("accepted", str(15 * 10**17)), ask
        bid = await asyncio.to_thread(client.place, taker, market, "buy", "3000.5", "1", None, "ioc")
        assert bid["outcome"] == "accepted" and bid["filled"] == str(10**18), bid
        fill = bid["fills"][0]
        assert (fill["tick"], fill["qty"], fill["makerOrderId"]) == (300_000, str(10**18), ask["orderId"])

        # Off the grid: refused before anything is sent.
        with pytest.raises(OffGridError):
            client.place(taker, market, "buy", "3000.001", "1")
        # The node's own refusals come back as NodeError with the API code.
        with pytest.raises(NodeError) as stale:
            client.submit(maker.sign(_replay(ask), market.domain_separator))
        assert stale.value.code == "nonce_used"

        trades, account = [], []
        while not trades or not account or book.seq < bid["blockHeight"]:
            frame = await asyncio.wait_for(stream.recv(), 10)
            if frame["type"] == "book_delta":
                book.apply(frame)
            elif frame["type"] == "trades":
                trades.extend(frame["trades"])
            elif frame["type"] == "account":
                account.append(frame)

    assert trades == [fill], "the stream's trade is the one the submit answered"
    rest_trade = client.trades(market, limit=1)[0]
    assert rest_trade == fill
    orders = [o for frame in account for o in frame["orders"]]
    assert orders[0]["globalIndex"] == bid["globalIndex"] and orders[0]["status"] == "filled"
    assert account[0]["fills"][0]["role"] == "taker"
    rest = client.book(market, depth=10)
    bids, asks = book.levels()
    assert bids == [(l["tick"], int(l["price"]), int(l["qty"])) for l in rest["bids"]]
    assert asks == [(l["tick"], int(l["price"]), int(l["qty"])) for l in rest["asks"]]
    assert asks[0][0] == 300_000 and asks[0][2] == 5 * 10**17, "half a WETH still rests at 3000"
    # The node's msgHash of the stored message is the SDK's, and its signature recovers to the taker.
    batch = client.batch(bid["batchSeq"])
    stored = next(m for m in batch["messages"] if m["globalIndex"] == bid["globalIndex"])
    digest = msg_hash(bytes.fromhex(stored["message"][2:]), market.domain_separator)
    assert "0x" + digest.hex() == stored["msgHash"]
    signer = Account._recover_hash(digest, signature=bytes.fromhex(stored["signature"][2:]))
    assert signer == taker.address


def _replay(answer):
    """The already-executed Place again (same nonce): the node refuses it."""
    from numo_client.encoding import Place

    raw = bytes.fromhex(answer["message"][2:])
    return Place(
        raw[1:21],
        int.from_bytes(raw[21:29], "big"),
        raw[29:61],
        raw[61],
        int.from_bytes(raw[62:66], "big"),
        int.from_bytes(raw[66:70], "big", signed=True),
        int.from_bytes(raw[70:102], "big"),
    )
