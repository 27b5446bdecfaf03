#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the checkpoint selftests in a fixed order, each printing its own
# TAP, unchanged.  Exits 1 if any of them failed.
#
#	run.sh [TEST...]

cd "$(dirname "$0")" || exit 1

KSFT_SKIP=4
tests=${*:-abi_test roundtrip_test stream_test memory_test files_test identity_test signal_test tree_test thread_test tree_input_test pipe_test epoll_test anonfd_test unix_test inotify_test pty_test stop_test locks_test cgroup_test cow_test security_test exact_test fuzz_test fault_test tools_test.sh kmod_test.sh}
passed=0
failed=0
skipped=0

for t in $tests; do
	echo "# selftests: checkpoint: $t"
	if [ ! -x "./$t" ]; then
		echo "# $t: not found"
		failed=$((failed + 1))
		continue
	fi
	"./$t"
	rc=$?
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
	elif [ $rc = $KSFT_SKIP ]; then
		skipped=$((skipped + 1))
	else
		echo "# $t: exit status $rc"
		failed=$((failed + 1))
	fi
done
echo "# checkpoint selftests: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
