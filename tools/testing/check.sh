#!/bin/bash
# make check: the static gates, the builds, then the selftests in QEMU on
# each kernel of the matrix and the benchmark's smoke run.  Every stage
# runs even after another failed, so one run shows everything; a failed
# stage counts as one failed test in the closing line, which sums the
# selftest results of both kernels:
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
rm -f build/check.result

# stage NAME COMMAND...: run it, time it, count it if it fails.
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
	echo "=== summary ($((SECONDS / 60)) min $((SECONDS % 60)) s)"
	if [ ${#failures[@]} != 0 ]; then
		echo "failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	if [ $((passed + failed + skipped)) = 0 ]; then
		echo "no test ran"
		failed=1
	fi
	echo "$passed passed, $failed failed, $skipped skipped" | tee build/check.result
	[ $failed = 0 ]
}

# Without the packages nothing else can work.
stage setup "${make[@]}" setup || { summary; exit 1; }
# shellcheck source=/dev/null
. build/kernels.mk

stage sparse "${make[@]}" sparse || true
stage checkpatch "${make[@]}" checkpatch || true
stage tools "${make[@]}" tools || true
# The tools' own tests, against synthetic images: no kernel needed.
stage "tools check" "${make[@]}" -C tools check || true
stage selftests "${make[@]}" selftests || true
stage counter "${make[@]}" counter || true

for krel in "$KREL_61" "$KREL_612"; do
	stage "module $krel" "${make[@]}" "module-$krel" || continue
	stage "initramfs $krel" "${make[@]}" "initramfs-$krel" || continue
	out=build/$krel/out
	mkdir -p "$out"
	start=$SECONDS
	echo "=== selftests on $krel"
	tools/testing/run-qemu.sh "$krel" "build/$krel/initramfs.cpio.gz" "$out" || true
	tools/testing/check-results.sh "$out" | tee "$out/verdict.log" || true
	echo "=== selftests on $krel: $((SECONDS - start)) s"
	# Its closing line: N passed, N failed, N skipped.
	last=$(tail -n 1 "$out/verdict.log")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		skipped=$((skipped + BASH_REMATCH[3]))
		[ "${BASH_REMATCH[2]}" = 0 ] || failures+=("selftests on $krel")
		while read -r line; do
			failures+=("  $line")
		done < <(grep -E '^(not ok |Bail out!|check-results:)' "$out/verdict.log")
	else
		failed=$((failed + 1))
		failures+=("selftests on $krel: no result")
	fi
done

# ckpt/rstr and criu side by side on tiny workloads, once each: fails on
# errors only (a tool failing, a restored process not answering).
stage "bench smoke" "${make[@]}" bench-smoke || true

summary
