#!/usr/bin/env bash
# Builds numo's guest as WebAssembly (programs/wasm-guest) into web/src/guest/numo_guest.wasm,
# the module the web app's "re-execute" button runs (web/src/guest/guest.js), and prints its
# size and hash.
#
# No internet toolchain: Debian's rustc with std sources builds std for wasm32-unknown-unknown
# through -Zbuild-std, and clang-22 compiles libsecp256k1 (secp256k1-sys ships the wasm sysroot
# headers), exactly as the SP1 program is built (scripts/build-sp1-program.sh, docs/PROVING.md).
# The build is reproducible: locked dependencies, fixed flags, and the sources staged at one
# fixed path with that path, the checkout, the target directory and cargo home remapped, so the
# module is byte-identical whatever the checkout's location (CI rebuilds it and compares).
#
# NUMO_WASM_TARGET_DIR overrides the target directory (default target/wasm-guest).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

"$repo/scripts/sp1-deps.sh"

target=wasm32-unknown-unknown
target_env=${target//-/_}
cargo_home=${CARGO_HOME:-$HOME/.cargo}
target_dir=${NUMO_WASM_TARGET_DIR:-$repo/target/wasm-guest}
out=$repo/web/src/guest/numo_guest.wasm
stage=/tmp/numo-wasm-src

# The program and the crates it builds, at the fixed path (sources only).
mkdir -p "$stage"
rm -rf "${stage:?}/crates" "${stage:?}/programs"
mkdir -p "$stage/programs"
cp Cargo.toml Cargo.lock rustfmt.toml "$stage/"
cp -rp crates "$stage/crates"
cp -rp programs/wasm-guest "$stage/programs/wasm-guest"
rm -rf "$stage/programs/wasm-guest/target"

# Size: panics abort at once (no messages or locations: every batch-invalid input is a typed
# error, a panic is a bug and traps), opt-level z, fat LTO, libsecp256k1's small tables
# (programs/wasm-guest/Cargo.toml). Later remappings win: the target directory may lie inside
# the checkout.
rustflags=(
    -Zunstable-options -C panic=immediate-abort
    "--remap-path-prefix=$stage=/numo"
    "--remap-path-prefix=$repo=/numo"
    "--remap-path-prefix=$cargo_home=/cargo"
    "--remap-path-prefix=$target_dir=/target"
)
cflags=(
    "-ffile-prefix-map=$stage=/numo"
    "-ffile-prefix-map=$cargo_home=/cargo"
    "-ffile-prefix-map=$target_dir=/target"
)

export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
export CARGO_INCREMENTAL=0
export SOURCE_DATE_EPOCH=0
export "CARGO_TARGET_${target_env^^}_RUSTFLAGS=${rustflags[*]}"
export "CC_${target_env}=clang-22"
export "AR_${target_env}=llvm-ar-22"
export "CFLAGS_${target_env}=${cflags[*]}"

/usr/bin/rustc --version
start=$SECONDS
(
    cd "$stage/programs/wasm-guest"
    /usr/bin/cargo build --release --locked \
        -Zbuild-std=std \
        --target "$target" --target-dir "$target_dir"
)
echo "build: $((SECONDS - start)) s"

mkdir -p "$(dirname "$out")"
cp "$target_dir/$target/release/numo_wasm_guest.wasm" "$out"
echo "wasm: web/src/guest/numo_guest.wasm"
echo "size: $(stat -c %s "$out") bytes ($(gzip -9n < "$out" | wc -c) gzipped)"
echo "sha256: $(sha256sum "$out" | cut -d' ' -f1)"
