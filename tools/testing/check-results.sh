#!/bin/bash
# Judge one guest run from the logs run-qemu.sh collected in OUTDIR.
#
# Tests: the "ok N ..." and "not ok N ..." lines in the results channel,
# before the dmesg dump (the outputs of several TAP producers are simply
# concatenated).  run.sh nests each test binary's TAP under "# " and
# follows it with the binary's own verdict: the nested results are the
# tests, each counted once, and a binary's verdict counts only for what
# they do not say: a binary that failed (crashed, exited non-zero, was
# not found) with no failed test of its own is one failure, one with no
# results at all one test.  A "# SKIP" directive counts as skipped,
# "Bail out!" as a failure.  The run fails, each problem counted as one
# more failure, when:
#   - the end marker is missing: the guest crashed or hung;
#   - no test ran;
#   - the kernel log (the dmesg dump and console.log) reports a bug.
#
# Prints the TAP lines, the offending kernel log lines, then one closing
# line "N passed, N failed, N skipped".  Exits 1 if anything failed.
#
# usage: check-results.sh OUTDIR
set -euo pipefail

[ $# = 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
results=$out/results.log console=$out/console.log
touch "$results" "$console"

BEGIN='=== ckpt results begin'
DMESG='=== dmesg begin ==='
DMESG_END='=== dmesg end ==='
END='=== ckpt results end ==='

# What the kernel prints when something is wrong (extended regexps).
# "BUG " catches slab reports ("BUG kmalloc-64 (Tainted: ...): Poison
# overwritten"); \< keeps "DEBUG" out.
BAD=('\<BUG:' '\<BUG ' 'WARNING:' 'Oops' 'general protection fault'
	'kernel BUG' 'sleeping function called from invalid context'
	'possible recursive locking' 'possible circular locking'
	'inconsistent lock state' 'lockdep' 'KASAN' 'UBSAN'
	'Poison overwritten' 'Redzone' 'Object padding overwritten'
	'Freepointer' 'Call Trace:' 'Kernel panic' 'refcount_t:')
patterns=()
for p in "${BAD[@]}"; do patterns+=(-e "$p"); done

# Serial lines end in \r\n when the guest's tty translates them.
# The TAP part runs from the begin marker to the dmesg dump, or to the end
# if the guest died before it.
tap=$(tr -d '\r' <"$results" | sed -n "/^$BEGIN/,/^$DMESG/p" |
	grep -a -v -e "^$BEGIN" -e "^$DMESG" || true)
kernel_log=$( (tr -d '\r' <"$results" | sed -n "/^$DMESG/,/^$DMESG_END/p"
	tr -d '\r' <"$console") )

echo "$tap"

counts=$(echo "$tap" | awk '
	function verdict(line, not_ok) {
		if (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skipped++
		else if (not_ok) failed++
		else passed++
	}
	/^# (not )?ok [0-9]+/ {
		nested++
		if ($2 == "not") nested_failed++
		verdict(substr($0, 3), $2 == "not")
	}
	/^# Bail out!/ { nested++; nested_failed++; failed++ }
	/^(not )?ok [0-9]+/ {
		if (!nested) verdict($0, $1 == "not")
		else if ($1 == "not" && !nested_failed) failed++
		nested = nested_failed = 0
	}
	/^Bail out!/ { failed++ }
	END { printf "%d %d %d\n", passed, failed, skipped }')
read -r passed failed skipped <<<"$counts"

if ! tr -d '\r' <"$results" | grep -q "^$END"; then
	echo "check-results: no end marker in $results: the guest crashed or hung; console.log ends with:"
	tail -n 40 "$console" | tr -d '\r' | sed 's/^/  /'
	failed=$((failed + 1))
elif [ $((passed + failed + skipped)) = 0 ]; then
	echo "check-results: no test ran"
	failed=$((failed + 1))
fi

# A process's own fault in user mode is not the kernel's: a restored
# mutant of fuzz_test may jump to a non-canonical address, and x86 says
# "traps: COMM[PID] general protection fault ip:... sp:... error:0" (a
# fault in the kernel says "general protection fault, ...: 0000 [#1]").
USER_FAULT='^(\[ *[0-9.]+\] )?traps: .*\[[0-9]+\] general protection fault ip:[0-9a-f]+ sp:'

# Not bugs: the debug kernel's banner for RCU's lockdep checks, and the
# kernel's report of an allocation that failed - fault_test makes them
# fail on purpose - from its first line to the end of its stack trace.
BENIGN='RCU lockdep checking is enabled'
ALLOC_FAIL=' (vmalloc error: size|page allocation failure: order)'

# A report shows both in the dmesg dump and on the console: print it once.
bad=$(echo "$kernel_log" |
	awk -v start="$ALLOC_FAIL" '$0 ~ start { skip = 1 }
		skip && /<\/TASK>/ { skip = 0; next } !skip' |
	grep -a -v -E -e "$USER_FAULT" -e "$BENIGN" |
	grep -a -E "${patterns[@]}" | awk '!seen[$0]++' || true)
if [ -n "$bad" ]; then
	echo "check-results: the kernel log reports problems:"
	echo "$bad" | sed 's/^/  /'
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
