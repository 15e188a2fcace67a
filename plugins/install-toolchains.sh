#!/usr/bin/env bash
# Installs what plugins/build.sh needs on a Debian machine: clang + lld (C), wabt (WAT) from
# Debian's packages, binaryen and node for the differential fuzzer (DifferentialFuzzTest), and the AssemblyScript compiler and proxy-wasm SDK from npm (pinned by
# plugins/assemblyscript/package-lock.json). Quick when everything is already there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

missing=()
command -v clang > /dev/null || missing+=(clang)
command -v wasm-ld > /dev/null || missing+=(lld)
command -v wat2wasm > /dev/null || missing+=(wabt)
command -v npm > /dev/null || missing+=(npm)
command -v node > /dev/null || missing+=(nodejs)
command -v wasm-opt > /dev/null || missing+=(binaryen)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi

cd "$here/assemblyscript"
npm ci --no-audit --no-fund --loglevel=error
