#!/bin/bash
# Boot the benchmark guest (made by "make bench"/"make bench-smoke"), judge
# its run and turn its measurements into results.md and results.svg.
#
# usage: run.sh smoke|full|mem KREL INITRAMFS OUTDIR
#
# The guest runs measure.sh as its test suite: its TAP lines are judged
# like the selftests' (check-results.sh: a tool that failed, a restored
# process that did not answer, a kernel bug, a hung guest); the verdict
# is OUTDIR/verdict.log.  The runs it printed ("# csv,...") go to
# OUTDIR/raw.csv, the report next to it.  No slub_debug: it would slow
# both tools down.  Exits 1 if the run failed; slow numbers never fail it.
set -euo pipefail

[ $# = 4 ] || { echo "usage: $0 smoke|full|mem KREL INITRAMFS OUTDIR" >&2; exit 2; }
mode=$1 krel=$2 initrd=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
testing=$here/../tools/testing

case $mode in
# the 1 GiB workload: its image twice (ours, criu's) and dd's copy in tmpfs
# tmo: the guest's limit for the run; QEMU's is a little longer
full) mem=6G tmo=2700 ;;
smoke) mem=2G tmo=500 ;;
mem) mem=6G tmo=1500 ;;
*) echo "run.sh: unknown mode $mode" >&2; exit 2 ;;
esac

mkdir -p "$out"
start=$SECONDS
KERNEL_DEBUG='' QEMU_MEM=$mem QEMU_TIMEOUT=$((tmo + 120)) \
	APPEND="quiet ckpt_tests=$mode ckpt_timeout=$tmo" \
	"$testing/run-qemu.sh" "$krel" "$initrd" "$out" || true
rc=0
"$testing/check-results.sh" "$out" >"$out/verdict.log" || rc=$?
grep -E '^(not ok |Bail out!|check-results:|  )' "$out/verdict.log" || true
echo "bench $mode: $(tail -n 1 "$out/verdict.log") ($((SECONDS - start)) s)"

{
	tr -d '\r' <"$out/results.log" |
		sed -n -e 's/^# csv,//p' -e 's/^# info,/info,/p' \
			-e 's/^# pages,/pages,/p'
	echo "info,tree,$(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown)"
} >"$out/raw.csv"
if grep -qv '^info,' "$out/raw.csv"; then
	python3 "$here/report.py" "$out/raw.csv" "$out"
	echo "bench $mode: report in $out/results.md, $out/results.svg"
else
	echo "bench $mode: no measurements"
	rc=1
fi
exit $rc
