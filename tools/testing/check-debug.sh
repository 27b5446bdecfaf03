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

result=build/check-debug.result title="check-debug summary"
# shellcheck source=tools/testing/stages.sh
. tools/testing/stages.sh

run() {
	stage setup "${make[@]}" setup || return
	stage "debug kernel" "${make[@]}" debug-kernel || return
	# shellcheck source=/dev/null
	. build/debug-kernel.mk
	stage tools "${make[@]}" tools || return
	stage selftests "${make[@]}" selftests || return
	stage "module $DEBUG_KREL" "${make[@]}" "module-$DEBUG_KREL" || return
	stage "initramfs $DEBUG_KREL" "${make[@]}" "initramfs-$DEBUG_KREL" || return

	local out=build/$DEBUG_KREL/out start=$SECONDS
	echo "=== selftests on $DEBUG_KREL"
	# test-KREL's guest, without its make dependencies (built above).
	"${make[@]}" -o "initramfs-$DEBUG_KREL" "test-$DEBUG_KREL" || true
	tools/testing/check-results.sh "$out" | tee "$out/verdict.log" || true
	echo "=== selftests on $DEBUG_KREL: $((SECONDS - start)) s"
	count_verdict "$DEBUG_KREL" "$out"
}

run || true
summary
