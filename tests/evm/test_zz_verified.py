"""Last (by name): after everything the tools did, the node's own background verifier has
re-executed every batch — trading, EVM blocks and system batches (kind 3) — from its witness
and agreed with each (`numo node --dev` verifies all batches)."""

import re

from conftest import wait_for


def metric(node, name: str) -> int:
    text = node.http.get(node.url + "/metrics", timeout=10).text
    match = re.search(rf"^{name} (\d+)$", text, re.M)
    assert match, f"{name} missing from /metrics"
    return int(match.group(1))


def test_node_verified_every_batch(node):
    assert metric(node, "numo_batches_total") > 0
    wait_for("the verifier to catch up", lambda: metric(node, "numo_verify_lag_batches") == 0, timeout=20, interval=0.5)
    assert metric(node, "numo_batches_verified_total") > 0
    assert metric(node, "numo_batches_mismatch_total") == 0, [l for l in node.log_text().splitlines() if "MISMATCH" in l][:5]
