#!/bin/bash
# make check-debug: the debug kernel (KASAN, lockdep, kmemleak, UBSAN,
# fault injection; built once, then cached), the module, the tools and
# the selftests built against it, the whole selftest suite - with the
# fuzz smoke and fault_test's allocation-failure sweeps - in one guest on
# it, then a kmemleak scan.  Any kernel report (KASAN, lockdep, UBSAN,
# "sleeping function called from invalid context", WARN, BUG) or a leak
# naming the module fails the run.  A failed stage counts as one failed
# test in the closing line:
#   N passed, N failed, N skipped
# Exits 1 if anything failed or no test ran.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
read -ra make <<<"${MAKE:-make}"
make+=(--no-print-directory)

passed=0 failed=0 skipped=0
failures=()
mkdir -p build
rm -f build/check-debug.result

stage() {
	local name=$1 start=$SECONDS
	shift
	echo "=== $name"
	if "$@"; then
		echo "=== $name: ok ($((SECONDS - start)) s)"
		return 0
	fi
	echo "=== $name: FAILED ($((SECONDS - start)) s)"
	failed=$((failed + 1))
	failures+=("$name")
	return 1
}

summary() {
	echo
	echo "=== check-debug summary ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
	if [ ${#failures[@]} != 0 ]; then
		echo "failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	if [ $((passed + failed + skipped)) = 0 ]; then
		echo "no test ran"
		failed=1
	fi
	echo "$passed passed, $failed failed, $skipped skipped" | tee build/check-debug.result
	[ $failed = 0 ]
}

run() {
	stage setup "${make[@]}" setup || return
	stage "debug kernel" "${make[@]}" debug-kernel || return
	# shellcheck source=/dev/null
	. build/debug-kernel.mk
	stage tools "${make[@]}" tools || return
	stage selftests "${make[@]}" selftests || return
	stage "module $DEBUG_KREL" "${make[@]}" "module-$DEBUG_KREL" || return
	stage "initramfs $DEBUG_KREL" "${make[@]}" "initramfs-$DEBUG_KREL" || return

	local out=build/$DEBUG_KREL/out start=$SECONDS last
	echo "=== selftests on $DEBUG_KREL"
	# test-KREL's guest, without its make dependencies (built above).
	"${make[@]}" -o "initramfs-$DEBUG_KREL" "test-$DEBUG_KREL" || true
	tools/testing/check-results.sh "$out" | tee "$out/verdict.log" || true
	echo "=== selftests on $DEBUG_KREL: $((SECONDS - start)) s"
	last=$(tail -n 1 "$out/verdict.log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + BASH_REMATCH[3]))
		[ "${BASH_REMATCH[2]}" = 0 ] || failures+=("selftests on $DEBUG_KREL")
		while read -r line; do
			failures+=("  $line")
		done < <(grep -E '^(not ok |Bail out!|check-results:)' "$out/verdict.log")
	else
		failed=$((failed + 1))
		failures+=("selftests on $DEBUG_KREL: no result")
	fi
}

run || true
summary
