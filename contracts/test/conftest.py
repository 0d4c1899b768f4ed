"""Fixtures: a real anvil on a free 127.0.0.1 port (bounded start, stopped by PID) and deploy helpers."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

sys.path.insert(0, str(Path(__file__).parent))
import numo  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
ARTIFACTS = HERE / "artifacts"
ANVIL = HERE / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
START_TIMEOUT_S = 30
FORCED_WINDOW = 3600


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def anvil_url():
    assert ANVIL.exists(), f"anvil binary missing at {ANVIL}: run `npm ci` in contracts/"
    port = _free_port()
    proc = subprocess.Popen(
        [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"anvil exited early: {proc.stderr.read().decode(errors='replace')}")
            try:
                if Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 2})).is_connected():
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"anvil did not answer on {url} within {START_TIMEOUT_S}s")
            time.sleep(0.1)
        yield url
    finally:
        os.kill(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def w3(anvil_url):
    w = Web3(Web3.HTTPProvider(anvil_url, request_kwargs={"timeout": 30}))
    assert w.eth.chain_id == 31337
    return w


def load_artifact(name: str) -> dict:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


ERRORS = {}
for _f in sorted(ARTIFACTS.rglob("*.json")):
    for _item in json.loads(_f.read_text())["abi"]:
        if _item["type"] == "error":
            _sig = f"{_item['name']}({','.join(i['type'] for i in _item['inputs'])})"
            ERRORS[Web3.keccak(text=_sig)[:4].hex()] = _item["name"]


class Chain:
    """A thin helper over web3 for the tests: deploy, send, expect a named revert."""

    def __init__(self, w3):
        self.w3 = w3
        self.accounts = w3.eth.accounts
        self.deployer = self.accounts[0]

    def deploy(self, name: str, *args, sender=None):
        art = load_artifact(name)
        factory = self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = self.wait(factory.constructor(*args).transact({"from": sender or self.deployer}))
        return self.w3.eth.contract(address=receipt.contractAddress, abi=art["abi"])

    def wait(self, tx_hash):
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        assert receipt.status == 1, f"transaction failed: {receipt}"
        return receipt

    def send(self, fn, sender=None):
        return self.wait(fn.transact({"from": sender or self.deployer, "gas": 15_000_000}))

    def deploy_revert_name(self, name: str, *args) -> str:
        """The name of the custom error deploying `name` with `args` reverts with."""
        art = load_artifact(name)
        factory = self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        return self._revert_name(lambda: factory.constructor(*args).estimate_gas({"from": self.deployer}))

    def revert_name(self, fn, sender=None) -> str:
        """The name of the custom error `fn` reverts with, decoded from the selector of its revert data."""
        return self._revert_name(lambda: fn.call({"from": sender or self.deployer}))

    def _revert_name(self, attempt) -> str:
        try:
            attempt()
        except (ContractCustomError, ContractLogicError) as e:
            data = e.data
            if isinstance(data, dict):
                data = data.get("data")
            assert isinstance(data, str) and data.startswith("0x") and len(data) >= 10, f"no revert data: {e!r}"
            selector = data[2:10]
            assert selector in ERRORS, f"unknown revert selector 0x{selector} ({e!r})"
            return ERRORS[selector]
        pytest.fail("call did not revert")

    def expect_revert(self, fn, name: str, sender=None):
        assert self.revert_name(fn, sender) == name

    def increase_time(self, seconds: int):
        self.w3.provider.make_request("evm_increaseTime", [seconds])
        self.w3.provider.make_request("evm_mine", [])


@pytest.fixture
def chain(w3):
    return Chain(w3)


ASSET_A = numo.keccak(b"asset-A")
ASSET_B = numo.keccak(b"asset-B")
FUNDING_DOMAIN = numo.keccak(b"NUMO_FUNDING_V1", numo.u64(31337), numo.keccak(b"venue"))
GENESIS_ROOT = numo.DEFAULTS[256]


def committee_keys(n: int):
    return [Account.from_key(numo.keccak(b"committee", numo.u64(i))) for i in range(n)]


class Env:
    """A deployed bridge with a 2-of-3 committee, two registered DevTokens and funded users."""

    def __init__(self, chain: Chain, members=3, threshold=2):
        self.chain = chain
        self.committee = committee_keys(members)
        self.verifier = chain.deploy("CommitteeVerifier", [a.address for a in self.committee], threshold)
        self.bridge = chain.deploy("NumoBridge", GENESIS_ROOT, FUNDING_DOMAIN, self.verifier.address,
                                   FORCED_WINDOW, chain.deployer)
        self.token_a = chain.deploy("DevToken", "Token A", "TKA", 18, chain.deployer)
        self.token_b = chain.deploy("DevToken", "Token B", "TKB", 6, chain.deployer)
        chain.send(self.bridge.functions.registerAsset(ASSET_A, self.token_a.address))
        chain.send(self.bridge.functions.registerAsset(ASSET_B, self.token_b.address))
        self.users = chain.accounts[1:6]
        for u in self.users:
            for t in (self.token_a, self.token_b):
                chain.send(t.functions.mint(u, 10**24))
                chain.send(t.functions.approve(self.bridge.address, 2**256 - 1), sender=u)

    def settle_fn(self, batches, signers=None):
        epoch = numo.epoch_bytes(batches)
        digest = numo.epoch_digest(self.chain.w3.eth.chain_id, self.bridge.address, epoch)
        proof = numo.committee_sign(signers if signers is not None else self.committee[:2], digest)
        return self.bridge.functions.settle(epoch, proof)

    def root(self) -> bytes:
        return bytes(self.bridge.functions.stateRoot().call())

    def seq(self) -> int:
        return self.bridge.functions.lastBatchSeq().call()

    def dep_acc(self, count: int) -> bytes:
        return bytes(self.bridge.functions.depositAccAt(count).call())

    def forced_acc(self, count: int) -> bytes:
        return bytes(self.bridge.functions.forcedAccAt(count).call())


@pytest.fixture
def env(chain):
    return Env(chain)
