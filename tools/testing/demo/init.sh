#!/bin/busybox sh
# /init of the demo guest: checkpoint a counting process, killing it, then
# restart it from the image and watch it count on from where it stopped.
# All of it on the console, which "make demo" shows live; the last line
# says whether the demo worked ("demo: done") or not ("demo: FAILED").

/bin/busybox --install -s
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1	# the cpio has no /dev/console
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp

say() { echo; echo "demo: $*"; }
# Show the command about to run, with a short pause to follow along.
show() { echo "# $*"; sleep 0.3; }
fail() { say "FAILED: $*"; poweroff -f; }

say "loading the module"
for m in /modules/deps/*.ko; do [ -f "$m" ] && insmod "$m"; done
show "insmod /modules/checkpoint.ko"
insmod /modules/checkpoint.ko || fail "insmod"

say "starting a counter: it prints a number every 0.3 s, up to 20"
show "counter 20 &"
counter 20 &
pid=$!
sleep 3

say "checkpointing it to /tmp/img, and killing it"
show "ckpt -v --kill $pid > /tmp/img"
ckpt -v --kill $pid >/tmp/img || fail "ckpt"
# Reaps it; were it still alive, we would wait for it to finish, status 0.
wait $pid && fail "the counter survived ckpt --kill"
show "ls -l /tmp/img"
ls -l /tmp/img

say "what the image holds"
show "ckptinfo /tmp/img"
ckptinfo /tmp/img || fail "ckptinfo"

say "restarting it: the count goes on from where it stopped"
show "rstr < /tmp/img"
timeout 30 rstr </tmp/img | tee /tmp/after
first=$(sed -n '1s/.*: //p' /tmp/after)
last=$(sed -n '$s/.*: //p' /tmp/after)
if [ "${first:-0}" -le 1 ] || [ "${last:-0}" != 20 ]; then
	fail "the restarted counter counted from '$first' to '$last', not on to 20"
fi

say "done"
poweroff -f
