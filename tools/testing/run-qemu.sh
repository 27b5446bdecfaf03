#!/bin/bash
# Boot a kernel (Debian's from /boot, or $KERNEL) on an initramfs under QEMU and collect
# the guest's two serial ports:
#   ttyS0, the console (kernel log, init messages)  -> OUTDIR/console.log
#   ttyS1, the results channel (TAP, dmesg dump)    -> OUTDIR/results.log
# QEMU's own messages go to OUTDIR/qemu.log.
#
# usage: run-qemu.sh KREL INITRAMFS OUTDIR
# environment:
#   QEMU_TIMEOUT  seconds before the guest counts as hung (default 1200)
#   LIVE=1        also show the console on stdout as it happens
#   APPEND        extra kernel command line
#   QEMU_MEM      guest memory (default 1G)
#   KERNEL_DEBUG  the kernel's debugging options (default slub_debug=FZPU;
#                 empty for benchmarks)
#   KERNEL        the kernel image (default /boot/vmlinuz-KREL; the debug
#                 kernel of "make check-debug" lives in its cache)
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 KREL INITRAMFS OUTDIR" >&2; exit 2; }
krel=$1 initrd=$2 out=$3
kernel=${KERNEL:-/boot/vmlinuz-$krel}
tmo=${QEMU_TIMEOUT:-1200}

[ -r "$kernel" ] || { echo "run-qemu: cannot read $kernel" >&2; exit 1; }
[ -r "$initrd" ] || { echo "run-qemu: cannot read $initrd" >&2; exit 1; }
mkdir -p "$out"
rm -f "$out/console.log" "$out/results.log" "$out/qemu.log"

# panic=-1 with -no-reboot: a panic ends QEMU at once instead of waiting
# for the timeout.  No oops=panic and no panic_on_warn: an oops or a
# warning kills at most one test, the others go on, and the report lands
# in the dmesg dump, where check-results.sh finds it and fails the run.
# slub_debug=FZPU: sanity checks, red zones, poisoning and owner tracking,
# to catch use-after-free and overruns in the module's allocations.
append="console=ttyS0 panic=-1 ${KERNEL_DEBUG-slub_debug=FZPU} ${APPEND:-}"

if [ "${LIVE:-0}" = 1 ]; then
	console=(-chardev "stdio,id=con,logfile=$out/console.log" -serial chardev:con)
else
	console=(-serial "file:$out/console.log")
	exec </dev/null	# nothing in the guest reads it
fi

# KVM does not work here: TCG only.  -nodefaults: no VGA, NIC, floppy or
# CD-ROM to emulate; the two serial ports are all the guest needs.
# --foreground keeps QEMU in the terminal's process group, so that Ctrl-C
# stops it too instead of leaving it running until the timeout.
rc=0
timeout --foreground -k 10 "$tmo" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 2 -m "${QEMU_MEM:-1G}" \
	-nodefaults -no-reboot -display none -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	"${console[@]}" -serial "file:$out/results.log" \
	2>"$out/qemu.log" || rc=$?

if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "run-qemu: $krel: guest still running after ${tmo}s, killed" >&2
	exit 1
elif [ $rc != 0 ]; then
	echo "run-qemu: $krel: qemu exited with status $rc:" >&2
	cat "$out/qemu.log" >&2
	exit 1
fi
