#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel unit tests (objhash, deferqueue): checkpoint_test.ko runs
# them at load time, reports "all N tests passed" in the kernel log, and
# refuses to load (-EINVAL) if one fails.  Prints TAP, with the module's
# kernel log lines as comments.  $CKPT_TEST_MODULE overrides the path.

mod=${CKPT_TEST_MODULE:-/modules/checkpoint_test.ko}
name=checkpoint_test
tmp=${TMPDIR:-/tmp}/kmod_test.$$
KSFT_SKIP=4

echo "TAP version 13"
echo "1..3"
if [ ! -f "$mod" ]; then
	echo "ok 1 insmod $name # SKIP no $mod"
	echo "ok 2 $name unit tests # SKIP no $mod"
	echo "ok 3 rmmod $name # SKIP no $mod"
	exit $KSFT_SKIP
fi

# A leftover from an earlier run would make insmod fail with EEXIST.
grep -q "^$name " /proc/modules 2>/dev/null && rmmod "$name"

# Mark the kernel log, so that only this load's lines are looked at.
marker="kmod_test: loading $name ($$)"
echo "$marker" > /dev/kmsg 2>/dev/null || marker=""

failed=0
insmod "$mod" > "$tmp" 2>&1
loaded=$?
if [ -n "$marker" ]; then
	dmesg | sed -n "/$marker/,\$p"
else
	dmesg
fi | sed -n "s/^.*\\($name:.*\\)\$/\\1/p" > "$tmp.log"
sed 's/^/# /' "$tmp.log"

if [ $loaded = 0 ]; then
	echo "ok 1 insmod $name"
else
	failed=1
	echo "not ok 1 insmod $name"
	sed 's/^/# /' "$tmp"
fi

if grep -q "^$name: all [1-9][0-9]* tests passed" "$tmp.log"; then
	echo "ok 2 $name unit tests"
else
	failed=1
	echo "not ok 2 $name unit tests"
fi
rm -f "$tmp" "$tmp.log"

if [ $loaded != 0 ]; then
	echo "ok 3 rmmod $name # SKIP not loaded"
elif rmmod "$name"; then
	echo "ok 3 rmmod $name"
else
	failed=1
	echo "not ok 3 rmmod $name"
fi
exit $failed
