#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel unit tests (objhash, deferqueue): checkpoint_test.ko runs
# them at load time and refuses to load (-EINVAL) if one fails.  Prints
# TAP, with the module's kernel log lines as comments.
# $CKPT_TEST_MODULE overrides the module path.

mod=${CKPT_TEST_MODULE:-/modules/checkpoint_test.ko}
name=checkpoint_test
KSFT_SKIP=4

echo "TAP version 13"
echo "1..2"
if [ ! -f "$mod" ]; then
	echo "ok 1 insmod $name # SKIP no $mod"
	echo "ok 2 rmmod $name # SKIP no $mod"
	exit $KSFT_SKIP
fi

# A leftover from an earlier run would make insmod fail with EEXIST.
grep -q "^$name " /proc/modules 2>/dev/null && rmmod "$name"

# Mark the log so that only this load's lines are shown.
marker="kmod_test: loading $name ($$)"
echo "$marker" > /dev/kmsg 2>/dev/null || marker=""

failed=0
if insmod "$mod" > /tmp/kmod_test.$$ 2>&1; then
	loaded=1
	result="ok 1 insmod $name"
else
	loaded=0
	failed=1
	result="not ok 1 insmod $name"
	sed 's/^/# /' /tmp/kmod_test.$$
fi
rm -f /tmp/kmod_test.$$

if [ -n "$marker" ]; then
	dmesg | sed -n "/$marker/,\$p"
else
	dmesg
fi | sed -n 's/^.*\('"$name"':.*\)$/# \1/p'
echo "$result"

if [ $loaded = 0 ]; then
	echo "ok 2 rmmod $name # SKIP not loaded"
elif rmmod "$name"; then
	echo "ok 2 rmmod $name"
else
	failed=1
	echo "not ok 2 rmmod $name"
fi
exit $failed
