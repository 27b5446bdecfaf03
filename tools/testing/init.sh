#!/bin/busybox sh
# /init of the test guest.
#
# ttyS0 (the console) gets the kernel log and these "init:" messages.
# ttyS1 (the results channel) gets only what check-results.sh parses: TAP
# lines and a dmesg dump, between markers.  A missing end marker is how the
# host tells that the guest crashed or hung, so no "set -e" here: whatever
# fails, we still dump dmesg, write the end marker and power off.

/bin/busybox --install -s
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
mount -t devtmpfs devtmpfs /dev
# The cpio has no /dev/console (making one needs root), so the kernel
# started us without stdio: take it from devtmpfs.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
# kmemleak and the fault-injection knobs of the debug kernel live there.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# Longer than any sane test run, shorter than the host's QEMU timeout, so
# a hung test still leaves us the dmesg dump.  ckpt_timeout=SECONDS on the
# kernel command line for a longer one (the benchmark).
TEST_TIMEOUT=$(sed -n 's/.*ckpt_timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
TEST_TIMEOUT=${TEST_TIMEOUT:-1000}
# ckpt_slow=N: the tests' own waits for a target are N times longer
# (selftests/checkpoint/util.h TIMEOUT_MS), for the debug kernel.
CKPT_TIMEOUT_SCALE=$(sed -n 's/.*ckpt_slow=\([0-9]*\).*/\1/p' /proc/cmdline)
export CKPT_TIMEOUT_SCALE=${CKPT_TIMEOUT_SCALE:-1}

say() { echo "init: $*"; }
res() { echo "$*" >&3; }

stty -F /dev/ttyS1 raw -echo	# no \n -> \r\n translation
exec 3>/dev/ttyS1
res "=== ckpt results begin: $(uname -r) ==="

# Loading and unloading the module are tests too: unloading after the
# selftests catches leaked references.
res "TAP version 13"
res "1..1"
for m in /modules/deps/*.ko; do
	[ -f "$m" ] && { insmod "$m" || say "cannot load dependency $m"; }
done
if insmod /modules/checkpoint.ko; then
	res "ok 1 insmod checkpoint.ko"
	loaded=1
else
	res "not ok 1 insmod checkpoint.ko"
	loaded=0
fi

if [ $loaded = 1 ] && [ -x /selftests/checkpoint/run.sh ]; then
	say "running selftests"
	start=$(date +%s)
	# The results channel is not the tests' business: a checkpointed
	# process holding it open would be refused (a tty beyond stdio).
	# ckpt_tests=a,b on the kernel command line (make test-KREL
	# TESTS="a b") runs only those
	only=$(sed -n 's/.*ckpt_tests=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
	(cd /selftests/checkpoint && timeout -s KILL $TEST_TIMEOUT ./run.sh $only) >&3 2>&1 3>&-
	if [ $(($(date +%s) - start)) -ge $TEST_TIMEOUT ]; then
		res "Bail out! selftests timed out after ${TEST_TIMEOUT}s"
	fi
elif [ $loaded = 1 ]; then
	res "Bail out! /selftests/checkpoint/run.sh missing"
fi

# The debug kernel (make check-debug) boots with kmemleak=on: scan once
# the tests are done, before the module goes, so that the backtraces of
# its leaks still name it.  Objects younger than 5 s are never reported
# and a first scan can miss what a second one finds: scan twice.  Leaks
# elsewhere in the kernel are shown, not counted.
leaks=/sys/kernel/debug/kmemleak
if [ $loaded = 1 ] && grep -q 'kmemleak=on' /proc/cmdline; then
	res "TAP version 13"
	res "1..1"
	if [ -w $leaks ]; then
		sleep 6
		echo scan >$leaks
		echo scan >$leaks
		cat $leaks >/tmp/leaks
		n=$(grep -c '^unreferenced object' /tmp/leaks)
		# One report: "unreferenced object" up to the next one.
		ours=$(awk '/^unreferenced object/ { n++ } /\[checkpoint/ { hit[n] = 1 }
			END { for (i in hit) c++; print c + 0 }' /tmp/leaks)
		sed 's/^/# kmemleak: /' /tmp/leaks >&3
		if [ "$ours" = 0 ]; then
			res "ok 1 kmemleak: no leak of the module ($n elsewhere)"
		else
			res "not ok 1 kmemleak: $ours leaks of the module ($n in all)"
		fi
	else
		res "not ok 1 kmemleak: no $leaks (kmemleak off or disabled)"
	fi
fi

if [ $loaded = 1 ]; then
	res "TAP version 13"
	res "1..1"
	# run.sh may have left the unit-test module in; it depends on ours.
	grep -q '^checkpoint_test ' /proc/modules && rmmod checkpoint_test
	if rmmod checkpoint; then
		res "ok 1 rmmod checkpoint"
	else
		res "not ok 1 rmmod checkpoint"
	fi
fi

say "dumping dmesg"
res "=== dmesg begin ==="
dmesg >&3
res "=== dmesg end ==="
res "=== ckpt results end ==="
# Closing the last fd of a tty waits until the UART has sent everything.
exec 3>&-
sync
say "powering off"
poweroff -f
