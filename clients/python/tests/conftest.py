"""Fixtures: the spec vectors beside the repository, and a dev node started from the numo binary
on a free 127.0.0.1 port with its data in a temporary directory."""

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
         "--block-interval-ms", "20"],
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
