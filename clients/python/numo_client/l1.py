"""The L1 side of funding with web3.py (install the extra: ``pip install 'numo-client[l1]'``):
deposit into the bridge, request a forced withdrawal, and send the claim of a settled
withdrawal. The bridge and token addresses come from the node's ``GET /v1/l1``
(``NodeClient.l1()``); ``account`` is an eth-account ``LocalAccount`` that signs and pays for
the transactions.

Each function waits for its receipt and raises :class:`L1Error` when the transaction failed; a
revert caught while estimating gas (e.g. ``AlreadyClaimed``) raises web3's own error.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from web3 import Web3
from web3.logs import DISCARD

from .encoding import Bytesish, to_bytes

#: The parts of the ERC20 and NumoBridge ABIs these helpers call (docs/BRIDGE.md).
ERC20_ABI = [
    {"type": "function", "name": "approve", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
    {"type": "function", "name": "balanceOf", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
]
BRIDGE_ABI = [
    {"type": "function", "name": "deposit", "stateMutability": "nonpayable",
     "inputs": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint256"},
                {"name": "to", "type": "address"}],
     "outputs": [{"name": "index", "type": "uint64"}]},
    {"type": "function", "name": "requestForcedWithdrawal", "stateMutability": "nonpayable",
     "inputs": [{"name": "assetId", "type": "bytes32"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "index", "type": "uint64"}]},
    {"type": "event", "name": "Deposited", "anonymous": False,
     "inputs": [{"name": "index", "type": "uint64", "indexed": True},
                {"name": "assetId", "type": "bytes32", "indexed": True},
                {"name": "from", "type": "address", "indexed": False},
                {"name": "to", "type": "address", "indexed": False},
                {"name": "amount", "type": "uint256", "indexed": False},
                {"name": "acc", "type": "bytes32", "indexed": False}]},
    {"type": "event", "name": "ForcedWithdrawalRequested", "anonymous": False,
     "inputs": [{"name": "index", "type": "uint64", "indexed": True},
                {"name": "owner", "type": "address", "indexed": True},
                {"name": "assetId", "type": "bytes32", "indexed": False},
                {"name": "amount", "type": "uint256", "indexed": False},
                {"name": "deadline", "type": "uint64", "indexed": False},
                {"name": "acc", "type": "bytes32", "indexed": False}]},
]


class L1Error(Exception):
    """An L1 transaction was mined but failed, or a withdrawal cannot be claimed yet."""


def _send(w3: Web3, account: Any, tx: Dict[str, Any]) -> Any:
    tx = dict(tx)
    tx.setdefault("from", account.address)
    tx.setdefault("chainId", w3.eth.chain_id)
    tx["nonce"] = w3.eth.get_transaction_count(account.address, "pending")
    if "gas" not in tx:
        tx["gas"] = w3.eth.estimate_gas(tx)
    if "gasPrice" not in tx and "maxFeePerGas" not in tx:
        tx["gasPrice"] = w3.eth.gas_price
    signed = account.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    if receipt["status"] != 1:
        raise L1Error(f"L1 transaction {receipt['transactionHash'].hex()} failed")
    return receipt


def _call(w3: Web3, account: Any, fn: Any) -> Any:
    return _send(w3, account, fn.build_transaction({"from": account.address}))


def erc20_balance(w3: Web3, token: str, owner: str) -> int:
    """``token.balanceOf(owner)``."""
    return w3.eth.contract(address=Web3.to_checksum_address(token), abi=ERC20_ABI).functions.balanceOf(
        Web3.to_checksum_address(owner)
    ).call()


def deposit(w3: Web3, account: Any, bridge: str, token: str, amount: int, to: Optional[str] = None) -> Dict[str, Any]:
    """Approves ``amount`` (smallest units) of ``token`` to ``bridge`` and deposits it for the
    numo account ``to`` (default: the sender). Returns ``{"index", "txHash", "blockNumber"}``;
    the node credits deposit ``index`` after the bridge's confirmations (``NodeClient.deposits``)."""
    bridge_c = w3.eth.contract(address=Web3.to_checksum_address(bridge), abi=BRIDGE_ABI)
    token_c = w3.eth.contract(address=Web3.to_checksum_address(token), abi=ERC20_ABI)
    to = Web3.to_checksum_address(to or account.address)
    _call(w3, account, token_c.functions.approve(bridge_c.address, amount))
    receipt = _call(w3, account, bridge_c.functions.deposit(token_c.address, amount, to))
    (event,) = bridge_c.events.Deposited().process_receipt(receipt, errors=DISCARD)
    return {
        "index": event["args"]["index"],
        "txHash": "0x" + receipt["transactionHash"].hex().removeprefix("0x"),
        "blockNumber": receipt["blockNumber"],
    }


def request_forced_withdrawal(w3: Web3, account: Any, bridge: str, asset_id: Bytesish, amount: int) -> Dict[str, Any]:
    """Asks the bridge to make numo withdraw up to ``amount`` of ``asset_id`` from the sender's
    numo balance to itself (F7, F14): the censorship-resistant path. Returns ``{"index",
    "deadline", "txHash"}``; past ``deadline`` unsettled, anyone may freeze the bridge."""
    bridge_c = w3.eth.contract(address=Web3.to_checksum_address(bridge), abi=BRIDGE_ABI)
    receipt = _call(w3, account, bridge_c.functions.requestForcedWithdrawal(to_bytes(asset_id, 32, "assetId"), amount))
    (event,) = bridge_c.events.ForcedWithdrawalRequested().process_receipt(receipt, errors=DISCARD)
    return {
        "index": event["args"]["index"],
        "deadline": event["args"]["deadline"],
        "txHash": "0x" + receipt["transactionHash"].hex().removeprefix("0x"),
    }


def claim(w3: Web3, account: Any, withdrawal_json: Dict[str, Any]) -> str:
    """Sends the claim of a settled withdrawal (``NodeClient.withdrawal(id)``: its
    ``claim.to`` and ``claim.data``); the tokens go to the withdrawal's recipient, whoever
    sends it. Returns the transaction hash. Raises :class:`L1Error` if it is not settled yet or
    already claimed."""
    status = withdrawal_json.get("status")
    if status != "settled" or "claim" not in withdrawal_json:
        raise L1Error(f"withdrawal {withdrawal_json.get('id')} is {status}, not settled: nothing to claim")
    tx = {"to": Web3.to_checksum_address(withdrawal_json["claim"]["to"]), "data": withdrawal_json["claim"]["data"]}
    receipt = _send(w3, account, tx)
    return "0x" + receipt["transactionHash"].hex().removeprefix("0x")
