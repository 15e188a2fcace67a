#!/usr/bin/env bash
# Coverage-guided fuzzing of the host calls with Jazzer (HostCallCoverageFuzzTest; see
# docs/reliability.md, "Coverage-guided fuzzing"): the fuzz test runs in fuzzing mode
# (JAZZER_FUZZ=1) for DURATION seconds, the host's classes (io.proxywasm.host.**) instrumented so
# that the branches they take guide the fuzzer. The corpus it grows stays in
# host-default/.cifuzz-corpus/ (not committed) and is picked up again by the next run. Any crashing
# input is copied into the test's inputs directory, where the build runs it as a regression case
# (commit it with the fix). Prints libFuzzer's executions, exec/s and coverage, and the findings.
#
# usage: benchmarks/fuzz/hostcalls-coverage.sh [DURATION] [RUNTIME]
#   defaults: DURATION 60 (seconds), RUNTIME chicory (the interpreter; chicory-compiler for the
#   compiler)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-60}
runtime=${2:-chicory}
cd "$root"
inputs=host-default/src/test/resources/io/proxywasm/host/HostCallCoverageFuzzTestInputs/hostCallsAnswerAStatusAndLeakNothing
log=host-default/target/hostcalls-coverage.log
mkdir -p host-default/target "$inputs"
marker=host-default/target/hostcalls-coverage.start
touch "$marker"
start=$(date +%s)
status=0
# Only the class-path run of the test (surefire's default-test execution), inside the reactor.
# jazzer.internal.arg.N are libFuzzer's arguments (the first is its argv[0]); the last
# -max_total_time wins over the annotation's maxDuration.
JAZZER_FUZZ=1 ./mvnw -B -ntp -pl host-default -am test-compile surefire:test@default-test \
  -Dtest=HostCallCoverageFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsurefire.redirectTestOutputToFile=false \
  -Dproxywasm.test.timeout=$((duration + 600)) -Dproxywasm.test.runtime="$runtime" \
  -Dproxywasm.jazzer.hooks=true -Djazzer.instrumentation_includes='io.proxywasm.host.**' \
  -Djazzer.internal.arg.0=hostcalls-coverage \
  -Djazzer.internal.arg.1=-max_total_time="$duration" \
  -Djazzer.internal.arg.2=-print_final_stats=1 >"$log" 2>&1 || status=$?
# Crashing inputs (libFuzzer names them crash-<sha1>), wherever Jazzer wrote them during this run.
found=0
while IFS= read -r crash; do
  cp "$crash" "$inputs/"
  echo "finding: $crash -> $inputs/$(basename "$crash")"
  found=$((found + 1))
done < <(find host-default -path '*/target' -prune -o \
  -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) -newer "$marker" -print)
# libFuzzer's last status line (#N DONE cov: ... exec/s: ...), its final stats, any Java finding
grep -E '^#[0-9]+ +(DONE|pulse|NEW|REDUCE)|^stat::|Done [0-9]+ runs|== Java Exception' "$log" \
  | grep -Ev ' (NEW|REDUCE|pulse) ' || true
grep -E '^#[0-9]+' "$log" | tail -1 || true
grep -h "Tests run:" "$log" | tail -1 || true
echo "duration ${duration} s, runtime $runtime, findings $found, wall time: $(( $(date +%s) - start )) s, exit $status (log: $log)"
exit $status
