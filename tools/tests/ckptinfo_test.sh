#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ckptinfo against synthetic images from mkimage: the valid one passes,
# each defect is caught with the right message, from a file and from a
# pipe.  A defect of the HEADER or the TREE is caught by rstr too, before
# it does anything.  Needs no kernel module; prints TAP.
#
#	ckptinfo_test.sh [MKIMAGE [CKPTINFO [RSTR]]]

here=$(cd "$(dirname "$0")" && pwd)
MKIMAGE=${1:-$here/mkimage}
CKPTINFO=${2:-$here/../ckptinfo}
RSTR=${3:-$here/../rstr}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckptinfo-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# defect|what ckptinfo must say (grep pattern, before " at offset N")
cases='valid|
empty|empty image
magic|bad magic
version|unsupported image version 1
arch|unsupported architecture 9
pagesize|bad page size 8192
xsize|bad xstate size 0
hdrlen|bad HEADER record length 4
unaligned|bad TASK record length 140
type|unknown record type 42
order|unexpected CPU record (want TASK)
huge|bad TASK record length 1048576
trunc_hdr|truncated record header
trunc_task|truncated TASK record
robust|bad robust list length 8
rseq|bad rseq area 0x4c0010 length 32
userptr|TASK user pointer outside user space
personality|bad personality
objref|MM objref 2 does not match
brk|inverted MM range
mm_addr|MM address 0xffffffffff600000 outside user space
vma_past|VMA record runs past its MM record
vmas_more|MM record ends after 5 of its 6 VMAs
vmas_less|MM record has 56 bytes after its 4 VMAs
vmas_many|cannot hold 100 VMAs
vmas_huge|too many VMAs (100000)
vma_outside|unexpected VMA record (want CPU)
vma_kind|unknown VMA kind 7
vma_flags|unknown VMA flags 0x80000000
vma_range|bad VMA range
vma_order|out of order
vma_pathlen|bad VMA record length
vma_grows|growsdown file VMA
vma_pgoff|VMA file offset 0x1000000000000000 out of range
vdso_alone|vdso or vvar VMA alone
path|bad VMA path
pathpad|nonzero padding
cpu_xsize|bad CPU xstate size
cpu_xsmall|bad CPU xstate size 512
cpu_pad|nonzero CPU padding
cpu_cs|not a 64-bit task (cs 0x23 ss 0x2b)
cpu_fs|nonzero data segment selectors
cpu_rip|rip, fs or gs base outside user space
xfeatures|xstate uses features 0x80
xcomp|bad xsave header
pages_zero|bad PAGES count 0
pages_len|bad PAGES record length
pages_out|pages 0x600000-0x603000 not inside one anon or file VMA
pages_vdso|pages 0x7ff84000-0x7ff86000 not inside one anon or file VMA
pages_span|pages 0x7ff20000-0x7ff22000 not inside one anon or file VMA
pages_align|bad PAGES address
trunc_pages|truncated PAGES record
crc|crc mismatch
count|record count mismatch
no_tail|missing TAIL record
trailing|data after the tail
task_nice|bad TASK nice 20
task_policy|bad TASK nice 0 policy 6
task_rtprio|bad TASK nice 0 policy 0 priority 5
task_pdeath|pdeath signal 65
cred_groups|bad CRED record length
cred_id|CRED id -1
cred_eff|bad CRED capability sets
cred_cap|bad CRED capability sets
rlim_soft|RLIMITS: limit 7 soft above hard
rlim_cpu|RLIMITS: finite CPU soft limit
sig_handler|handler or restorer outside user space
sig_flags|signal 10 has unknown flags 0x100
sig_kill|signal 9 cannot have an action
sig_altstack|bad alternate stack 0 size 100 flags 0x2
sig_itimer|bad ITIMER_REAL value or interval
sig_signo|bad pending signal number 65
sig_queue|unknown signal queue 3
sig_si_timer|POSIX timer signal 34 pending
sig_itimer_prof|bad ITIMER_VIRTUAL or ITIMER_PROF value or interval
sig_next_timer|bad next timer id 2147483648
timer_id|bad POSIX timer -1: clock 1, notification 0, signal 35 or time
timer_clock|bad POSIX timer 3: clock 2, notification 0, signal 35 or time
timer_notify|bad POSIX timer 3: clock 1, notification 3, signal 35 or time
timer_signo|bad POSIX timer 3: clock 1, notification 0, signal 65 or time
timer_none_signo|bad POSIX timer 3: clock 1, notification 1, signal 35 or time
timer_time|bad POSIX timer 3: clock 1, notification 0, signal 35 or time
tree_parent_missing|TREE entry 2 (pid 1240): parent 999 is not in the tree
tree_pid_twice|TREE entry 3 (pid 1240): pid twice in the tree
tree_cycle|TREE entry 2 (pid 1240): parent 1241 comes after its child
tree_thread_orphan|TREE entry 1 (pid 1235): thread of tgid 1299 does not follow its process
tree_thread_late|TREE entry 1 (pid 1260): thread of tgid 1240 does not follow its process
tree_session_missing|TREE entry 2 (pid 1240): session 1300 has no leader in the tree
tree_session_leader|TREE entry 2 (pid 1240): session 1234 has no leader in the tree
tree_too_many|TREE of 32769 tasks (1..32768, and below pid_max [0-9]*)
tree_none|TREE of 0 tasks
tree_len|bad TREE record length 176
tree_flags|unknown TREE flags 0x2
tree_pidns|TREE entry 0 (pid 1234): root of a pid namespace is not pid 1
tree_pid_max|TREE entry 4 (pid 2147483647): tgid 1250: pid or tgid outside 1\.\.
tree_root_zombie|TREE entry 0 (pid 1234): root with parent 0 or flags 0x1
tree_two_roots|TREE entry 2 (pid 1240): a second root (parent 0)
tree_zombie_parent|TREE entry 3 (pid 1241): parent 1240 is a zombie
tree_zombie_status|TREE entry 4 (pid 1250): zombie with bad exit status 0x1ff
tree_thread_zombie|TREE entry 1 (pid 1235): thread with exit signal 0 or flags 0x1
tree_exit_signal|TREE entry 2 (pid 1240): bad exit signal 65
tree_pgid|TREE entry 2 (pid 1240): process group 1241 has no live leader
tree_zombie_pgid|TREE entry 4 (pid 1250): zombie in process group 1240, neither its own nor its parent
tree_entry_flags|TREE entry 2 (pid 1240): unknown flags 0x10
section_pid|TASK 1241 (tgid 1240) where TREE entry 2 has pid 1240 tgid 1240
section_missing|no section for task 1250 (TREE entry 4)
section_extra|TASK 1241 after the sections of every TREE task
section_share|task 1241 has files objref 3, not 8 of task 1240 it shares it with
section_signal|process 1241 shares signal objref 11 with another
section_objref|TASK 1240: bad fs objref 0
section_no_cred|no CRED record in the section of task 1235
section_no_rlimits|no RLIMITS record in the section of task 1240
section_sighand_again|SIGHAND record of objref 13 in the section of task 1241, whose sighand objref 10 an earlier section brought'

# every defect mkimage knows has a case here
"$MKIMAGE" -l > "$tmp/known" || exit 1
echo "$cases" | cut -d'|' -f1 > "$tmp/cased"
missing=$(grep -vxF -f "$tmp/cased" "$tmp/known")

# rstr reads and checks the HEADER and the TREE before anything else
rstr_checks() # name
{
	case $1 in
	valid|empty|magic|version|arch|pagesize|xsize|hdrlen|tree_*) return 0 ;;
	esac
	return 1
}

# rstr refuses a bad image with EINVAL and the reason; a good one gets
# past the checks (to /dev/checkpoint, which only a test host lacks)
check_rstr() # name pattern
{
	if [ -n "$2" ]; then
		[ "$rc" = 1 ] &&
		grep -q "^rstr: restart failed: Invalid argument: .*$2" \
			"$tmp/err" && [ "$(wc -l < "$tmp/err")" = 1 ] &&
			return 0
	elif [ -e /dev/checkpoint ]; then
		return 0
	else
		[ "$rc" = 1 ] && grep -q "^rstr: cannot open /dev/checkpoint" \
			"$tmp/err" && return 0
	fi
	echo "# $1 (rstr): exit $rc, said: $(cat "$tmp/err")"
	return 1
}

check() # name pattern how
{
	if [ -z "$2" ]; then
		[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && return 0
	else
		[ "$rc" = 1 ] &&
		grep -q "^ckptinfo: .*$2.* at offset [0-9]*\$" "$tmp/err" &&
		[ "$(wc -l < "$tmp/err")" = 1 ] && return 0
	fi
	echo "# $1 ($3): exit $rc, said: $(cat "$tmp/err")"
	return 1
}

echo "TAP version 13"
echo "1..$(($(echo "$cases" | wc -l) + 2))"
n=0
failed=0
result() # ok? name
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

while IFS='|' read -r name pattern; do
	"$MKIMAGE" "$name" > "$tmp/img" || { result 1 "$name"; continue; }
	"$CKPTINFO" "$tmp/img" > /dev/null 2> "$tmp/err"
	rc=$?
	check "$name" "$pattern" file
	ok=$?
	cat "$tmp/img" | "$CKPTINFO" > /dev/null 2> "$tmp/err"
	rc=$?
	check "$name" "$pattern" pipe || ok=1
	if rstr_checks "$name"; then
		"$RSTR" < "$tmp/img" > /dev/null 2> "$tmp/err"
		rc=$?
		check_rstr "$name" "$pattern" || ok=1
	fi
	result $ok "$name"
done <<EOT
$cases
EOT

[ -z "$missing" ] || echo "# defects without a case: $missing"
result "$([ -z "$missing" ]; echo $?)" "all defects covered"

"$CKPTINFO" "$tmp/no-such-file" > /dev/null 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q "^ckptinfo: cannot open" "$tmp/err"
result $? "missing file"

echo "ckptinfo_test: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
