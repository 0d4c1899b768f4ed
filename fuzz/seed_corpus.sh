#!/usr/bin/env bash
# Seeds fuzz/corpus/ with the spec vectors: each batch's guest input blob, and each signed
# message's bytes. Run from anywhere; needs python3 and shared/ next to the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vectors="${NUMO_VECTORS:-$here/../../shared/spec/vectors/batches}"
mkdir -p "$here/corpus/guest_input" "$here/corpus/message"
python3 - "$vectors" "$here/corpus" <<'PY'
import json, pathlib, sys
vectors, corpus = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(vectors.glob("batch_*.json")):
    batch = json.loads(path.read_text())
    (corpus / "guest_input" / f"{path.stem}.bin").write_bytes(bytes.fromhex(batch["guestInput"][2:]))
    for i, message in enumerate(batch["messages"]):
        (corpus / "message" / f"{path.stem}_{i}.bin").write_bytes(bytes.fromhex(message["bytes"][2:]))
PY
echo "seeded $(ls "$here/corpus/guest_input" | wc -l) blobs and $(ls "$here/corpus/message" | wc -l) messages"
