#!/usr/bin/env bash
# Builds the SP1 program of NUMO (programs/sp1-batch) into target/sp1/numo-sp1-batch.elf and
# prints its size, hash and (if the prover host is built) verifying-key hash.
#
# No internet toolchain: SP1 v6 guests are RV64IM, built here with Debian's rustc (with std
# sources) through -Zbuild-std and a committed JSON target spec (docs/PROVING.md). The build is
# reproducible: locked dependencies, fixed flags, and the sources staged at one fixed path
# (cargo hashes the absolute path of path dependencies into every symbol) with that path and
# cargo home remapped, so the ELF, and therefore the verifying key, is byte-identical whatever
# the checkout's location.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

"$repo/scripts/sp1-deps.sh"

target=riscv64im-succinct-zkvm-elf
target_env=${target//-/_}
cargo_home=${CARGO_HOME:-$HOME/.cargo}
out_dir=$repo/target/sp1
elf=$out_dir/numo-sp1-batch.elf
stage=/tmp/numo-sp1-src

# The program and the crates it builds, at the fixed path (sources only).
mkdir -p "$stage"
rm -rf "${stage:?}/crates" "${stage:?}/programs"
mkdir -p "$stage/programs"
cp Cargo.toml Cargo.lock "$stage/"
cp -r crates "$stage/crates"
cp -r programs/sp1-batch "$stage/programs/sp1-batch"

rustflags=(
    -C passes=lower-atomic
    -C link-arg=--image-base=2013265920
    -C panic=abort
    --cfg 'getrandom_backend="custom"'
    -C llvm-args=-misched-prera-direction=bottomup
    -C llvm-args=-misched-postra-direction=bottomup
    "--remap-path-prefix=$stage=/numo"
    "--remap-path-prefix=$repo=/numo"
    "--remap-path-prefix=$cargo_home=/cargo"
)

export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
export CARGO_INCREMENTAL=0
export SOURCE_DATE_EPOCH=0
export "CARGO_TARGET_${target_env^^}_RUSTFLAGS=${rustflags[*]}"
export "CC_${target_env}=rust-clang"
export "CFLAGS_${target_env}=--target=riscv64 -march=rv64im -mabi=lp64"

/usr/bin/rustc --version
(
    cd "$stage/programs/sp1-batch"
    /usr/bin/cargo build --release --locked \
        -Zbuild-std=std,panic_abort -Zbuild-std-features=compiler-builtins-mem -Zjson-target-spec \
        --target "./$target.json" --target-dir "$repo/target/sp1-program"
)

mkdir -p "$out_dir"
cp "$repo/target/sp1-program/$target/release/numo-sp1-batch" "$elf"
echo "elf: target/sp1/numo-sp1-batch.elf"
echo "size: $(stat -c %s "$elf") bytes"
echo "sha256: $(sha256sum "$elf" | cut -d' ' -f1)"
numo=$repo/target/sp1/numo
if [[ -x $numo ]]; then
    echo "vk: $("$numo" proof vk --elf "$elf")"
else
    echo "vk: (build the prover host first: cargo build --profile sp1 -p numo --features sp1)"
fi
