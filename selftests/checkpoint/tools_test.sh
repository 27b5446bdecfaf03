#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The command-line tools: ckpt, rstr and ckptinfo, as a user runs them.
# Prints TAP.  Needs the checkpoint module loaded and ckpt_target next to
# this script.  $CKPT, $RSTR, $CKPTINFO and $CKPT_TARGET override the
# programs used (default: ckpt, rstr and ckptinfo from $PATH).

here=$(cd "$(dirname "$0")" && pwd)
CKPT=${CKPT:-ckpt}
RSTR=${RSTR:-rstr}
CKPTINFO=${CKPTINFO:-ckptinfo}
TARGET=${CKPT_TARGET:-$here/ckpt_target}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-tools.XXXXXX") || exit 1
pids=""

# children_of PID: the pids whose parent is PID
children_of()
{
	parent=$1
	for d in /proc/[0-9]*; do
		s=$(cat "$d/stat" 2>/dev/null) || continue
		s=${s##*")"}
		set -- $s
		[ "$2" = "$parent" ] && echo "${d#/proc/}"
	done
}

cleanup()
{
	for p in $pids; do
		for c in $(children_of "$p"); do
			kill -9 "$c" 2>/dev/null
		done
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

nap()
{
	sleep 0.05 2>/dev/null || sleep 1
}

count_lines()
{
	wc -l < "$1"
}

# wait_lines FILE N: until FILE has N complete lines (10 s at most)
wait_lines()
{
	i=0
	while [ "$(count_lines "$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "$1: fewer than $2 lines"; return 1; }
		nap
	done
}

# check_seq FILE: its complete lines are 1, 2, 3, ...
check_seq()
{
	i=0
	while read -r x; do
		i=$((i + 1))
		[ "$x" = "$i" ] || { echo "$1: line $i is '$x'"; return 1; }
	done < "$1"
	[ $i -gt 0 ]
}

# is_running PID: PID exists and is not a zombie
is_running()
{
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*") "}
	[ "${s%% *}" != Z ]
}

# reap PID STATUS: our child PID exits within 10 s, with STATUS
reap()
{
	i=0
	while is_running "$1"; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "pid $1 still running"; return 1; }
		nap
	done
	wait "$1"
	rc=$?
	[ $rc = "$2" ] || { echo "pid $1: exit $rc, want $2"; return 1; }
}

# bounded STATUS CMD...: CMD exits with STATUS within 10 s (or is killed)
bounded()
{
	want=$1
	shift
	"$@" &
	bpid=$!
	pids="$pids $bpid"
	reap "$bpid" "$want" && return 0
	kill -9 "$bpid" 2>/dev/null
	return 1
}

# start_counter FILE: a counter appending to FILE, pid in $cpid
start_counter()
{
	: > "$1"
	"$TARGET" counter >> "$1" &
	cpid=$!
	pids="$pids $cpid"
	wait_lines "$1" 3
}

# expect_exit STATUS CMD...: CMD exits with STATUS
expect_exit()
{
	want=$1
	shift
	"$@"
	rc=$?
	[ $rc = "$want" ] || { echo "$*: exit $rc, want $want"; return 1; }
}

# expect_msg PATTERN FILE: FILE has a line matching PATTERN
expect_msg()
{
	grep -q "$1" "$2" && return 0
	echo "want a line matching '$1' in:"
	cat "$2"
	return 1
}

t_ckpt_help()
{
	"$CKPT" --help > "$tmp/help" || return 1
	grep -q '^Usage: ckpt' "$tmp/help"
}

t_ckpt_no_pid()
{
	expect_exit 1 "$CKPT" > /dev/null 2> "$tmp/err" || return 1
	expect_msg 'missing PID' "$tmp/err"
}

t_ckpt_bad_pid()
{
	expect_exit 1 "$CKPT" 12x > /dev/null 2> "$tmp/err" || return 1
	expect_msg "invalid PID '12x'" "$tmp/err"
}

t_ckpt_bad_option()
{
	expect_exit 1 "$CKPT" --bogus 1 > /dev/null 2> "$tmp/err" || return 1
	expect_msg "unknown option '--bogus'" "$tmp/err"
}

t_ckpt_no_such_pid()
{
	bounded 1 "$CKPT" 999999 > /dev/null 2> "$tmp/err" || return 1
	expect_msg 'ckpt: checkpoint of 999999 failed: No such process' \
		"$tmp/err"
}

t_rstr_help()
{
	"$RSTR" --help > "$tmp/help" || return 1
	grep -q '^Usage: rstr' "$tmp/help"
}

t_rstr_bad_image()
{
	: > "$tmp/empty"
	bounded 1 "$RSTR" -i "$tmp/empty" 2> "$tmp/err" || return 1
	expect_msg 'rstr: restart failed: Invalid argument' "$tmp/err"
}

t_ckptinfo_garbage()
{
	echo "not an image" > "$tmp/garbage"
	expect_exit 1 "$CKPTINFO" "$tmp/garbage" 2> "$tmp/err" || return 1
	expect_msg '^ckptinfo: .* at offset [0-9]*$' "$tmp/err"
}

# ckpt PID | rstr: the counter goes on in the same file.  The restored
# process may get the pid back (killed, the target freed it before rstr
# read the tree) or another: not is_running, but the shell's own wait
# tells that the target died of the kill (a SIGTERM after 10 s if not).
t_ckpt_pipe_rstr()
{
	out=$tmp/pipe.out
	start_counter "$out" || return 1
	"$CKPT" --kill "$cpid" | "$RSTR" -v >> "$out" 2> "$tmp/rstr.err" &
	rpid=$!
	pids="$pids $rpid"
	(sleep 10; kill -TERM "$cpid" 2>/dev/null) &
	watchdog=$!
	wait "$cpid"
	rc=$?
	kill "$watchdog" 2>/dev/null
	[ $rc = 137 ] || { echo "pid $cpid: exit $rc, want 137"; return 1; }
	n=$(count_lines "$out")
	wait_lines "$out" $((n + 10)) || { cat "$tmp/rstr.err"; return 1; }
	check_seq "$out" || return 1
	child=$(sed -n 's/^rstr: restoring as pid //p' "$tmp/rstr.err")
	[ -n "$child" ] || { cat "$tmp/rstr.err"; return 1; }
	pids="$pids $child"
	kill -9 "$child"
	reap "$rpid" 137 || return 1
	expect_msg 'rstr: restored process killed by signal 9' "$tmp/rstr.err"
}

# ckpt -o FILE --kill, then ckptinfo FILE.
t_ckpt_output()
{
	out=$tmp/file.out
	img=$tmp/counter.img
	start_counter "$out" || return 1
	bounded 0 "$CKPT" -v -o "$img" --kill "$cpid" 2> "$tmp/ckpt.err" ||
		return 1
	reap "$cpid" 137 || return 1
	# -v: the kernel tells how long the target was frozen
	grep -q "pid $cpid was frozen for [0-9]* us" "$tmp/ckpt.err" ||
		{ cat "$tmp/ckpt.err"; return 1; }
	[ -s "$img" ] || { echo "empty image"; return 1; }
	mode=$(ls -l "$img" | cut -c1-10)
	[ "$mode" = "-rw-------" ] || { echo "image mode $mode"; return 1; }
	"$CKPTINFO" "$img" > "$tmp/info" || return 1
	grep -q ' TAIL ' "$tmp/info" && grep -q 'comm ckpt_target' "$tmp/info"
}

t_ckptinfo_stdin()
{
	[ -s "$tmp/counter.img" ] || return 1
	"$CKPTINFO" < "$tmp/counter.img" > /dev/null || return 1
	cat "$tmp/counter.img" | "$CKPTINFO" > /dev/null
}

# rstr -i FILE --detach: rstr returns, the counter goes on.
t_rstr_detach()
{
	out=$tmp/file.out
	[ -s "$tmp/counter.img" ] || return 1
	n=$(count_lines "$out")
	"$RSTR" -v -i "$tmp/counter.img" --detach >> "$out" \
		2> "$tmp/detach.err" || return 1
	child=$(sed -n 's/^rstr: restoring as pid //p' "$tmp/detach.err")
	[ -n "$child" ] || { cat "$tmp/detach.err"; return 1; }
	pids="$pids $child"
	wait_lines "$out" $((n + 10)) || { cat "$tmp/detach.err"; return 1; }
	check_seq "$out" || return 1
	kill -9 "$child"
}

# rstr --detach of a one-task image whose pid is taken (the target runs
# on) restarts it with another pid; when that restart fails - its cwd is
# gone - rstr says so and exits non-zero, --detach or not.
t_rstr_detach_failed()
{
	mkdir "$tmp/gone" && mkfifo "$tmp/fifo2" || return 1
	(cd "$tmp/gone" && exec "$TARGET" wait) < "$tmp/fifo2" \
		> "$tmp/gone.out" &
	gpid=$!
	pids="$pids $gpid"
	exec 8> "$tmp/fifo2"
	wait_lines "$tmp/gone.out" 1 &&
	bounded 0 "$CKPT" -o "$tmp/gone.img" "$gpid" &&
	rmdir "$tmp/gone"
	rc=$?
	if [ $rc = 0 ]; then
		"$RSTR" -i "$tmp/gone.img" --detach < /dev/null \
			2> "$tmp/gone.err"
		[ $? != 0 ] || { echo "rstr --detach exited 0"; rc=1; }
		grep -q 'restart: .*(errno 2)' "$tmp/gone.err" ||
			{ cat "$tmp/gone.err"; rc=1; }
	fi
	exec 8>&-
	return $rc
}

# A restored process that exits 0 makes rstr exit 0.
t_rstr_exit_status()
{
	mkfifo "$tmp/fifo" || return 1
	"$TARGET" wait < "$tmp/fifo" > "$tmp/wait.out" &
	wpid=$!
	pids="$pids $wpid"
	exec 9> "$tmp/fifo"
	wait_lines "$tmp/wait.out" 1 &&
	bounded 0 "$CKPT" --kill -o "$tmp/wait.img" "$wpid"
	rc=$?
	exec 9>&-
	[ $rc = 0 ] || return 1
	bounded 0 "$RSTR" -i "$tmp/wait.img" < /dev/null
}

# A shell loop that forks nothing, in its own directory, writing its
# count to a file it opens anew each time: it goes on counting from where
# it was, never from 0.
t_shell_loop()
{
	mkdir "$tmp/sh" || return 1
	(cd "$tmp/sh" && exec busybox sh -c \
		'i=0; while :; do i=$((i + 1)); echo $i > f; done') \
		< /dev/null > /dev/null 2>&1 &
	spid=$!
	pids="$pids $spid"
	sleep 2
	bounded 0 "$CKPT" --kill -o "$tmp/sh.img" "$spid" || return 1
	reap "$spid" 137 || return 1
	# empty if it was frozen between truncating and writing f
	before=$(cat "$tmp/sh/f")
	[ -z "$before" ] || [ "$before" -gt 10 ] ||
		{ echo "count $before"; return 1; }
	before=${before:-0}
	"$RSTR" -i "$tmp/sh.img" --detach < /dev/null || return 1
	# the restored shell is the process whose cwd is that directory
	rpid=
	for i in 1 2 3 4 5 6 7 8 9 10; do
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/cwd")" = "$tmp/sh" ] && rpid=${p#/proc/}
		done
		[ -n "$rpid" ] && break
		nap
	done
	[ -n "$rpid" ] || { echo "no restored shell"; return 1; }
	pids="$pids $rpid"
	after=$before
	for i in 1 2 3 4 5 6 7 8 9 10; do
		after=$(cat "$tmp/sh/f")
		[ "${after:-0}" -gt "$before" ] && break
		nap
	done
	[ "${after:-0}" -gt "$before" ] ||
		{ echo "count went from $before to ${after:-nothing}"; return 1; }
	kill -9 "$rpid"
}

tests="ckpt_help ckpt_no_pid ckpt_bad_pid ckpt_bad_option ckpt_no_such_pid
       rstr_help rstr_bad_image ckptinfo_garbage ckpt_pipe_rstr ckpt_output
       ckptinfo_stdin rstr_detach rstr_detach_failed rstr_exit_status
       shell_loop"

echo "TAP version 13"
set -- $tests
echo "1..$#"
# the test functions run in this shell: their variables are theirs
tap_n=0
tap_failed=0
for t in $tests; do
	tap_n=$((tap_n + 1))
	if "t_$t" > "$tmp/log" 2>&1; then
		echo "ok $tap_n $t"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n $t"
		sed 's/^/# /' "$tmp/log"
	fi
done
echo "# tools_test: $((tap_n - tap_failed)) passed, $tap_failed failed"
[ $tap_failed = 0 ]
