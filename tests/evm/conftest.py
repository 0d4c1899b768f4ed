"""Fixtures of numo's EVM tool suite: one real `numo node --dev` (exchange HTTP and Ethereum
JSON-RPC on free 127.0.0.1 ports, a temp data dir, stopped by PID), outside tools driven
unchanged — cast and forge (npm @foundry-rs 1.7.1, run as subprocesses), web3.py — and Solidity
compiled by solc-js through tests/evm/solc (the same wrapper forge is given with `--use`).

Each test module signs with its own dev accounts, so modules share the node without sharing
nonces or balances. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable, Dict, List

import pytest
import requests
from eth_account import Account
from web3 import Web3

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CARGO_TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
NUMO = Path(os.environ.get("NUMO_BIN", CARGO_TARGET / "debug" / "numo"))
FOUNDRY = HERE / "node_modules" / "@foundry-rs"
CAST = FOUNDRY / "cast-linux-amd64" / "bin" / "cast"
FORGE = FOUNDRY / "forge-linux-amd64" / "bin" / "forge"
SOLC = HERE / "solc"
ARTIFACTS = REPO / "contracts" / "artifacts"

CHAIN_ID = 7357
START_TIMEOUT_S = 60
WAIT_S = 30
TOOL_TIMEOUT_S = 90
NUMO_PER_DEV = 1_000_000 * 10**18

# Measurements collected by the tests, printed at the end of the run.
MEASURE: Dict[str, list] = {}


def measure(name: str, value) -> None:
    MEASURE.setdefault(name, []).append(value)


def pytest_terminal_summary(terminalreporter):
    if MEASURE:
        terminalreporter.write_sep("-", "evm measurements")
        for name, values in sorted(MEASURE.items()):
            terminalreporter.write_line(f"{name}: {values}")


# ------------------------------------------------------------------------------------ helpers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, probe: Callable[[], object], timeout: float = WAIT_S, interval: float = 0.1):
    """Polls `probe` until it returns something truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except Exception as error:
            last_error = error
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last error: {last_error!r})")
        time.sleep(interval)


def run(cmd: List[str], timeout: float = TOOL_TIMEOUT_S, env=None, cwd=None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs an outside tool; on failure the assertion shows its command line and output."""
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    if check:
        assert out.returncode == 0, f"{' '.join(map(str, cmd))} exited {out.returncode}\nstdout: {out.stdout}\nstderr: {out.stderr}"
    return out


def stop_pid(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


# ------------------------------------------------------------------------------------ the node


class Node:
    """`numo node --dev` with its exchange API and its Ethereum JSON-RPC."""

    def __init__(self, workdir: Path):
        assert NUMO.exists(), f"numo binary missing at {NUMO}: cargo build -p numo (or set NUMO_BIN)"
        self.workdir = workdir
        self.port = free_port()
        self.evm_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rpc_url = f"http://127.0.0.1:{self.evm_port}"
        self.http = requests.Session()
        self.log_path = workdir / "node.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [
                str(NUMO), "node", "--dev",
                "--data-dir", str(workdir / "numo-data"),
                "--http", f"127.0.0.1:{self.port}",
                "--evm-rpc", f"127.0.0.1:{self.evm_port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"numo exited with {self.proc.returncode}: {self.log_text()[-3000:]}")
            try:
                if self.http.get(self.url + "/v1/markets", timeout=2).status_code == 200 and "result" in self.rpc_raw("eth_chainId"):
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"numo did not answer on {self.url} / {self.rpc_url}: {self.log_text()[-3000:]}")
            time.sleep(0.1)

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        stop_pid(self.proc)
        self.log.close()

    # --- exchange HTTP
    def get(self, path: str, **params):
        r = self.http.get(self.url + path, params=params or None, timeout=30)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    # --- Ethereum JSON-RPC, raw (to see exactly what a client sees)
    def rpc_raw(self, method: str, params=None) -> dict:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        r = self.http.post(self.rpc_url, json=body, timeout=30)
        assert r.status_code == 200, f"{method}: HTTP {r.status_code} {r.text[:500]}"
        return r.json()

    def rpc(self, method: str, params=None):
        answer = self.rpc_raw(method, params)
        assert "error" not in answer, f"{method}: {answer['error']}"
        return answer["result"]


@pytest.fixture(scope="session")
def node(tmp_path_factory):
    n = Node(tmp_path_factory.mktemp("numo"))
    try:
        yield n
    finally:
        n.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed and "node" in item.fixturenames:
        n = item.funcargs.get("node")
        if n is not None:
            rep.sections.append(("numo log tail", n.log_text()[-4000:]))


@pytest.fixture(scope="session")
def w3(node) -> Web3:
    return Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="session")
def dev_accounts():
    """The genesis-funded numo dev accounts (`numo dev accounts --json`): 1,000,000 NUMO each."""
    out = run([NUMO, "dev", "accounts", "--json"], timeout=30)
    return [Account.from_key(a["privateKey"]) for a in json.loads(out.stdout)]


# ------------------------------------------------------------------------------------ solidity


def compile_sources(files: List[Path]) -> Dict[str, dict]:
    """Compiles `files` with solc-js through tests/evm/solc (standard JSON; imports such as
    `@openzeppelin/contracts/…` resolve from contracts/node_modules). Returns
    name → {abi, bytecode, runtime} (0x hex)."""
    sources = {f.relative_to(HERE).as_posix(): {"content": f.read_text()} for f in files}
    standard = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "prague",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }
    out = subprocess.run([str(SOLC), "--standard-json"], input=json.dumps(standard), capture_output=True, text=True, timeout=120, cwd=HERE)
    assert out.returncode == 0, f"solc wrapper failed: {out.stderr}"
    result = json.loads(out.stdout)
    errors = [e for e in result.get("errors", []) if e["severity"] == "error"]
    assert not errors, "\n".join(e["formattedMessage"] for e in errors)
    contracts = {}
    for path in sources:
        for name, c in result["contracts"][path].items():
            contracts[name] = {
                "abi": c["abi"],
                "bytecode": "0x" + c["evm"]["bytecode"]["object"],
                "runtime": "0x" + c["evm"]["deployedBytecode"]["object"],
            }
    return contracts


@pytest.fixture(scope="session")
def compiled() -> Dict[str, dict]:
    t = time.monotonic()
    contracts = compile_sources(sorted((HERE / "sol").glob("*.sol")))
    measure("solc-js compile of tests/evm/sol (s)", round(time.monotonic() - t, 1))
    return contracts


def artifact(name: str) -> dict:
    return json.loads((ARTIFACTS / "evm" / f"{name}.json").read_text())


# ------------------------------------------------------------------------------------ web3 helpers


def send_tx(w3: Web3, account, tx: dict, wait: bool = True):
    """Fills, signs locally (the node holds no keys) and sends `tx`; returns the receipt (or the
    hash with wait=False)."""
    tx = dict(tx)
    tx.setdefault("chainId", CHAIN_ID)
    tx.setdefault("from", account.address)
    tx.setdefault("nonce", w3.eth.get_transaction_count(account.address, "pending"))
    if "gasPrice" not in tx:
        tx.setdefault("maxPriorityFeePerGas", w3.eth.max_priority_fee)
        tx.setdefault("maxFeePerGas", 2 * w3.eth.get_block("latest")["baseFeePerGas"] + tx["maxPriorityFeePerGas"])
    if "gas" not in tx:
        tx["gas"] = w3.eth.estimate_gas(tx)
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    if not wait:
        return tx_hash
    return w3.eth.wait_for_transaction_receipt(tx_hash, timeout=WAIT_S, poll_latency=0.2)


def deploy(w3: Web3, account, abi, bytecode, *args):
    """Deploys a contract with web3.py; returns (contract, receipt)."""
    factory = w3.eth.contract(abi=abi, bytecode=bytecode)
    tx = factory.constructor(*args).build_transaction({"from": account.address, "chainId": CHAIN_ID,
                                                       "nonce": w3.eth.get_transaction_count(account.address, "pending")})
    receipt = send_tx(w3, account, tx)
    assert receipt.status == 1, receipt
    return w3.eth.contract(address=receipt.contractAddress, abi=abi), receipt
