"""Fixtures: the spec vectors beside the repository, a dev node started from the numo binary
on a free 127.0.0.1 port with its data in a temporary directory, and for the funding tests an
anvil (``NUMO_ANVIL``, else the npm package under contracts/) with a node that follows it."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def vectors():
    path = Path(os.environ.get("NUMO_SPEC_VECTORS", REPO.parent / "shared" / "spec" / "vectors"))
    return json.loads((path / "encodings.json").read_text())


def numo_binary() -> Path:
    """``NUMO_BIN``, else ``target/debug/numo`` (built with cargo if it is not there yet)."""
    if os.environ.get("NUMO_BIN"):
        return Path(os.environ["NUMO_BIN"])
    binary = REPO / "target" / "debug" / "numo"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "numo"], cwd=REPO, check=True)
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dev_keys():
    out = subprocess.run([str(numo_binary()), "dev", "accounts", "--json"], check=True, capture_output=True, text=True)
    return [a["privateKey"] for a in json.loads(out.stdout)]


@pytest.fixture(scope="session")
def node_url(tmp_path_factory):
    url = f"http://127.0.0.1:{free_port()}"
    data = tmp_path_factory.mktemp("numo-data")
    process = subprocess.Popen(
        [str(numo_binary()), "node", "--dev", "--http", url[len("http://") :], "--data-dir", str(data),
         "--block-interval-ms", "20", "--evm-rpc", "off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"numo node exited with {process.returncode}")
            try:
                if requests.get(url + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("numo node did not answer /health within 30 s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def anvil_binary() -> Path:
    """``NUMO_ANVIL``, else the npm package's binary (``npm ci`` in contracts/)."""
    if os.environ.get("NUMO_ANVIL"):
        return Path(os.environ["NUMO_ANVIL"])
    return REPO / "contracts" / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def _wait_until(ready, process, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {seconds} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def anvil_url():
    """anvil with a block a second (deposits are credited after two confirmations)."""
    binary = anvil_binary()
    if not binary.is_file():
        raise RuntimeError(f"anvil not found at {binary}: run `npm ci` in contracts/ or set NUMO_ANVIL")
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [str(binary), "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1], "--block-time", "1", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    try:
        _wait_until(lambda: requests.post(url, json=body, timeout=1).ok, process, "anvil", 20)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def l1_node_url(tmp_path_factory, anvil_url):
    """A dev node following ``anvil_url``: it deploys the dev tokens and bridge on start and
    settles every second."""
    url = f"http://127.0.0.1:{free_port()}"
    data = tmp_path_factory.mktemp("numo-l1-data")
    log = open(data.parent / "numo-l1-node.log", "wb")
    process = subprocess.Popen(
        [str(numo_binary()), "node", "--dev", "--http", url[len("http://") :], "--data-dir", str(data / "d"),
         "--block-interval-ms", "50", "--evm-rpc", "off", "--l1-rpc", anvil_url, "--settle-interval-ms", "1000"],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait_until(lambda: requests.get(url + "/health", timeout=1).status_code == 200, process, "numo node", 60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
