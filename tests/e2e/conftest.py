"""Fixtures of numo's end-to-end suite: a real anvil and a real `numo node --dev --l1-rpc` on free
127.0.0.1 ports, both stopped by PID (also when a test fails); every wait is bounded.

The L1 side is plain web3.py against the committed ABIs in `contracts/artifacts/` (an outside
client: no numo code); the numo side is plain HTTP (`requests`), plus `numo_client` from
`clients/python` for signing orders.

anvil runs in automine mode (each transaction gets its own block at once) and a background
miner thread adds an empty block every `MINE_INTERVAL_S` so that confirmations come; tests that
must control the head (`Net.miner_paused()`) stop it and call `evm_mine` themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Optional

import pytest
import requests
from eth_account import Account
from eth_hash.auto import keccak
from web3 import Web3
from web3.logs import DISCARD
from web3.exceptions import ContractCustomError, ContractLogicError

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "clients" / "python"))
from numo_client import NodeClient, Signer  # noqa: E402

ARTIFACTS = REPO / "contracts" / "artifacts"
ANVIL = Path(os.environ.get("ANVIL", REPO / "contracts" / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"))
CARGO_TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
NUMO = Path(os.environ.get("NUMO_BIN", CARGO_TARGET / "debug" / "numo"))

START_TIMEOUT_S = 60
WAIT_S = 30
MINE_INTERVAL_S = 0.3
SETTLE_INTERVAL_MS = 1000
CONFIRMATIONS = 2

# anvil's default accounts ("test test … junk"): public test keys. Account 0 is the node's
# operator (it sends settlements), so tests send user transactions from accounts 1–9 only.
ANVIL_KEYS = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
]
USERS = [Account.from_key(k) for k in ANVIL_KEYS]

# Measurements collected by the tests, printed at the end of the run.
MEASURE: Dict[str, list] = {}


def measure(name: str, value) -> None:
    MEASURE.setdefault(name, []).append(value)


def pytest_terminal_summary(terminalreporter):
    if MEASURE:
        terminalreporter.write_sep("-", "e2e measurements")
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
        except Exception as error:  # a node restarting, a transient RPC error
            last_error = error
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what} (last error: {last_error!r})")
        time.sleep(interval)


def artifact(name: str) -> dict:
    return json.loads((ARTIFACTS / f"{name}.json").read_text())


ERRORS: Dict[str, str] = {}
for _f in sorted(ARTIFACTS.rglob("*.json")):
    for _item in json.loads(_f.read_text())["abi"]:
        if _item["type"] == "error":
            _sig = f"{_item['name']}({','.join(i['type'] for i in _item['inputs'])})"
            ERRORS[Web3.keccak(text=_sig)[:4].hex().removeprefix("0x")] = _item["name"]


def revert_name(attempt: Callable[[], object]) -> str:
    """The custom error `attempt` (an eth_call) reverts with, by its selector."""
    try:
        attempt()
    except (ContractCustomError, ContractLogicError) as e:
        data = e.data
        if isinstance(data, dict):
            data = data.get("data")
        assert isinstance(data, str) and len(data) >= 10, f"no revert data: {e!r}"
        selector = data.removeprefix("0x")[:8]
        assert selector in ERRORS, f"unknown revert selector 0x{selector} ({e!r})"
        return ERRORS[selector]
    pytest.fail("call did not revert")


def u64(x: int) -> bytes:
    return x.to_bytes(8, "big")


def u256(x: int) -> bytes:
    return x.to_bytes(32, "big")


def addr_bytes(a: str) -> bytes:
    return bytes.fromhex(a.removeprefix("0x"))


def b32(h: str) -> bytes:
    return bytes.fromhex(h.removeprefix("0x"))


def fee_vault_key(asset_id: str) -> str:
    """C2: keccak256(namespace32 ‖ 0x1f ‖ material) with NS_FEEVAULT and the asset id."""
    return "0x" + keccak(b"NS_FEEVAULT".ljust(32, b"\x00") + b"\x1f" + b32(asset_id)).hex()


# ------------------------------------------------------------------------------------ processes


class Anvil:
    """anvil in automine mode plus a pausable background miner."""

    def __init__(self, workdir: Path):
        assert ANVIL.exists(), f"anvil missing at {ANVIL}: run `npm ci` in contracts/"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(workdir / "anvil.log", "wb")
        self.proc = subprocess.Popen(
            [str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"anvil exited early (see {workdir / 'anvil.log'})")
            try:
                if self.w3.is_connected():
                    break
            except Exception:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"anvil did not answer on {self.url}")
            time.sleep(0.1)
        self._mining = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._miner, daemon=True)
        self._thread.start()

    def rpc(self, method: str, params=None):
        with self._lock:
            answer = self.w3.provider.make_request(method, params or [])
        assert "error" not in answer, f"{method}: {answer['error']}"
        return answer.get("result")

    def _miner(self):
        while not self._stop.is_set():
            if self._mining.is_set():
                try:
                    self.rpc("evm_mine")
                except Exception:
                    pass
            self._stop.wait(MINE_INTERVAL_S)

    def start_mining(self):
        self._mining.set()

    def stop_mining(self):
        self._mining.clear()
        time.sleep(MINE_INTERVAL_S)  # let an evm_mine in flight finish

    def mine(self, n: int = 1):
        for _ in range(n):
            self.rpc("evm_mine")

    def head(self) -> int:
        return self.w3.eth.block_number

    def stop(self):
        if hasattr(self, "_stop"):
            self._stop.set()
            self._thread.join(timeout=5)
        stop_pid(self.proc)
        self.log.close()


def stop_pid(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


class Node:
    """`numo node --dev` linked to an anvil; restartable on the same data dir and port."""

    def __init__(self, workdir: Path, l1_url: str, extra=()):
        assert NUMO.exists(), f"numo binary missing at {NUMO}: cargo build -p numo (or set NUMO_BIN)"
        self.workdir = workdir
        self.data_dir = workdir / "numo-data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.l1_url = l1_url
        self.extra = list(extra)
        self.proc: Optional[subprocess.Popen] = None
        self.starts = 0
        self.http = requests.Session()
        self.start()

    def start(self):
        self.starts += 1
        self.log = open(self.workdir / f"node-{self.starts}.log", "wb")
        args = [
            str(NUMO), "node", "--dev", "--evm-rpc", "off",
            "--data-dir", str(self.data_dir),
            "--http", f"127.0.0.1:{self.port}",
            "--l1-rpc", self.l1_url,
            "--settle-interval-ms", str(SETTLE_INTERVAL_MS),
            "--l1-confirmations", str(CONFIRMATIONS),
            *self.extra,
        ]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"numo exited with {self.proc.returncode}: {self.log_text()[-3000:]}")
            return self.http.get(self.url + "/v1/l1", timeout=2).status_code == 200

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if ready():
                    return
            except AssertionError:
                raise
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"numo did not answer on {self.url}: {self.log_text()[-3000:]}")
            time.sleep(0.1)

    def log_text(self) -> str:
        self.log.flush()
        return (self.workdir / f"node-{self.starts}.log").read_text(errors="replace")

    def kill9(self):
        """SIGKILL, by PID: no shutdown path runs."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def restart(self):
        self.start()

    def stop(self):
        if self.proc is not None:
            stop_pid(self.proc)
            self.log.close()

    # --- HTTP
    def get(self, path: str, **params):
        r = self.http.get(self.url + path, params=params or None, timeout=35)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
        return r.json()

    def status(self, path: str) -> int:
        return self.http.get(self.url + path, timeout=35).status_code

    def post(self, path: str, body) -> requests.Response:
        return self.http.post(self.url + path, json=body, timeout=35)


# ------------------------------------------------------------------------------------ the net


class Net:
    """An anvil, a numo node with its dev bridge, and helpers for both sides."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.anvil = Anvil(workdir)
        self.node = None
        try:
            self.anvil.start_mining()
            self.node = Node(workdir, self.anvil.url)
        except BaseException:
            self.close()
            raise
        self.w3 = self.anvil.w3
        self.l1 = self.node.get("/v1/l1")
        self.bridge = self.w3.eth.contract(address=Web3.to_checksum_address(self.l1["bridge"]), abi=artifact("NumoBridge")["abi"])
        token_abi = artifact("DevToken")["abi"]
        self.tokens = {s: self.w3.eth.contract(address=Web3.to_checksum_address(a), abi=token_abi) for s, a in self.l1["tokens"].items()}
        self.domain = b32(self.l1["fundingDomain"])
        self.assets = {s: "0x" + bytes(self.bridge.functions.assetOf(t.address).call()).hex() for s, t in self.tokens.items()}
        self.client = NodeClient(self.node.url)

    def close(self):
        if self.node is not None:
            self.node.stop()
        self.anvil.stop()

    @contextlib.contextmanager
    def miner_paused(self):
        self.anvil.stop_mining()
        try:
            yield
        finally:
            self.anvil.start_mining()

    # --- L1 (web3 only; anvil's accounts are unlocked)
    def send(self, fn, sender: str, gas: Optional[int] = None):
        params = {"from": sender}
        if gas:
            params["gas"] = gas
        receipt = self.w3.eth.wait_for_transaction_receipt(fn.transact(params), timeout=WAIT_S)
        assert receipt.status == 1, f"transaction failed: {receipt}"
        return receipt

    def deposit(self, user, symbol: str, amount: int, to: Optional[str] = None, approve: bool = True):
        """approve + deposit from `user` (an eth_account); returns (index, receipt)."""
        token = self.tokens[symbol]
        if approve:
            self.send(token.functions.approve(self.bridge.address, amount), user.address)
        receipt = self.send(self.bridge.functions.deposit(token.address, amount, to or user.address), user.address)
        (event,) = self.bridge.events.Deposited().process_receipt(receipt, errors=DISCARD)
        measure("gas deposit", receipt.gasUsed)
        return event.args["index"], receipt

    def erc20(self, symbol: str, owner: str) -> int:
        return self.tokens[symbol].functions.balanceOf(Web3.to_checksum_address(owner)).call()

    def claim(self, withdrawal: dict, sender: str):
        tx = {"from": sender, "to": Web3.to_checksum_address(withdrawal["claim"]["to"]), "data": withdrawal["claim"]["data"]}
        receipt = self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_transaction(tx), timeout=WAIT_S)
        assert receipt.status == 1, f"claim failed: {receipt}"
        measure("gas claim", receipt.gasUsed)
        return receipt

    def claim_revert(self, withdrawal: dict, sender: str) -> str:
        tx = {"from": sender, "to": Web3.to_checksum_address(withdrawal["claim"]["to"]), "data": withdrawal["claim"]["data"]}
        return revert_name(lambda: self.w3.eth.call(tx))

    # --- numo (HTTP)
    def balance(self, owner: str, symbol: str):
        for b in self.node.get(f"/v1/accounts/{owner}")["balances"]:
            if b["symbol"] == symbol:
                return int(b["available"]), int(b["locked"])
        raise AssertionError(f"no {symbol} balance row for {owner}")

    def deposits(self, owner: Optional[str] = None):
        return self.node.get("/v1/deposits", **({"owner": owner} if owner else {}))

    def wait_credited(self, index: int, timeout: float = WAIT_S):
        def probe():
            rows = [d for d in self.deposits() if d["index"] == index]
            return rows[0] if rows else None

        row = wait_for(f"deposit {index} credited", probe, timeout)
        assert row["status"] == "credited", row
        return row

    def funding_nonce(self, owner: str) -> int:
        n = self.node.get(f"/v1/accounts/{owner}")["fundingNonce"]
        return n["pendingNonce"] if n.get("pendingNonce") is not None else n["nextNonce"]

    def withdraw_body(self, user, symbol: str, amount: int, recipient: Optional[str] = None,
                      nonce: Optional[int] = None, signer=None) -> dict:
        recipient = recipient or user.address
        nonce = self.funding_nonce(user.address) if nonce is None else nonce
        msg = b"\x03" + addr_bytes(user.address) + u64(nonce) + b32(self.assets[symbol]) + u256(amount) + addr_bytes(recipient)
        digest = keccak(b"\x19\x01" + self.domain + keccak(msg))
        sig = (signer or user).unsafe_sign_hash(digest)
        signature = u256(sig.r) + u256(sig.s) + bytes([sig.v])
        return {"owner": user.address, "nonce": nonce, "asset": symbol, "amount": str(amount),
                "recipient": recipient, "signature": "0x" + signature.hex()}

    def withdraw(self, user, symbol: str, amount: int, recipient: Optional[str] = None) -> dict:
        r = self.node.post("/v1/withdrawals", self.withdraw_body(user, symbol, amount, recipient))
        assert r.status_code == 200, f"withdraw: {r.status_code} {r.text}"
        return r.json()

    def withdrawal(self, wid: int) -> dict:
        return self.node.get(f"/v1/withdrawals/{wid}")

    def wait_settled(self, wid: int, timeout: float = WAIT_S) -> dict:
        return wait_for(f"withdrawal {wid} settled", lambda: (w := self.withdrawal(wid))["status"] == "settled" and w, timeout)

    def last_batch(self) -> int:
        """The node's last committed batchSeq (probing `GET /v1/batches/{seq}`)."""
        seq = max(int(self.node.get("/v1/l1")["lastSettledBatch"]), 0)
        while self.node.status(f"/v1/batches/{seq + 1}") == 200:
            seq += 1
        return seq

    def quiesce(self, timeout: float = WAIT_S) -> int:
        """Waits until the bridge has settled every batch the node has (stable over two settle
        intervals) and returns that batchSeq."""

        def probe():
            a = self.last_batch()
            if self.bridge.functions.lastBatchSeq().call() != a:
                return None
            time.sleep(2 * SETTLE_INTERVAL_MS / 1000)
            b = self.last_batch()
            return b == a and self.bridge.functions.lastBatchSeq().call() == b and int(self.node.get("/v1/l1")["lastSettledBatch"]) == b and (b or True)

        wait_for("quiescence (every batch settled)", probe, timeout)
        return self.bridge.functions.lastBatchSeq().call()

    def settle_receipts(self):
        """(firstBatchSeq, lastBatchSeq, gasUsed) of every Settled event so far."""
        out = []
        for log in self.bridge.events.Settled().get_logs(from_block=0):
            receipt = self.w3.eth.get_transaction_receipt(log.transactionHash)
            out.append((log.args["firstBatchSeq"], log.args["lastBatchSeq"], receipt.gasUsed))
        return out


@pytest.fixture
def net(tmp_path, request):
    n = Net(tmp_path)
    try:
        yield n
    finally:
        failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
        if failed and n.node is not None:
            sys.stderr.write(f"\n--- numo log tail ({tmp_path}) ---\n{n.node.log_text()[-4000:]}\n")
        n.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session")
def dev_accounts():
    """The genesis-funded numo dev accounts (`numo dev accounts --json`)."""
    out = subprocess.run([str(NUMO), "dev", "accounts", "--json"], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)
