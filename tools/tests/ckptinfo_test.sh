#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ckptinfo against synthetic images from mkimage: the valid one passes,
# each defect is caught with the right message, from a file and from a
# pipe.  Needs no kernel module; prints TAP.
#
#	ckptinfo_test.sh [MKIMAGE [CKPTINFO]]

here=$(cd "$(dirname "$0")" && pwd)
MKIMAGE=${1:-$here/mkimage}
CKPTINFO=${2:-$here/../ckptinfo}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ckptinfo-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# defect|what ckptinfo must say (grep pattern, before " at offset N")
cases='valid|
empty|empty image
magic|bad magic
version|unsupported image version 2
arch|unsupported architecture 9
pagesize|bad page size 8192
xsize|bad xstate size 0
hdrlen|bad HEADER record length 4
unaligned|bad TASK record length 124
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
timer_time|bad POSIX timer 3: clock 1, notification 0, signal 35 or time'

# every defect mkimage knows has a case here
"$MKIMAGE" -l > "$tmp/known" || exit 1
echo "$cases" | cut -d'|' -f1 > "$tmp/cased"
missing=$(grep -vxF -f "$tmp/cased" "$tmp/known")

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
