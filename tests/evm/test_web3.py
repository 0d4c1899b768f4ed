"""web3.py, unchanged: an OpenZeppelin ERC20 (tests/evm/sol/Token.sol, solc-js) deployed,
transferred, its Transfer events read from receipts and through eth_getLogs filters (address,
topics with null and OR lists, block ranges, block hash); and the error answers clients
understand: wrong chain id, nonce too low, underpriced, out of gas, oversize, a revert, a
resent transaction. Dev account 3 deploys and transfers; dev account 4 sends the bad ones."""

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractCustomError, Web3RPCError

from conftest import CHAIN_ID, WAIT_S, deploy, measure, send_tx, wait_for

SUPPLY = 1_000_000 * 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def addr_topic(address: str) -> str:
    return "0x" + address.lower().removeprefix("0x").rjust(64, "0")


@pytest.fixture(scope="module")
def token(w3, dev_accounts, compiled):
    c = compiled["Token"]
    contract, receipt = deploy(w3, dev_accounts[3], c["abi"], c["bytecode"], SUPPLY)
    measure("web3 deploy OZ ERC20: gasUsed", receipt.gasUsed)
    return contract, receipt


def test_erc20_transfers_events_and_log_filters(w3, dev_accounts, token):
    contract, deployed = token
    owner = dev_accounts[3]
    b, c = Account.create().address, Account.create().address
    assert contract.functions.totalSupply().call() == SUPPLY
    assert contract.functions.balanceOf(owner.address).call() == SUPPLY
    assert contract.functions.symbol().call() == "NTT"

    receipts = []
    for to, amount in [(b, 100 * 10**18), (c, 5 * 10**18), (b, 1)]:
        tx = contract.functions.transfer(to, amount).build_transaction(
            {"from": owner.address, "chainId": CHAIN_ID, "nonce": w3.eth.get_transaction_count(owner.address, "pending")})
        r = send_tx(w3, owner, tx)
        assert r.status == 1
        (event,) = contract.events.Transfer().process_receipt(r)
        assert (event.args["from"], event.args["to"], event.args["value"]) == (owner.address, to, amount)
        assert event.address == contract.address
        measure("web3 ERC20 transfer: gasUsed", r.gasUsed)
        receipts.append(r)
    assert contract.functions.balanceOf(b).call() == 100 * 10**18 + 1
    assert contract.functions.balanceOf(c).call() == 5 * 10**18
    assert contract.functions.balanceOf(owner.address).call() == SUPPLY - 105 * 10**18 - 1

    transfer = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix("0x")
    first, last = deployed.blockNumber, receipts[-1].blockNumber
    hashes = {r.transactionHash for r in receipts}

    def get_logs(**flt):
        flt.setdefault("fromBlock", first)
        flt.setdefault("toBlock", last)
        return w3.eth.get_logs(flt)

    def tx_of(logs):
        return [log["transactionHash"] for log in logs]

    everything = get_logs(address=contract.address)
    assert tx_of(everything) == [deployed.transactionHash, *(r.transactionHash for r in receipts)]
    assert tx_of(get_logs(address=contract.address, topics=[transfer, addr_topic(ZERO)])) == [deployed.transactionHash]
    assert set(tx_of(get_logs(address=contract.address, topics=[transfer, addr_topic(owner.address)]))) == hashes
    # null: any sender; the recipient b.
    assert tx_of(get_logs(address=contract.address, topics=[transfer, None, addr_topic(b)])) == [receipts[0].transactionHash, receipts[2].transactionHash]
    # An OR list of recipients, no address filter.
    assert tx_of(get_logs(topics=[None, None, [addr_topic(b), addr_topic(c)]])) == [r.transactionHash for r in receipts]
    # A list of addresses (the token and one without logs).
    assert len(get_logs(address=[contract.address, Account.create().address])) == 4
    # Block ranges: only the block of the second transfer; the block before the deploy.
    only = receipts[1].blockNumber
    assert tx_of(get_logs(address=contract.address, fromBlock=only, toBlock=only)) == [receipts[1].transactionHash]
    assert get_logs(address=contract.address, fromBlock=first - 1, toBlock=first - 1) == []
    # By block hash (EIP-234).
    assert tx_of(w3.eth.get_logs({"blockHash": receipts[1].blockHash, "address": contract.address})) == [receipts[1].transactionHash]
    # Decoded by web3's contract event API.
    decoded = contract.events.Transfer.get_logs(from_block=first, to_block=last, argument_filters={"to": c})
    assert [(e.args["to"], e.args["value"]) for e in decoded] == [(c, 5 * 10**18)]
    # Log objects agree with the receipts.
    for log in everything[1:]:
        r = w3.eth.get_transaction_receipt(log["transactionHash"])
        assert r.logs[0]["logIndex"] == log["logIndex"] and r.logs[0]["blockHash"] == log["blockHash"]
        assert r.logs[0]["data"] == log["data"] and r.logs[0]["topics"] == log["topics"]


def rpc_error(excinfo) -> dict:
    """The JSON-RPC error object web3.py raised with."""
    error = excinfo.value
    assert isinstance(error, Web3RPCError), repr(error)
    return error.rpc_response["error"]


def value_tx(sender, to, nonce, **kw):
    tx = {"to": to, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": CHAIN_ID,
          "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9}
    tx.update(kw)
    return sender.sign_transaction(tx).raw_transaction


def test_error_answers(w3, node, dev_accounts, token):
    contract, _ = token
    sender = dev_accounts[4]
    to = Account.create().address
    nonce = w3.eth.get_transaction_count(sender.address)

    # Wrong chain id (signed for the dev L1's 31337).
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(value_tx(sender, to, nonce, chainId=31337))
    err = rpc_error(e)
    assert err["code"] == -32000 and "invalid chain id" in err["message"], err

    # Underpriced: max fee below the base fee of the next block (eth_feeHistory's last entry;
    # empty blocks lower it by 1/8 each, so the latest block's own base fee is not the bar).
    history = w3.eth.fee_history(1, "latest")
    next_base_fee = history["baseFeePerGas"][-1]
    assert 0 < next_base_fee <= w3.eth.get_block("latest")["baseFeePerGas"]
    assert w3.eth.gas_price == next_base_fee + w3.eth.max_priority_fee
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(value_tx(sender, to, nonce, maxFeePerGas=next_base_fee // 2, maxPriorityFeePerGas=0))
    err = rpc_error(e)
    assert err["code"] == -32000 and "underpriced" in err["message"], err

    # Oversize: more than EVM_MAX_TX_BYTES (131,072).
    big = value_tx(sender, to, nonce, data=b"\x01" * 140_000, gas=3_000_000)
    assert len(big) > 131_072
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(big)
    err = rpc_error(e)
    assert err["code"] == -32000 and "oversized data" in err["message"], err

    # None of these touched the account.
    assert w3.eth.get_transaction_count(sender.address, "pending") == nonce

    # Resending an identical raw transaction never executes it twice.
    raw = value_tx(sender, to, nonce)
    tx_hash = w3.eth.send_raw_transaction(raw)
    try:
        again = w3.eth.send_raw_transaction(raw)
        assert again == tx_hash
    except Web3RPCError as error:
        assert "already known" in error.rpc_response["error"]["message"], error.rpc_response
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=WAIT_S, poll_latency=0.2)
    assert receipt.status == 1
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(raw)
    err = rpc_error(e)
    assert err["code"] == -32000 and ("already known" in err["message"] or "nonce too low" in err["message"]), err
    assert w3.eth.get_transaction_count(sender.address) == nonce + 1
    assert w3.eth.get_balance(to) == 1

    # Nonce too low: a different transaction with the spent nonce.
    with pytest.raises(Web3RPCError) as e:
        w3.eth.send_raw_transaction(value_tx(sender, to, nonce, value=2))
    err = rpc_error(e)
    assert err["code"] == -32000 and "nonce too low" in err["message"], err

    # Out of gas: included, status 0, the whole gas limit paid, nothing else changed.
    balance = w3.eth.get_balance(sender.address)
    gas = 23_000  # above the intrinsic gas of an ERC20 transfer, far below what it needs
    tx = contract.functions.transfer(to, 1).build_transaction(
        {"from": sender.address, "chainId": CHAIN_ID, "nonce": nonce + 1, "gas": gas,
         "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction),
                                                  timeout=WAIT_S, poll_latency=0.2)
    assert receipt.status == 0
    assert receipt.gasUsed == gas
    assert receipt.logs == []
    assert w3.eth.get_balance(sender.address) == balance - gas * receipt.effectiveGasPrice
    assert w3.eth.get_transaction_count(sender.address) == nonce + 2
    assert contract.functions.balanceOf(to).call() == 0

    # A revert of eth_call / estimateGas carries the custom error's data (OZ's
    # ERC20InsufficientBalance), which web3.py decodes as such.
    with pytest.raises(ContractCustomError) as e:
        contract.functions.transfer(to, 1).call({"from": sender.address})
    selector = "0x" + Web3.keccak(text="ERC20InsufficientBalance(address,uint256,uint256)")[:4].hex().removeprefix("0x")
    data = e.value.data if isinstance(e.value.data, str) else e.value.data["data"]
    assert data.startswith(selector), e.value.data
    with pytest.raises(ContractCustomError):
        contract.functions.transfer(to, 1).estimate_gas({"from": sender.address})

    # An unknown method is -32601 (clients fall back).
    answer = node.rpc_raw("eth_newFilterThatDoesNotExist", [])
    assert answer["error"]["code"] == -32601


def test_native_transfer_balances_exact(w3, dev_accounts):
    """A web3.py value transfer between two dev accounts: both balances exact to the wei."""
    sender, receiver = dev_accounts[3], dev_accounts[8]
    value = 12_345_678_901_234_567_890
    before_s, before_r = w3.eth.get_balance(sender.address), w3.eth.get_balance(receiver.address)
    receipt = send_tx(w3, sender, {"to": receiver.address, "value": value})
    assert receipt.status == 1
    fee = receipt.gasUsed * receipt.effectiveGasPrice
    wait_for("balances at the head", lambda: w3.eth.get_balance(receiver.address) == before_r + value, timeout=5)
    assert w3.eth.get_balance(sender.address) == before_s - value - fee
