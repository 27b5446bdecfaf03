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

result=build/check.result title="summary"
# shellcheck source=tools/testing/stages.sh
. tools/testing/stages.sh

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
	count_verdict "$krel" "$out"
done

# ckpt/rstr and criu side by side on tiny workloads, once each: fails on
# errors only (a tool failing, a restored process not answering).
stage "bench smoke" "${make[@]}" bench-smoke || true

summary
