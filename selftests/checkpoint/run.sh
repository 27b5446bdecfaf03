#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the checkpoint selftests in a fixed order as one TAP stream, the way
# kselftest's runner does: a plan, then for each test binary its own TAP
# (stdout and stderr) nested under "# ", then its verdict "ok N" or
# "not ok N" from its exit status (4: skipped).  Exits 1 if any failed.
#
#	run.sh [TEST...]

cd "$(dirname "$0")" || exit 1

KSFT_SKIP=4
# How long the tests' output may stay open once a binary is done: past
# that, processes it left behind hold it, and their output is dropped.
DRAIN_TICKS=50		# of 0.1 s
tests=${*:-abi_test roundtrip_test stream_test memory_test files_test identity_test signal_test tree_test thread_test tree_input_test pipe_test epoll_test anonfd_test unix_test inotify_test pty_test stop_test locks_test cgroup_test cow_test security_test exact_test fuzz_test fault_test tools_test.sh kmod_test.sh}
passed=0
failed=0
skipped=0

# The indenting awk, once the binary is gone: wait for it to see the end
# of the output, which a leftover process of the test may still hold.
# It flushes every line: what it read is out when it is killed.
drain() { # PID TEST
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $DRAIN_TICKS ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "# $2: processes it left behind hold its output"
		kill "$1"
	fi
	wait "$1" 2>/dev/null
}

# run_one N TEST: TEST's output, indented, and its verdict.
run_one() {
	name="selftests: checkpoint: $2"
	echo "# $name"
	if [ ! -x "./$2" ]; then
		echo "# $2: not found"
		echo "not ok $1 $name"
		failed=$((failed + 1))
		return
	fi
	# Its stdout and stderr an anonymous pipe, whose other end is not
	# the tree's: what a checkpoint of its targets' stdio takes as the
	# caller's (a named FIFO would be saved by its path).  The pipeline
	# runs in the background, so that a process the test left behind
	# holding the pipe cannot keep us waiting: its exit status comes
	# through a file.
	rcfile=$(mktemp /tmp/run.sh.XXXXXX) || exit 1
	("./$2" <&5 5<&- 2>&1; echo $? >"$rcfile") |
		awk '{ print "# " $0; fflush() }' &
	indent=$!
	while [ ! -s "$rcfile" ]; do
		sleep 0.1
	done
	rc=$(cat "$rcfile")
	rm -f "$rcfile"
	drain $indent "$2"
	if [ $rc = 0 ]; then
		echo "ok $1 $name"
		passed=$((passed + 1))
	elif [ $rc = $KSFT_SKIP ]; then
		echo "ok $1 $name # SKIP"
		skipped=$((skipped + 1))
	else
		echo "not ok $1 $name # exit=$rc"
		failed=$((failed + 1))
	fi
}

# The tests' stdin is ours, not the /dev/null of a background job.
exec 5<&0
echo "TAP version 13"
n=0
for t in $tests; do
	n=$((n + 1))
done
echo "1..$n"
n=0
for t in $tests; do
	n=$((n + 1))
	run_one $n "$t"
done
echo "# checkpoint selftests: $passed passed, $failed failed, $skipped skipped (test binaries)"
[ $failed = 0 ]
