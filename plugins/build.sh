#!/usr/bin/env bash
# Rebuilds every test plugin from its source into plugins/wasm/.
#   plugins/build.sh           rebuild the committed binaries
#   plugins/build.sh --check   rebuild into a temporary directory and fail if any committed
#                              binary differs from what its source builds to
# Needs clang + lld, wabt and the AssemblyScript packages: run plugins/install-toolchains.sh;
# golang-1.19 (Debian) for the go-js-*.wasm programs, which are skipped, with a word, without it.
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

# C plugins: clang, wasm32, no libc.
cflags=(--target=wasm32-unknown-unknown -nostdlib -ffreestanding -O2 -Wall -Wextra -Werror
  -Wl,--no-entry -Wl,--strip-all -Wl,--export-dynamic)
for name in hello_world http_headers path_reporter path_collector callout; do
  clang "${cflags[@]}" -o "$out/c-${name//_/-}.wasm" "$here/c/proxy_wasm.c" "$here/c/$name.c"
done

# AssemblyScript plugins: the real proxy-wasm AssemblyScript SDK.
for name in hello_world http_headers; do
  (cd "$here/assemblyscript" &&
    npx --no-install asc "$name.ts" -b "$out/as-${name//_/-}.wasm" --use abort=abort_proc_exit -O3 \
      > /dev/null 2> "$out/.asc.log") || { cat "$out/.asc.log" >&2; exit 1; }
  rm -f "$out/.asc.log"
done

# Go programs for GOOS=js GOARCH=wasm: not proxy-wasm plugins, but code with the shape of the Go
# SDK's (huge functions, values kept on the operand stack across blocks) for the function splitter.
# Debian's golang-1.19; fixed GOROOT, GOPATH and a fresh GOCACHE, paths trimmed: the same bytes on
# every machine.
go119=/usr/lib/go-1.19/bin/go
if [ -x "$go119" ]; then
  gotmp=$(mktemp -d)
  for name in statemachine wordfreq; do
    (cd "$here/go-js" &&
      env -i PATH=/usr/bin:/bin HOME="$gotmp" GOROOT=/usr/lib/go-1.19 GOPATH="$gotmp/path" \
        GOCACHE="$gotmp/cache" GOOS=js GOARCH=wasm GO111MODULE=on GOFLAGS=-mod=mod \
        GOTOOLCHAIN=local CGO_ENABLED=0 \
        "$go119" build -trimpath -buildvcs=false -ldflags=-buildid= -o "$out/go-js-$name.wasm" "./$name")
  done
  chmod -R u+w "$gotmp" && rm -rf "$gotmp"
else
  echo "plugins: skipping the Go programs (go-js-*.wasm): $go119 is not installed (Debian golang-1.19)"
  if [ $check -eq 1 ]; then
    cp "$here"/wasm/go-js-*.wasm "$out"/
  fi
fi

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
    if [ ! -f "$out/$(basename "$f")" ]; then
      echo "plugins/wasm/$(basename "$f") has no source" >&2
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "plugins: all $(ls "$out"/*.wasm | wc -l) binaries match their sources"
  exit $status
fi
echo "plugins: built $(ls "$out"/*.wasm | wc -l) binaries into plugins/wasm"
