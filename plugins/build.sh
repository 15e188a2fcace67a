#!/usr/bin/env bash
# Rebuilds every test plugin from its source into plugins/wasm/.
#   plugins/build.sh           rebuild the committed binaries
#   plugins/build.sh --check   rebuild into a temporary directory and fail if any committed
#                              binary differs from what its source builds to
# Needs clang + lld, wabt and the AssemblyScript packages: run plugins/install-toolchains.sh.
#
# Compilers do not give the same bytes across versions, so the committed binaries record the
# toolchain that built them (below). --check compares what this machine's toolchain can rebuild
# byte for byte and says which groups it skipped and why; a plain build uses what is here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=0
out="$here/wasm"
if [ "${1:-}" = "--check" ]; then
  check=1
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi
mkdir -p "$out"

# The toolchains the committed binaries were built with.
C_COMPILER_VERSION="Debian clang version 14.0.6"

skipped=()
# C plugins: clang, wasm32, no libc.
c_version=$(clang --version | head -n 1)
skip_c=0
if [ $check -eq 1 ] && [ "$c_version" != "$C_COMPILER_VERSION" ]; then
  skip_c=1
  skipped+=("C plugins: this machine has '$c_version', the committed binaries were built with '$C_COMPILER_VERSION'")
fi
cflags=(--target=wasm32-unknown-unknown -nostdlib -ffreestanding -O2 -Wall -Wextra -Werror
  -Wl,--no-entry -Wl,--strip-all -Wl,--export-dynamic)
if [ $skip_c -eq 0 ]; then
  for name in hello_world http_headers path_reporter path_collector callout; do
    clang "${cflags[@]}" -o "$out/c-${name//_/-}.wasm" "$here/c/proxy_wasm.c" "$here/c/$name.c"
  done
  clang "${cflags[@]}" -DOWN_CONTEXT_CREATE -o "$out/c-abi-probe.wasm" "$here/c/proxy_wasm.c" \
    "$here/c/abi_probe.c"
fi

# AssemblyScript plugins: the real proxy-wasm AssemblyScript SDK.
for name in hello_world http_headers; do
  (cd "$here/assemblyscript" &&
    npx --no-install asc "$name.ts" -b "$out/as-${name//_/-}.wasm" --use abort=abort_proc_exit -O3 \
      > /dev/null 2> "$out/.asc.log") || { cat "$out/.asc.log" >&2; exit 1; }
  rm -f "$out/.asc.log"
done

# WAT modules: exact ABI edge cases.
for src in "$here"/wat/*.wat; do
  wat2wasm "$src" -o "$out/$(basename "$src" .wat).wasm"
done

# Not a wasm module at all.
printf 'NOTWASM\x01\x00\x00\x00' > "$out/bad-magic.wasm"

if [ $check -eq 1 ]; then
  status=0
  for f in "$out"/*.wasm; do
    name=$(basename "$f")
    if [ ! -f "$here/wasm/$name" ]; then
      echo "plugins/wasm/$name is missing: run plugins/build.sh and commit it" >&2
      status=1
    elif ! cmp -s "$f" "$here/wasm/$name"; then
      echo "plugins/wasm/$name is stale: its source builds to different bytes" >&2
      status=1
    fi
  done
  for f in "$here"/wasm/*.wasm; do
    if [ $skip_c -eq 1 ] && [[ "$(basename "$f")" == c-* ]]; then
      continue
    fi
    if [ ! -f "$out/$(basename "$f")" ]; then
      echo "plugins/wasm/$(basename "$f") has no source" >&2
      status=1
    fi
  done
  for reason in "${skipped[@]}"; do
    echo "plugins: skipped $reason"
  done
  [ $status -eq 0 ] && echo "plugins: all $(ls "$out"/*.wasm | wc -l) rebuilt binaries match their sources"
  exit $status
fi
echo "plugins: built $(ls "$out"/*.wasm | wc -l) binaries into plugins/wasm"
