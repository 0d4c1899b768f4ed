#!/usr/bin/env bash
# Debian packages the SP1 steps need, installed if missing (idempotent): Debian's rustc with std
# sources, lld and clang to build the zkVM program (docs/PROVING.md), and protoc, which the SP1
# prover host's build scripts (sp1-prover-types) run.
set -euo pipefail

packages=(rustc-web cargo-web rust-web-src lld-22 clang-22 protobuf-compiler)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
