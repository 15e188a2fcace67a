#!/usr/bin/env bash
# The long run of the differential fuzzer: binaryen's wasm-opt -ttf makes a module from each seed,
# and every exported function runs on Chicory's interpreter, its compiler, the compiler with every
# function split, and V8 (node). Prints a summary and every discrepancy; the modules that differ
# are kept in the output directory, each with its .plan, for triage (see docs/reliability.md).
#
# usage: benchmarks/fuzz/differential.sh [SEEDS] [FIRST_SEED] [OUTPUT_DIR]
#   defaults: 1000 seeds from 1, output in target/fuzz
# needs: wasm-opt (Debian binaryen), node, a JDK 17+
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seeds=${1:-1000}
first=${2:-1}
out=${3:-$root/target/fuzz}
for tool in wasm-opt node java; do
  command -v "$tool" > /dev/null || { echo "differential.sh needs $tool on the PATH" >&2; exit 2; }
done
cd "$root"
mkdir -p "$out"
classpath_file="$out/classpath.txt"
# Compile runtime-chicory and its tests inside the reactor, and write its test class path.
./mvnw -B -ntp -q -pl runtime-chicory -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
classpath="$root/runtime-chicory/target/test-classes:$root/runtime-chicory/target/classes:$root/spi/target/classes:$(cat "$classpath_file")"
# The runner finds fuzz/v8-runner.js and fuzz-regressions/ from the module's directory.
cd runtime-chicory
start=$(date +%s)
java -cp "$classpath" io.proxywasm.chicory.DifferentialFuzz "$first" "$seeds" "$out"
echo "wall time: $(( $(date +%s) - start )) s"
