#!/bin/sh
# The benchmark inside the guest: tools/testing/init.sh runs it as the
# guest's test suite (/selftests/checkpoint/run.sh, next to workload,
# workload-dyn and benchutil), with the module loaded, its output going to
# the results channel.
#
# usage: run.sh [smoke|full|mem]	(the kernel's ckpt_tests= gives it)
#
# For each workload, in this one boot: our ckpt and criu dump of the live
# process (it goes on running), the same number of bytes written with dd;
# then, the process killed, our rstr and criu restore of the image, each
# restored process asked whether it runs with its state intact (see
# workload.c) and killed, and the image read back with dd.  Destinations:
# a tmpfs file, and a pipe to "cat > /dev/null" (restart: from "dd if=FILE
# bs=1M |").
# criu has no stream mode without criu-image-streamer, which Debian does
# not ship: it writes its image directory to tmpfs only.
#
# Output, TAP: one test per workload, tool, operation and destination, ok
# when every run of it worked (a tool failing or a restored process not
# answering is a failure, a slow one never); and one comment line per run:
#   # csv,WORKLOAD,TOOL,OP,DEST,RUN,USECS,BYTES,FROZEN_US,TOUCHED
# RUN 0 is the warm-up; FROZEN_US is -1 where the tool does not tell;
# BYTES is the image size (for dd, the bytes written or read).  WORKLOAD
# "start", OP "start": each program started with nothing to do.  Our
# runs that moved pages add where the kernel says the time went:
#   # pages,WORKLOAD,OP,DEST,RUN,PAGES,FIND_US,COPY_US,SUM_US,BESIDE_US
set -u

here=$(cd "$(dirname "$0")" && pwd)
export PATH="$here:$PATH"
# Orphans of restored trees must not linger as zombies holding their pids.
if [ -z "${BENCH_REAPER:-}" ]; then
	BENCH_REAPER=1 exec benchutil reap "$0" "$@"
fi

mode=${1:-full}
case $mode in
# NAME:RUNS:COMMAND; the quick ones run more often: the guest's times
# are noisy, the host's CPUs being shared
smoke)
	warmup=0 runs=1
	workloads="idle:1:workload idle
mem4:1:workload mem 4
sparse64:1:workload sparse 64 100
files20:1:workload-dyn files 20
tree4:1:workload tree 4
threads4:1:workload threads 4"
	;;
full)
	warmup=1 runs=11
	workloads="idle:21:workload idle
mem64:11:workload mem 64
mem1g:5:workload mem 1024
sparse8g:5:workload sparse 8192 100
files20:11:workload-dyn files 20
tree100:5:workload tree 100
threads100:11:workload threads 100"
	;;
# the page path alone, for working on it: its two memory sizes
mem)
	warmup=1 runs=3
	workloads="mem64:3:workload mem 64
mem1g:3:workload mem 1024"
	;;
*)
	echo "Bail out! unknown benchmark mode '$mode'"
	exit 1
	;;
esac

W=/bench		# tmpfs: the images, the reports, the files
REPORT=$W/report
ERR=$W/err OUT=$W/out
IMG=$W/img CRIU=$W/criu DD=$W/dd
MiB=1048576
ntest=0

say() { echo "# $*"; }
# tap OK|FAIL NAME: one test line, and why it failed.
tap() {
	ntest=$((ntest + 1))
	if [ "$1" = OK ]; then
		echo "ok $ntest $2"
	else
		echo "not ok $ntest $2"
		[ -s "$ERR" ] && tail -n 5 "$ERR" | sed 's/^/# /'
	fi
	return 0
}

setup() {
	mkdir -p $W /run /dev/pts
	mount -t tmpfs -o size=90% tmpfs $W &&
	mount -t tmpfs tmpfs /run &&
	mount -t devpts devpts /dev/pts &&
	ip link set lo up || return 1
	say "info,kernel,$(uname -r)"
	say "info,criu,$(criu --version | sed -n 's/^Version: //p')"
	say "info,module,checkpoint.ko md5 $(md5sum /modules/checkpoint.ko | cut -c1-12)"
	say "info,cpus,$(grep -c ^processor /proc/cpuinfo)"
	say "info,memory,$(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
	say "info,mode,$mode warmup=$warmup"
	criu check >$ERR 2>&1
}

# The workload's report after asking it (or after it started): 0 if ok.
# PID and TOUCHED come from it.
wait_report() {
	n=0
	while [ ! -f $REPORT ] && [ $n -lt 600 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	read -r status rpid touched <$REPORT 2>/dev/null || status=none
	if [ "$status" != ok ]; then
		echo "workload report: $status $rpid $touched" >>"$ERR"
		return 1
	fi
}

start() { # program args...
	prog=$1
	shift
	rm -f $REPORT
	(cd $W/files && exec "$prog" $REPORT "$@" </dev/null >/dev/null 2>&1) &
	pid=$!
	wait_report
}

ask() {
	rm -f $REPORT
	kill -USR1 "$pid" 2>>"$ERR" && wait_report && [ "$rpid" = "$pid" ]
}

# Kill the tree (its process group: the workload made its session) and
# wait until no process of it is left, zombies included: the workload as
# first started is our child, the others are benchutil reap's.
stop() {
	kill -KILL -"$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	n=0
	while kill -0 -"$pid" 2>/dev/null && [ $n -lt 600 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	! kill -0 -"$pid" 2>/dev/null
}

size_of() { # files...: their total size
	stat -c %s "$@" | awk '{ s += $1 } END { print s + 0 }'
}

frozen() { # the frozen time a tool reported, in us, or -1
	v=$(sed -n -e 's/.*was frozen for \([0-9]*\) us.*/\1/p' \
		-e 's/^Frozen time: *\([0-9]*\) us.*/\1/p' "$@" 2>/dev/null | tail -n 1)
	echo "${v:--1}"
}

csv() { # tool op dest run usecs bytes frozen
	say "csv,$name,$1,$2,$3,$4,$5,$6,$7,$touched"
}

# Where our page path's time went, as the kernel logged it (ckpt -v,
# rstr -v): pages, then us finding or faulting them in, copying, summing
# in line and beside.
pages_csv() { # op dest
	p=$(sed -n 's/.* \([0-9]*\) pages: \([0-9]*\) us [a-z ]*, \([0-9]*\) us [a-z]*, \([0-9]*\) us checksum (\([0-9]*\) us more beside).*/\1,\2,\3,\4,\5/p' \
		"$ERR" | tail -n 1)
	[ -z "$p" ] || say "pages,$name,$1,$2,$r,$p"
}

# One operation, every run: "timed ARGS..." times benchutil time ARGS;
# "after" is run after each (a check: fails the run); $bytes and $fz say
# what the run made.  ok=OK or FAIL on return.
run_op() { # tool op dest timing-function
	ok=OK
	r=$((1 - warmup))
	while [ $r -le "$runs" ]; do
		: >"$ERR"
		if us=$($4 2>>"$ERR") && after "$1" "$2" "$3"; then
			csv "$1" "$2" "$3" $r "$us" "$bytes" "$fz"
		else
			echo "run $r failed" >>"$ERR"
			ok=FAIL
			break
		fi
		r=$((r + 1))
	done
	tap $ok "$name: $1 $2 $3"
}

after() { # tool op dest
	case $1:$2 in
	ours:ckpt)
		fz=$(frozen $ERR)
		bytes=$(sed -n 's/.*image of \([0-9]*\) bytes.*/\1/p' $ERR | tail -n 1)
		pages_csv "$2" "$3"
		[ -n "$bytes" ]
		;;
	criu:dump)
		fz=$(frozen $ERR $OUT)
		bytes=$(size_of $CRIU/*)
		;;
	ours:rstr)
		fz=-1 bytes=$(size_of $IMG)
		pages_csv "$2" "$3"
		ask && stop
		;;
	criu:restore)
		fz=-1 bytes=$(size_of $CRIU/*)
		ask && stop
		;;
	dd:* | *:start)
		fz=-1
		;;
	esac
}

# The timed commands.  The image comes back through a pipe from dd, not
# cat: busybox cat's sendfile() asks for more after the last byte, which
# gets it a SIGPIPE once the reader is done and gone.
ckpt_tmpfs() { benchutil time -o $IMG -e $ERR ckpt -v "$pid"; }
ckpt_pipe() { benchutil time -e $ERR ckpt -v "$pid" '|' cat; }
criu_dump() {
	rm -rf $CRIU && mkdir $CRIU &&
	benchutil time -o $OUT -e $ERR criu dump -t "$pid" -D $CRIU \
		--leave-running --display-stats
}
rstr_tmpfs() { benchutil time -i $IMG -e $ERR rstr -d -v; }
rstr_pipe() { benchutil time -e $ERR dd if=$IMG bs=$MiB '|' rstr -d -v; }
criu_restore() {
	benchutil time -o $OUT -e $ERR criu restore -D $CRIU -d --display-stats
}
# dd: the image's bytes, in 1 MiB blocks, into and out of the destination
dd_write_tmpfs() {
	rm -f $DD
	benchutil time -e $ERR dd if=/dev/zero of=$DD bs=$MiB count="$bytes" iflag=count_bytes
}
dd_write_pipe() {
	benchutil time -e $ERR dd if=/dev/zero bs=$MiB count="$bytes" iflag=count_bytes '|' cat
}
dd_read_tmpfs() { benchutil time -e $ERR dd if=$IMG of=/dev/null bs=$MiB; }
# into new memory, as a restart must: one block the image's size, which
# the kernel faults in (and zeroes) as the read fills it
dd_readnew_tmpfs() {
	benchutil time -e $ERR dd if=$IMG of=/dev/null bs="$bytes" count=1
}
dd_read_pipe() { benchutil time -e $ERR dd if=$IMG bs=$MiB '|' dd of=/dev/null bs=$MiB; }

# Starting each program with nothing to do (usage, version): the floor
# under the times of the small workloads.
start_ours() { benchutil time ckpt --help; }
start_criu() { benchutil time criu --version; }
start_dd() { benchutil time dd if=/dev/zero of=/dev/null count=0; }

# After a failed restart the pids may still be taken: kill what is left.
restart_op() { # tool op dest timing-function
	run_op "$@"
	[ $ok = OK ] || stop || true
}

bench_workload() { # name program args...
	name=$1
	shift
	: >"$ERR"
	rm -rf $W/files $IMG $CRIU $DD && mkdir $W/files
	if ! start "$@"; then
		stop
		tap FAIL "$name: start the workload"
		return
	fi
	say "$name: pid $pid, $touched bytes touched: $*"

	run_op ours ckpt tmpfs ckpt_tmpfs
	ours=$ok
	bytes=$(size_of $IMG)
	run_op dd write tmpfs dd_write_tmpfs
	rm -f $DD
	[ $ours = OK ] && run_op dd read tmpfs dd_read_tmpfs
	[ $ours = OK ] && run_op dd readnew tmpfs dd_readnew_tmpfs
	run_op ours ckpt pipe ckpt_pipe
	bytes=$(size_of $IMG)
	run_op dd write pipe dd_write_pipe
	[ $ours = OK ] && run_op dd read pipe dd_read_pipe
	run_op criu dump tmpfs criu_dump
	criu=$ok

	# the pids must be free for the restarts
	: >"$ERR"
	if ! ask || ! stop; then
		tap FAIL "$name: the checkpointed process runs on"
		stop
	fi
	if [ $ours = OK ]; then
		restart_op ours rstr tmpfs rstr_tmpfs
		restart_op ours rstr pipe rstr_pipe
	fi
	[ $criu = OK ] && restart_op criu restore tmpfs criu_restore
	rm -rf $W/files $IMG $CRIU $DD
}

if setup; then
	tap OK "setup: tmpfs, loopback, criu check"
else
	tap FAIL "setup: tmpfs, loopback, criu check"
fi
name=start touched=0 bytes=0
for tool in ours criu dd; do
	run_op $tool start - start_$tool
done
# (fd 4: the commands keep their standard input)
while IFS=: read -r name runs cmd <&4; do
	# shellcheck disable=SC2086 # the command's words
	bench_workload "$name" $cmd
done 4<<EOF
$workloads
EOF
echo "1..$ntest"
