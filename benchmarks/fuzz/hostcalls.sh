#!/usr/bin/env bash
# The long run of the host-call fuzzer (HostCallFuzzTest, PairsPropertiesTest; see
# docs/reliability.md): the same properties as the build, with SCALE times their tries, run by the
# test sources' seeded runner (io.proxywasm.host.Seeded). Prints the seed, what the host calls
# answered, and for a failing run the failing try's index and sample (no shrinking); the property
# -Dproxywasm.fuzz.try=INDEX with the same seed runs that try alone.
#
# usage: benchmarks/fuzz/hostcalls.sh [SCALE] [SEED] [RUNTIME]
#   defaults: SCALE 100 (6,000 host-call sessions), SEED a new random number (printed; giving it
#   again repeats the run),
#   RUNTIME chicory (the interpreter; chicory-compiler for the compiler)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${1:-100}
seed=${2:-$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))}
runtime=${3:-chicory}
cd "$root"
start=$(date +%s)
status=0
# Only the class-path run of the tests (surefire's default-test execution), inside the reactor.
./mvnw -B -ntp -q -pl host-default -am test-compile surefire:test@default-test \
  -Dtest='HostCallFuzzTest,PairsPropertiesTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dproxywasm.test.timeout=0 -Dproxywasm.fuzz.scale="$scale" -Dproxywasm.fuzz.seed="$seed" \
  -Dproxywasm.test.runtime="$runtime" || status=$?
reports=host-default/target/surefire-reports
grep -h "host-call fuzz:" "$reports"/io.proxywasm.host.HostCallFuzzTest-output.txt || true
grep -h "the property fails on try" "$reports"/*.txt || true
grep -h "Tests run" "$reports"/io.proxywasm.host.HostCallFuzzTest.txt "$reports"/io.proxywasm.host.internal.abi.PairsPropertiesTest.txt || true
echo "scale $scale, seed $seed, runtime $runtime, wall time: $(( $(date +%s) - start )) s, exit $status"
exit $status
