#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets in fuzz/ with AddressSanitizer and runs each for
# FUZZ_SECONDS from its seed corpus, then prints one line per target: executions, rate,
# inputs added, crashes. New inputs go to FUZZ_DIR/corpus/TARGET, crashes to fuzz/crashes/
# (each one found belongs in a regression test, then can be deleted).
#   fuzz/run.sh [TARGET...]      default: every target
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-120}
build=${FUZZ_DIR:-$repo/.build-fuzz}
swift=${SWIFT:-swift}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzRequestPath FuzzFastCGIStream)

python3 "$repo/fuzz/seed-corpus.py"
# -parse-as-library: each target's main hands over to libFuzzer (see LibFuzzerDriver.h);
# lld: gold stumbles over the sanitizer runtime's debug information.
"$swift" build --package-path "$repo/fuzz" --scratch-path "$build" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld 2>&1 \
  | grep -v -E 'Cannot export local symbol|unhandled; explicitly declare|CMakeLists.txt$' || true
binaries=$("$swift" build --package-path "$repo/fuzz" --scratch-path "$build" --show-bin-path)

mkdir -p "$repo/fuzz/crashes"
summary=()
status=0
for target in "${targets[@]}"; do
  case $target in
    FuzzRequestPath) corpus=request-path; max_length=8192 ;;
    FuzzFastCGIStream) corpus=fastcgi-stream; max_length=65536 ;;
    *) echo "unknown target $target" >&2; exit 64 ;;
  esac
  mkdir -p "$build/corpus/$corpus"
  log="$build/$target.log"
  echo "== $target: $seconds s"
  # The Swift runtime's backtracer would run inside AddressSanitizer's report: libFuzzer's own is enough.
  if SWIFT_BACKTRACE=enable=no "$binaries/$target" -max_total_time="$seconds" -max_len="$max_length" -timeout=20 \
      -print_final_stats=1 -artifact_prefix="$repo/fuzz/crashes/$target-" \
      "$build/corpus/$corpus" "$repo/fuzz/corpus/$corpus" >"$log" 2>&1; then
    outcome="no crash"
  else
    outcome="FOUND: $(grep -m1 -E 'Precondition failed|ERROR: ' "$log" || echo "exit $?") (input in fuzz/crashes/)"
    status=1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  summary+=("$target: ${executions:-?} executions in $seconds s (${rate:-?}/s), ${added:-?} new inputs, $outcome")
done
echo
printf '%s\n' "${summary[@]}"
exit $status
