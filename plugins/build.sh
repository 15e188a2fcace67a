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
#
# The plugins built by the real proxy-wasm Rust and C++ SDKs need the SDK source, which is fetched,
# not committed; point these variables at a checkout of the pinned release (see plugins/README.md):
#   PROXY_WASM_RUST_SDK  proxy-wasm/proxy-wasm-rust-sdk, tag v0.2.0
#                        (commit fb7c953adcba19adb79b4e1885cbb532a2fbad22); Debian rustc 1.63.0 and
#                        cargo 1.65.0 (/usr/bin), target wasm32-unknown-unknown, crates from
#                        Debian's registry /usr/share/cargo/registry, offline
#   PROXY_WASM_CPP_SDK   proxy-wasm/proxy-wasm-cpp-sdk, commit
#                        e5256b0c5463ea9961965ad5de3e379e00486640 (2025-09-25; the last tag, v0.1.0,
#                        predates the ABI 0.2.1); Debian emscripten 3.1.6 (em++), no protobuf
# Without them (or with another toolchain version) those plugins are skipped, and --check says so.
# golang-1.19 (Debian) builds the go-js-*.wasm programs; without it they are skipped, with a word.
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
  skipped+=("C: skipped, this machine has '$c_version', the committed binaries were built with '$C_COMPILER_VERSION'")
fi
cflags=(--target=wasm32-unknown-unknown -nostdlib -ffreestanding -O2 -Wall -Wextra -Werror
  -Wl,--no-entry -Wl,--strip-all -Wl,--export-dynamic)
if [ $skip_c -eq 0 ]; then
  for name in hello_world http_headers path_reporter path_collector callout tcp_lines; do
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

# Plugins built by the real SDKs. Both build in a fixed directory: the Rust compiler hashes the
# absolute path of a path dependency into symbol names, so another directory gives other bytes.
sdk_build=/tmp/proxy-wasm-jvm-sdk-plugins

rust_sdk_commit=fb7c953adcba19adb79b4e1885cbb532a2fbad22
rust_plugins=(hello_world http_headers early_close properties ticks trailers queues two_roots grpc_callouts)
rust_missing() {
  if [ -z "${PROXY_WASM_RUST_SDK:-}" ]; then
    echo "PROXY_WASM_RUST_SDK not set (the SDK source is fetched, not committed)"
  elif ! grep -qx 'version = "0.2.0"' "$PROXY_WASM_RUST_SDK/Cargo.toml" 2>/dev/null; then
    echo "$PROXY_WASM_RUST_SDK is not proxy-wasm-rust-sdk v0.2.0"
  elif [ -e "$PROXY_WASM_RUST_SDK/.git" ] &&
    [ "$(git -C "$PROXY_WASM_RUST_SDK" rev-parse HEAD)" != "$rust_sdk_commit" ]; then
    echo "$PROXY_WASM_RUST_SDK is not at commit $rust_sdk_commit (tag v0.2.0)"
  elif [ ! -x /usr/bin/cargo ] || [ "$(/usr/bin/rustc --version 2>/dev/null)" != "rustc 1.63.0" ]; then
    echo "needs Debian's rustc 1.63.0 and cargo in /usr/bin"
  elif [ ! -d /usr/lib/rustlib/wasm32-unknown-unknown ]; then
    echo "needs the wasm32-unknown-unknown standard library (Debian libstd-rust-dev-wasm32)"
  elif [ ! -d /usr/share/cargo/registry/hashbrown-0.12.3 ] ||
    [ ! -d /usr/share/cargo/registry/log-0.4.17 ]; then
    echo "needs hashbrown 0.12.3 and log 0.4.17 in /usr/share/cargo/registry (Debian librust-*-dev)"
  fi
}
reason=$(rust_missing)
if [ -n "$reason" ]; then
  skipped+=("rust: skipped, $reason")
else
  rm -rf "$sdk_build/rust" "$sdk_build/proxy-wasm-rust-sdk"
  mkdir -p "$sdk_build"
  cp -r "$here/rust" "$sdk_build/rust"
  mkdir -p "$sdk_build/proxy-wasm-rust-sdk"
  (cd "$PROXY_WASM_RUST_SDK" && tar -c --exclude=./target --exclude=./.git --exclude=./Cargo.lock .) |
    tar -x -C "$sdk_build/proxy-wasm-rust-sdk"
  mkdir -p "$sdk_build/rust/.cargo"
  cat > "$sdk_build/rust/.cargo/config.toml" << 'TOML'
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
TOML
  (cd "$sdk_build/rust" &&
    PATH=/usr/bin:/bin CARGO_HOME="$sdk_build/cargo-home" \
      RUSTFLAGS="--remap-path-prefix=$sdk_build=/build" \
      /usr/bin/cargo build -q --release --locked --target wasm32-unknown-unknown)
  for name in "${rust_plugins[@]}"; do
    cp "$sdk_build/rust/target/wasm32-unknown-unknown/release/$name.wasm" \
      "$out/rust-${name//_/-}.wasm"
  done
fi

cpp_sdk_commit=e5256b0c5463ea9961965ad5de3e379e00486640
cpp_plugins=(hello_world http_headers properties early_close two_roots trailers queues)
cpp_missing() {
  if [ -z "${PROXY_WASM_CPP_SDK:-}" ]; then
    echo "PROXY_WASM_CPP_SDK not set (the SDK source is fetched, not committed)"
  elif [ ! -f "$PROXY_WASM_CPP_SDK/proxy_wasm_intrinsics.js" ]; then
    echo "$PROXY_WASM_CPP_SDK is not a proxy-wasm-cpp-sdk checkout"
  elif [ -e "$PROXY_WASM_CPP_SDK/.git" ] &&
    [ "$(git -C "$PROXY_WASM_CPP_SDK" rev-parse HEAD)" != "$cpp_sdk_commit" ]; then
    echo "$PROXY_WASM_CPP_SDK is not at commit $cpp_sdk_commit"
  elif ! command -v em++ > /dev/null || [[ "$(em++ --version 2>/dev/null)" != *" 3.1.6 ("* ]]; then
    echo "needs Debian's emscripten 3.1.6 (em++)"
  fi
}
reason=$(cpp_missing)
if [ -n "$reason" ]; then
  skipped+=("cpp: skipped, $reason")
else
  rm -rf "$sdk_build/cpp"
  mkdir -p "$sdk_build/cpp/proxy-wasm-cpp-sdk"
  cp "$PROXY_WASM_CPP_SDK"/*.h "$PROXY_WASM_CPP_SDK"/*.cc "$PROXY_WASM_CPP_SDK"/*.js \
    "$sdk_build/cpp/proxy-wasm-cpp-sdk/"
  cp "$here"/cpp/*.cc "$sdk_build/cpp/"
  # The SDK's Makefile options, less -sINITIAL_HEAP, which emscripten 3.1.6 does not have.
  for name in "${cpp_plugins[@]}"; do
    (cd "$sdk_build/cpp" &&
      em++ --std=c++17 -O3 -flto --no-entry \
        --js-library proxy-wasm-cpp-sdk/proxy_wasm_intrinsics.js \
        -sSTANDALONE_WASM -sEXPORTED_FUNCTIONS=_malloc -sALLOW_MEMORY_GROWTH=1 \
        -Iproxy-wasm-cpp-sdk proxy-wasm-cpp-sdk/proxy_wasm_intrinsics.cc "$name.cc" \
        -o "$out/cpp-${name//_/-}.wasm")
  done
fi

# Go programs for GOOS=js GOARCH=wasm: not proxy-wasm plugins, but code with the shape of the Go
# SDK's (huge functions, values kept on the operand stack across blocks) for the function splitter.
# Debian's golang-1.19; fixed GOROOT, GOPATH and a fresh GOCACHE, paths trimmed: the same bytes on
# every machine.
go119=/usr/lib/go-1.19/bin/go
skip_go=0
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
  skip_go=1
  skipped+=("go: skipped the Go programs (go-js-*.wasm), $go119 is not installed (Debian golang-1.19)")
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
    name=$(basename "$f")
    case "$name" in
      c-*) [ $skip_c -eq 1 ] && continue ;;
      go-js-*) [ $skip_go -eq 1 ] && continue ;;
      rust-*) [ -n "$(rust_missing)" ] && continue ;;
      cpp-*) [ -n "$(cpp_missing)" ] && continue ;;
    esac
    if [ ! -f "$out/$name" ]; then
      echo "plugins/wasm/$(basename "$f") has no source" >&2
      status=1
    fi
  done
  for line in "${skipped[@]}"; do echo "plugins: $line"; done
  [ $status -eq 0 ] && echo "plugins: all $(ls "$out"/*.wasm | wc -l) binaries built here match their sources"
  exit $status
fi
for line in "${skipped[@]}"; do echo "plugins: $line"; done
echo "plugins: built $(ls "$out"/*.wasm | wc -l) binaries into plugins/wasm"
