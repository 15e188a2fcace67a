#!/usr/bin/env bash
# Runs the same proxy-wasm workload on node's V8 (benchmarks/v8/host.mjs) and on the JVM host
# (V8CompareBenchmark through the embedder API; V8CompareGoBenchmark for the Go-shaped programs),
# one after the other, and prints one line per plugin and runtime: the microseconds per request
# (per run for a Go program) on each side and the ratio host / V8.
#
#   benchmarks/v8/compare.sh [-p PLUGIN[,PLUGIN...]] [-r RUNTIME[,RUNTIME...]] [-o RESULTS] [SECONDS]
#
#   SECONDS  per measurement (default 5): node warms up for 0.4 × SECONDS (at least 1 s) and
#            measures SECONDS; JMH runs 3 warm-up iterations of 1 s (of SECONDS for the Go-shaped
#            programs, whose run is long) and 5 of SECONDS, one fork
#   -p       the plugins under plugins/wasm to run (with or without .wasm), comma-separated;
#            default all of them (see PLUGINS below)
#   -r       the JVM runtimes to run, comma-separated (asm, chicory-compiler, chicory); default
#            asm,chicory-compiler: asm is the host's default runtime, chicory-compiler what it
#            falls back to. Each gets its own line per plugin against the same V8 figure
#   -o       the results file (tab-separated, for benchmarks/v8/chart.py); default
#            benchmarks/v8/results/<UTC date and time>.tsv
#
# Before measuring it runs one exchange (one run of a Go program) on each side and stops if they
# differ in what the plugin logged at info and above, how many lines it logged below info, the
# response headers it left or its decision (V8CompareCheck against host.mjs --check).
# Run from anywhere; builds benchmarks/target/benchmarks.jar first (SKIP_BUILD=1: use the one
# there). Needs node 20 and a JDK 17.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# Every corpus plugin whose workload fits (docs/performance.md, "Against V8"): the HTTP ones, then
# the Go-shaped programs (GOOS=js GOARCH=wasm), which are run to their exit instead.
PLUGINS=(c-http-headers as-http-headers rust-http-headers cpp-http-headers
  rust-early-close cpp-early-close rust-trailers cpp-trailers rust-properties cpp-properties
  startup-logs host-call-loop go-runtime-startup go-js-statemachine go-js-wordfreq)
runtimes=asm,chicory-compiler

usage() {
  echo "usage: benchmarks/v8/compare.sh [-p PLUGIN[,PLUGIN...]] [-r RUNTIME[,RUNTIME...]] [-o RESULTS] [SECONDS]" >&2
  echo "plugins: ${PLUGINS[*]}" >&2
  exit 2
}
selected=()
results=""
while getopts "p:r:o:h" opt; do
  case $opt in
    p) IFS=, read -r -a selected <<< "$OPTARG" ;;
    r) runtimes=$OPTARG ;;
    o) results=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
seconds=${1:-5}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "compare.sh: SECONDS must be a whole number above 0" >&2; exit 2; }
[ ${#selected[@]} -gt 0 ] || selected=("${PLUGINS[@]}")
plugins=()
for p in "${selected[@]}"; do
  p=${p%.wasm}
  [ -n "$p" ] || continue
  [[ " ${PLUGINS[*]} " == *" $p "* ]] || { echo "compare.sh: $p is not a plugin this comparison runs" >&2; usage; }
  plugins+=("$p.wasm")
done
[ ${#plugins[@]} -gt 0 ] || usage
[[ $runtimes =~ ^[a-z-]+(,[a-z-]+)*$ ]] || { echo "compare.sh: -r takes runtime names separated by commas" >&2; usage; }
[ -n "$results" ] || results=benchmarks/v8/results/$(date -u +%Y-%m-%dT%H%MZ).tsv

command -v node > /dev/null || { echo "compare.sh: node is not installed" >&2; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
fi
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "compare.sh: $jar is missing; run without SKIP_BUILD=1" >&2; exit 1; }

# The root_id each plugin needs, as EmbedderExchange.rootId answers it.
root_id() {
  case $1 in
    as-*) echo http_headers ;;
    *-properties.wasm) echo properties ;;
    *) echo "" ;;
  esac
}

# What the plugin's code is, for the table and the chart.
kind() {
  case $1 in
    c-*) echo "C" ;;
    as-*) echo "AssemblyScript SDK" ;;
    rust-*) echo "Rust SDK" ;;
    cpp-*) echo "C++ SDK (emscripten)" ;;
    go-js-*) echo "Go-shaped (GOOS=js)" ;;
    *) echo "WAT" ;;
  esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

checks=()
for p in "${plugins[@]}"; do
  r=$(root_id "$p")
  checks+=("plugins/wasm/$p${r:+=$r}")
done
node benchmarks/v8/host.mjs --check "${checks[@]}" > "$tmp/v8.check"
IFS=, read -r -a runtime_list <<< "$runtimes"
for runtime in "${runtime_list[@]}"; do
  java -cp "$jar" io.proxywasm.benchmarks.V8CompareCheck "$runtime" "${plugins[@]}" \
    > "$tmp/host.check" 2> "$tmp/host.check.log" || { cat "$tmp/host.check.log" >&2; exit 1; }
  if ! diff -u --label "JVM host ($runtime)" --label "V8 (host.mjs)" "$tmp/host.check" "$tmp/v8.check" >&2; then
    echo "compare.sh: the two sides did not do the same work (above); nothing measured" >&2
    exit 1
  fi
done

declare -A v8
for p in "${plugins[@]}"; do
  v8[$p]=$(node benchmarks/v8/host.mjs "plugins/wasm/$p" "$(root_id "$p")" "$seconds" | awk '{print $2}')
done

http=() go=()
for p in "${plugins[@]}"; do
  if [[ $p == go-js-* ]]; then go+=("$p"); else http+=("$p"); fi
done
jmh() { # class, plugins...
  local class=$1; shift
  local list; list=$(IFS=,; echo "$*")
  local warmup=1
  [ "$class" != V8CompareGoBenchmark ] || warmup=$seconds # a run of a Go program is long: warm up longer
  java -jar "$jar" "$class" -p runtime="$runtimes" -p plugin="$list" -wi 3 -w "$warmup" -i 5 -r "$seconds" \
    -rf json -rff "$tmp/$class.json" > "$tmp/$class.log" 2>&1 || { cat "$tmp/$class.log" >&2; exit 1; }
}
[ ${#http[@]} -eq 0 ] || jmh V8CompareBenchmark "${http[@]}"
[ ${#go[@]} -eq 0 ] || jmh V8CompareGoBenchmark "${go[@]}"

v8json=$(for p in "${plugins[@]}"; do printf '"%s":%s,' "$p" "${v8[$p]}"; done | sed 's/^/{/; s/,$/}/')
kinds=$(for p in "${plugins[@]}"; do printf '"%s":"%s",' "$p" "$(kind "$p")"; done | sed 's/^/{/; s/,$/}/')
mkdir -p "$(dirname "$results")"
{
  echo "# benchmarks/v8/compare.sh $seconds, $(date -u +%Y-%m-%dT%H:%MZ), node $(node --version)," \
    "$(java -version 2>&1 | head -1), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'plugin\tkind\truntime\thost_us\thost_error_us\tv8_us\thost_over_v8\n'
} > "$results"
node -e '
const fs = require("fs");
const [order, runtimes, v8, kinds, results, ...files] = process.argv.slice(1);
const rows = [];
for (const f of files) if (fs.existsSync(f)) rows.push(...JSON.parse(fs.readFileSync(f)));
const byRun = new Map(rows.map((r) => [r.params.plugin + " " + r.params.runtime, r]));
const v8us = JSON.parse(v8), kind = JSON.parse(kinds);
console.log(["plugin".padEnd(24), "code".padEnd(21), "runtime".padEnd(17), "host µs".padStart(20),
  "V8 µs".padStart(11), "host÷V8".padStart(8)].join(" "));
for (const p of order.split(" ")) for (const runtime of runtimes.split(",")) {
  const r = byRun.get(p + " " + runtime);
  const us = r.primaryMetric.score, err = r.primaryMetric.scoreError, ratio = us / v8us[p];
  console.log([p.padEnd(24), kind[p].padEnd(21), r.params.runtime.padEnd(17),
    (us.toFixed(2) + " ±" + err.toFixed(2)).padStart(20), v8us[p].toFixed(2).padStart(11),
    ratio.toFixed(2).padStart(8)].join(" "));
  fs.appendFileSync(results, [p, kind[p], r.params.runtime, us.toFixed(3), err.toFixed(3),
    v8us[p].toFixed(3), ratio.toFixed(3)].join("\t") + "\n");
}' "${plugins[*]}" "$runtimes" "$v8json" "$kinds" "$results" "$tmp/V8CompareBenchmark.json" "$tmp/V8CompareGoBenchmark.json"
echo "results: $results"
