"""SP1EpochVerifier's epoch splitting, against a mock SP1 verifier (no real SP1 proofs offline)."""

from eth_abi import encode

import numo
from conftest import FORCED_WINDOW, FUNDING_DOMAIN, GENESIS_ROOT, Env
from test_bridge import funding_batch, root_n, trading_batch

VKEY = numo.keccak(b"numo-program-vkey")


def mock_proof(pi: bytes, vkey: bytes = VKEY) -> bytes:
    return numo.keccak(vkey, pi)


def test_sp1_adapter_settles_with_one_proof_per_batch(chain):
    env = Env(chain)
    mock = chain.deploy("test/MockSP1Verifier")
    sp1 = chain.deploy("SP1EpochVerifier", mock.address, VKEY)
    bridge = chain.deploy("NumoBridge", GENESIS_ROOT, FUNDING_DOMAIN, sp1.address, FORCED_WINDOW, chain.deployer)
    env.bridge = bridge  # reuse the batch builders on the SP1-verified bridge
    b = bridge.functions

    batches = [trading_batch(env, root_n(1))]
    batches.append(funding_batch(env, root_n(2), seq=2, prev=root_n(1)))
    batches.append(trading_batch(env, root_n(3), seq=3, prev=root_n(2)))
    epoch = numo.epoch_bytes(batches)
    proofs = [mock_proof(pi) for _, pi in batches]

    def settle(ps):
        return b.settle(epoch, encode(["bytes[]"], [ps]))

    chain.expect_revert(settle(proofs[:2]), "ProofCountMismatch")
    chain.expect_revert(settle(proofs + [proofs[0]]), "ProofCountMismatch")
    chain.expect_revert(settle([proofs[1], proofs[0], proofs[2]]), "MockProofRejected")
    chain.expect_revert(settle([mock_proof(pi, numo.keccak(b"other")) for _, pi in batches]), "MockProofRejected")
    chain.send(settle(proofs))
    assert b.lastBatchSeq().call() == 3
    assert bytes(b.stateRoot().call()) == root_n(3)
    assert chain.revert_name(sp1.functions.verifyEpoch(b"\x00" * 32, b"\x05", encode(["bytes[]"], [[]]))) == \
        "MalformedEpoch"
