#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/) and runs each one for a bounded time.
#
#   scripts/fuzz.sh [seconds-per-target]          default 20 (FUZZ_SECONDS)
#   FUZZ_TARGETS="FuzzJSONValue FuzzZ85" scripts/fuzz.sh 60   only some targets
#
# For each target: first replays every file of Fuzz/Regressions/<target>/ (inputs that once found
# a bug), then fuzzes for the given time from a temporary copy of Fuzz/Corpus/<target>/ (the
# repository is never modified). Exits non-zero if any target crashes, breaks an invariant, times
# out on one input (-timeout), exceeds its memory limit or leaks; the reproducer is kept under
# .build-fuzz/artifacts/<target>/ and its path printed. One summary line per target at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-20}}"
SWIFT="${SWIFT:-swift}"
SCRATCH=.build-fuzz
ARTIFACTS="$SCRATCH/artifacts"

# target  max_len  dictionary (Fuzz/Dictionaries/)
TARGET_TABLE="
FuzzJSONValue      4096  json.dict
FuzzQueryEnvelope  4096  protocol.dict
FuzzQueryReply     8192  protocol.dict
FuzzRunnerMessage  8192  protocol.dict
FuzzWriterMessage  4096  protocol.dict
FuzzFeedMessage    8192  protocol.dict
FuzzIdentifiers    4200  identifiers.dict
FuzzZ85            256   z85.dict
FuzzImageFormat    512   image.dict
"

# Release build, instrumented for libFuzzer and AddressSanitizer (with leak detection); -g for
# file:line in stack traces. The fuzz package is separate: the root build never sees these flags.
BUILD=("$SWIFT" build --package-path Fuzz -c release --scratch-path "$SCRATCH"
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -g)
echo "fuzz: ${BUILD[*]}"
build_start=$(date +%s)
build_log=$(mktemp)
# ld.gold warns once per ASan symbol it cannot export ("Cannot export local symbol"): noise.
if ! "${BUILD[@]}" >"$build_log" 2>&1; then
    grep -v "Cannot export local symbol" "$build_log" >&2
    rm -f "$build_log"
    echo "fuzz: build failed" >&2
    exit 1
fi
grep -v "Cannot export local symbol" "$build_log" | tail -3
rm -f "$build_log"
echo "fuzz: build took $(( $(date +%s) - build_start )) s"
BIN=$("${BUILD[@]}" --show-bin-path)

# Swift's own crash reporter would race libFuzzer's (and can outlive the process); libFuzzer and
# ASan print the stack themselves.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:handle_abort=1}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summaries=()
failed=0

while read -r target max_len dict; do
    [[ -z "$target" ]] && continue
    if [[ -n "${FUZZ_TARGETS:-}" && " $FUZZ_TARGETS " != *" $target "* ]]; then continue; fi
    log="$work/$target.log"
    mkdir -p "$ARTIFACTS/$target" "$work/$target"
    flags=(-timeout=5 -rss_limit_mb=2048 -max_len="$max_len" -dict="Fuzz/Dictionaries/$dict"
        -artifact_prefix="$ARTIFACTS/$target/" -print_final_stats=1)

    # 1. Regressions: libFuzzer runs the files given as arguments once each, without fuzzing.
    regressions=()
    if [[ -d "Fuzz/Regressions/$target" ]]; then
        while IFS= read -r -d '' file; do regressions+=("$file"); done \
            < <(find "Fuzz/Regressions/$target" -type f ! -name '*.md' -print0 | sort -z)
    fi
    if [[ ${#regressions[@]} -gt 0 ]]; then
        if ! timeout 300 "$BIN/$target" "${flags[@]}" "${regressions[@]}" >"$log.regressions" 2>&1; then
            grep -v "Cannot export local symbol" "$log.regressions" | tail -40 >&2
            # libFuzzer stops at the first failing file: the last one it was running.
            culprit=$(sed -n 's/^Running: //p' "$log.regressions" | tail -1)
            echo "fuzz: $target: regression input $culprit fails again (see above; Fuzz/Regressions/README.md)" >&2
            summaries+=("$(printf '%-18s regression FAILED: %s' "$target" "${culprit:-?}")")
            failed=1
            continue
        fi
    fi

    # 2. Fuzzing from a working copy of the seeds; new inputs go to the copy only.
    cp -R "Fuzz/Corpus/$target/." "$work/$target/"
    echo "fuzz: $target for ${SECONDS_PER_TARGET} s (${#regressions[@]} regression inputs passed)"
    status=0
    timeout $(( SECONDS_PER_TARGET + 120 )) "$BIN/$target" "${flags[@]}" -max_total_time="$SECONDS_PER_TARGET" \
        "$work/$target" >"$log" 2>&1 || status=$?

    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    progress=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    coverage=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p' <<<"$progress")
    corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$progress")
    if [[ $status -eq 0 ]]; then
        result=ok
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        kind=$(grep -m1 -oE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-zA-Z -]+|invariant violated: .{0,120}|Fatal error: .{0,120}' "$log" || true)
        grep -v "Cannot export local symbol" "$log" | tail -60 >&2
        echo "fuzz: $target FAILED (exit $status): ${kind:-see log above}" >&2
        if [[ -n "$artifact" ]]; then
            echo "fuzz: reproducer: $artifact   (rerun: SWIFT_BACKTRACE=enable=no $BIN/$target $artifact)" >&2
        fi
        result="FAILED (exit $status${artifact:+, reproducer $artifact})"
    fi
    summaries+=("$(printf '%-18s execs %-9s %-22s corpus %-12s %s' "$target" "${executions:-?}" "${coverage:-?}" "${corpus:-?}" "$result")")
done <<<"$TARGET_TABLE"

echo "fuzz: summary (${SECONDS_PER_TARGET} s per target)"
printf '  %s\n' "${summaries[@]}"
exit $failed
