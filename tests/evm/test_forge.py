"""forge (npm @foundry-rs/forge 1.7.1), unchanged: `forge create` compiles tests/evm/src/Counter.sol
with solc-js behind tests/evm/solc (`--use`, `--offline`: nothing downloaded) and deploys it to
the node; the deployed code answers calls and a transaction through cast. Signs with dev
account 2 only."""

import json
import os

from conftest import CAST, FORGE, HERE, SOLC, measure, run


def test_forge_create_from_source(node, dev_accounts, tmp_path):
    key = dev_accounts[2].key.hex()
    env = dict(os.environ)
    env.update({
        "FOUNDRY_OUT": str(tmp_path / "out"),
        "FOUNDRY_CACHE_PATH": str(tmp_path / "cache"),
        "FOUNDRY_DISABLE_NIGHTLY_WARNING": "1",
        "NO_COLOR": "1",
    })
    out = run(
        [FORGE, "create", "--root", HERE, "--use", SOLC, "--offline",
         "--rpc-url", node.rpc_url, "--private-key", key, "--broadcast", "--json",
         "src/Counter.sol:Counter", "--constructor-args", "41"],
        env=env, timeout=120,
    )
    result = json.loads(out.stdout[out.stdout.index("{"):])
    address = result["deployedTo"]
    assert result["deployer"].lower() == dev_accounts[2].address.lower()

    # The artifact forge compiled is the code now on chain (runtime, immutable-free).
    built = json.loads((tmp_path / "out" / "Counter.sol" / "Counter.json").read_text())
    code = run([CAST, "code", address, "--rpc-url", node.rpc_url]).stdout.strip()
    assert code == built["deployedBytecode"]["object"]

    receipt = json.loads(run([CAST, "receipt", result["transactionHash"], "--json", "--rpc-url", node.rpc_url]).stdout)
    assert receipt["status"] == "0x1"
    assert receipt["contractAddress"].lower() == address.lower()
    measure("forge create Counter: gasUsed", int(receipt["gasUsed"], 16))

    def number():
        return run([CAST, "call", address, "number()(uint256)", "--rpc-url", node.rpc_url]).stdout.strip()

    assert number() == "41"
    sent = json.loads(run([CAST, "send", address, "increment()", "--private-key", key, "--json", "--timeout", "30",
                           "--rpc-url", node.rpc_url]).stdout)
    assert sent["status"] == "0x1"
    assert number() == "42"
    (log,) = sent["logs"]
    assert log["address"].lower() == address.lower()
    assert int(log["data"], 16) == 42
