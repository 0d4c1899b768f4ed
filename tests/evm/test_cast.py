"""cast (npm @foundry-rs/cast 1.7.1), unchanged, against the node's Ethereum JSON-RPC: chain id,
balances, a value transfer exact to the wei, a contract created from bytecode, calls, logs with
address and topic filters, receipts. Signs with dev account 1 only."""

import json

from eth_account import Account
from web3 import Web3

from conftest import CAST, CHAIN_ID, NUMO_PER_DEV, measure, run

STORED = "Stored(address,uint256,bytes32)"
PING = "Ping(uint256)"


def cast(node, command, *args, timeout=90):
    return run([CAST, command, "--rpc-url", node.rpc_url, *args], timeout=timeout).stdout.strip()


def topic(sig: str) -> str:
    return "0x" + Web3.keccak(text=sig).hex().removeprefix("0x")


def word(value) -> str:
    if isinstance(value, str):
        return "0x" + value.removeprefix("0x").lower().rjust(64, "0")
    return "0x" + value.to_bytes(32, "big").hex()


def send_json(node, key, *args):
    """`cast send … --json`: the receipt once mined (cast polls for it)."""
    receipt = json.loads(cast(node, "send", "--private-key", key, "--json", "--timeout", "30", *args))
    assert receipt["status"] == "0x1", receipt
    return receipt


def test_chain_id_and_genesis_balance(node, dev_accounts):
    assert cast(node, "chain-id") == str(CHAIN_ID)
    # net_version and web3_clientVersion, as cast asks for them.
    assert cast(node, "rpc", "net_version") == f'"{CHAIN_ID}"'
    assert cast(node, "client").startswith("numo/")
    assert int(cast(node, "balance", dev_accounts[1].address)) == NUMO_PER_DEV
    assert int(cast(node, "nonce", dev_accounts[1].address)) == 0


def test_value_transfer_exact_to_the_wei(node, dev_accounts):
    sender = dev_accounts[1]
    receiver = Account.create().address
    value = 1_500_000_000_000_000_321  # 1.5 NUMO and 321 wei
    before = int(cast(node, "balance", sender.address))
    assert int(cast(node, "balance", receiver)) == 0
    receipt = send_json(node, sender.key.hex(), receiver, "--value", str(value))
    gas_used = int(receipt["gasUsed"], 16)
    price = int(receipt["effectiveGasPrice"], 16)
    assert gas_used == 21_000
    assert receipt["from"].lower() == sender.address.lower()
    assert receipt["to"].lower() == receiver.lower()
    assert int(cast(node, "balance", receiver)) == value
    assert int(cast(node, "balance", sender.address)) == before - value - gas_used * price
    # effectiveGasPrice = base fee + tip (EIP-1559), never above the cap.
    block = json.loads(cast(node, "block", str(int(receipt["blockNumber"], 16)), "--json"))
    base_fee = int(block["baseFeePerGas"], 16)
    tx = json.loads(cast(node, "tx", receipt["transactionHash"], "--json"))
    assert price == min(int(tx["maxFeePerGas"], 16), base_fee + int(tx["maxPriorityFeePerGas"], 16))
    assert int(tx["value"], 16) == value
    assert tx["hash"] == receipt["transactionHash"]
    assert receipt["transactionHash"] in block["transactions"]
    measure("cast send value transfer: effectiveGasPrice (wei)", price)


def test_create_call_logs_receipt(node, dev_accounts, compiled):
    key = dev_accounts[1].key.hex()
    emitter = compiled["Emitter"]
    created = send_json(node, key, "--create", emitter["bytecode"])
    address = created["contractAddress"]
    assert address and int(address, 16) != 0
    assert cast(node, "code", address) == emitter["runtime"]
    assert cast(node, "call", address, "stored()(uint256)") == "0"
    deploy_block = int(created["blockNumber"], 16)

    tag_a, tag_b = "0x" + "aa" * 32, "0x" + "bb" * 32
    r1 = send_json(node, key, address, "store(uint256,bytes32)", "42", tag_a)
    r2 = send_json(node, key, address, "store(uint256,bytes32)", "7", tag_b)
    pings = [send_json(node, key, address, "ping(uint256)", str(n)) for n in (1, 2, 3)]
    assert cast(node, "call", address, "stored()(uint256)") == "7"
    last_block = int(pings[-1]["blockNumber"], 16)

    # The receipts' logs: the contract's address, topics and data as emitted.
    (log1,) = r1["logs"]
    assert log1["address"].lower() == address.lower()
    assert log1["topics"] == [topic(STORED), word(dev_accounts[1].address), word(42)]
    assert log1["data"] == tag_a
    assert log1["transactionHash"] == r1["transactionHash"]

    # `cast receipt`: the same receipt again, by hash; and one field of it.
    again = json.loads(cast(node, "receipt", r2["transactionHash"], "--json"))
    for field in ("transactionHash", "blockHash", "blockNumber", "gasUsed", "status", "logs", "contractAddress"):
        assert again[field] == r2[field], field
    assert cast(node, "receipt", r2["transactionHash"], "status") in ("1", "true", "1 (success)")

    def logs(*args):
        return json.loads(cast(node, "logs", "--json", "--from-block", str(deploy_block), "--to-block", str(last_block), *args))

    everything = logs("--address", address)
    assert [log["transactionHash"] for log in everything] == [r["transactionHash"] for r in [r1, r2, *pings]]
    assert len(logs("--address", address, topic(STORED))) == 2
    # The event signature with its indexed arguments as topics.
    by_value = logs("--address", address, "Stored(address indexed,uint256 indexed,bytes32)", dev_accounts[1].address, "42")
    assert [log["transactionHash"] for log in by_value] == [r1["transactionHash"]]
    ping2 = logs("--address", address, "Ping(uint256 indexed)", "2")
    assert [log["transactionHash"] for log in ping2] == [pings[1]["transactionHash"]]
    # Raw topics, any address: topic0 + topic1.
    ping3 = logs(topic(PING), word(3))
    assert [log["transactionHash"] for log in ping3] == [pings[2]["transactionHash"]]
    # Another address has no logs; a block range before the calls has none either.
    assert logs("--address", Account.create().address) == []
    assert json.loads(cast(node, "logs", "--json", "--from-block", str(deploy_block), "--to-block", str(deploy_block), "--address", address)) == []
    # Log indexes and positions are consistent with the receipts.
    for log in everything:
        receipt = json.loads(cast(node, "receipt", log["transactionHash"], "--json"))
        assert log in receipt["logs"]
