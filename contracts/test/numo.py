"""Independent Python implementations of the numo byte rules the bridge checks (PROTOCOL.md §2, §3, §11)."""

from eth_utils import keccak as _keccak

NS_BAL = b"NS_BAL".ljust(32, b"\x00")
TREE_DEPTH = 256


def keccak(*parts: bytes) -> bytes:
    return _keccak(b"".join(parts))


def u8(x: int) -> bytes:
    return x.to_bytes(1, "big")


def u64(x: int) -> bytes:
    return x.to_bytes(8, "big")


def u256(x: int) -> bytes:
    return x.to_bytes(32, "big")


def addr(a: str) -> bytes:
    b = bytes.fromhex(a[2:] if a.startswith("0x") else a)
    assert len(b) == 20
    return b


# ------------------------------------------------------------------ F5 accumulators

def deposit_acc(acc: bytes, index: int, asset_id: bytes, frm: str, to: str, amount: int) -> bytes:
    return keccak(acc, u64(index), asset_id, addr(frm), addr(to), u256(amount))


def forced_acc(acc: bytes, index: int, owner: str, asset_id: bytes, amount: int) -> bytes:
    return keccak(acc, u64(index), addr(owner), asset_id, u256(amount))


# ------------------------------------------------------------------ public inputs (section B, F11) and F13

def trading_pi(prev_root: bytes, new_root: bytes, batch_seq: int, timestamp: int = 1_700_000_000,
               salt: bytes = b"") -> bytes:
    batch_digest = keccak(b"digest", salt, u64(batch_seq))
    rules_hash = keccak(b"rules")
    domain = keccak(b"market-domain")
    da = keccak(b"da", salt, u64(batch_seq))
    trades_root = keccak(b"trades", u64(batch_seq))
    fees_root = keccak(b"fees", u64(batch_seq))
    pi = (prev_root + new_root + batch_digest + rules_hash + domain + u64(batch_seq) + u64(timestamp)
          + da + trades_root + fees_root)
    assert len(pi) == 272
    return pi


def funding_pi(prev_root: bytes, new_root: bytes, batch_seq: int, funding_domain: bytes,
               dep_before: int, dep_acc_before: bytes, dep_after: int, dep_acc_after: bytes,
               forced_before: int, forced_acc_before: bytes, forced_after: int, forced_acc_after: bytes,
               withdrawals_root: bytes, timestamp: int = 1_700_000_000) -> bytes:
    batch_digest = keccak(b"FUNDING_V1", funding_domain, u64(batch_seq))
    rules_hash = keccak(b"funding-rules")
    da = keccak(b"da", u64(batch_seq))
    pi = (prev_root + new_root + batch_digest + rules_hash + funding_domain + u64(batch_seq) + u64(timestamp) + da
          + u64(dep_before) + dep_acc_before + u64(dep_after) + dep_acc_after
          + u64(forced_before) + forced_acc_before + u64(forced_after) + forced_acc_after
          + withdrawals_root)
    assert len(pi) == 400
    return pi


def epoch_bytes(batches) -> bytes:
    """batches: list of (kind, pi)."""
    return b"".join(u8(kind) + pi for kind, pi in batches)


def epoch_digest(chain_id: int, bridge: str, epoch: bytes) -> bytes:
    return keccak(b"NUMO_EPOCH_V1", u256(chain_id), addr(bridge), keccak(epoch))


def committee_sign(accounts, digest: bytes) -> bytes:
    """65-byte r‖s‖v signatures over the raw digest, signers in ascending address order (F13)."""
    out = b""
    for acct in sorted(accounts, key=lambda a: int(a.address, 16)):
        sig = acct.unsafe_sign_hash(digest)
        out += u256(sig.r) + u256(sig.s) + u8(sig.v)
    return out


# ------------------------------------------------------------------ F10 withdrawals tree

def withdrawal_leaf(wid: int, recipient: str, asset_id: bytes, amount: int) -> bytes:
    record = u64(wid) + addr(recipient) + asset_id + u256(amount)
    assert len(record) == 92
    return keccak(record)


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b), max(a, b))


def withdrawals_tree(leaves):
    """Returns (root, proofs) — commutative pair hash, odd level duplicates its last node (F10)."""
    if not leaves:
        return b"\x00" * 32, []
    proofs = [[] for _ in leaves]
    positions = list(range(len(leaves)))
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2 == 1:
            level.append(level[-1])
        for j, pos in enumerate(positions):
            proofs[j].append(level[pos ^ 1])
            positions[j] = pos // 2
        level = [_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0], proofs


# ------------------------------------------------------------------ C2-C7 sparse Merkle tree

def _node(left: bytes, right: bytes) -> bytes:
    return keccak(b"\x01", left, right)


DEFAULTS = [b"\x00" * 32]
for _ in range(TREE_DEPTH):
    DEFAULTS.append(_node(DEFAULTS[-1], DEFAULTS[-1]))


def bal_key(owner: str, asset_id: bytes) -> bytes:
    return keccak(NS_BAL, b"\x1f", addr(owner), asset_id)


def bal_leaf(key: bytes, available: int, locked: int) -> bytes:
    return keccak(b"\x00", key, keccak(u256(available), u256(locked)))


def _subtree(height: int, leaves) -> bytes:
    """Hash of the subtree of `height` over leaves [(key_int, leaf_hash)] that share all bits above it.
    Path bit i from the key's MSB picks the side at depth i (C6), so at height h the deciding bit is
    bit h-1 counted from the LSB; 0 = left."""
    if not leaves:
        return DEFAULTS[height]
    if height == 0:
        assert len(leaves) == 1
        return leaves[0][1]
    bit = height - 1
    left = [l for l in leaves if not (l[0] >> bit) & 1]
    right = [l for l in leaves if (l[0] >> bit) & 1]
    return _node(_subtree(height - 1, left), _subtree(height - 1, right))


def smt_root(leaves) -> bytes:
    """leaves: {key_bytes: leaf_hash}."""
    return _subtree(TREE_DEPTH, [(int.from_bytes(k, "big"), h) for k, h in leaves.items()])


def smt_proof(leaves, key: bytes):
    """256 siblings, leaf first (C7)."""
    k = int.from_bytes(key, "big")
    items = [(int.from_bytes(kk, "big"), h) for kk, h in leaves.items()]
    siblings = []
    for i in range(TREE_DEPTH):
        other = [(kk, h) for kk, h in items if (kk >> (i + 1)) == (k >> (i + 1)) and ((kk >> i) & 1) != ((k >> i) & 1)]
        siblings.append(_subtree(i, other))
    return siblings
