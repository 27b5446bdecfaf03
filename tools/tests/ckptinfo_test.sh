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
unaligned|bad TASK record length 156
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
vma_fsize|VMA file offset 0 out of range (file size 9223372036854775808)
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
xxh64|xxh64 mismatch
count|record count mismatch
tail_pad|nonzero TAIL padding
no_tail|missing TAIL record
trailing|data after the tail
task_nice|bad TASK nice 20
task_policy|bad TASK nice 0 policy 6
task_rtprio|bad TASK nice 0 policy 0 priority 5
task_pdeath|pdeath signal 65
task_stop_nostop|bad TASK stop signal 19 code 0 (flags 0)
task_stop_flags|bad TASK stop signal 0 code 0 (flags 0x4)
task_stop_code|bad TASK stop signal 0 code 19 (flags 0)
task_flags|bad TASK flags 0x80
task_pad|nonzero TASK padding
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
tree_len|bad TREE record length 256
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
tree_thread_name|TREE entry 1 (pid 1235): bad name
tree_own_parent|TREE entry 2 (pid 1240): parent 1240 comes after its child
section_pid|TASK 1241 (tgid 1240) where TREE entry 2 has pid 1240 tgid 1240
section_missing|TASK 1250: flags 0x68 of a zombie in a live section
section_extra|TASK 1250 (tgid 1250) where the section of zombie 1241 (TREE entry 3) belongs
zombie_pid|TASK 1251 (tgid 1250) where the section of zombie 1250 (TREE entry 4) belongs
zombie_missing|unexpected CRED record (want TASK)
zombie_objref|TASK of zombie 1250: objrefs, user pointers or flags 0x68
zombie_pointer|TASK of zombie 1250: objrefs, user pointers or flags 0x68
zombie_no_cred|unexpected RLIMITS record (want CRED)
zombie_no_rlimits|unexpected TASK record (want RLIMITS)
zombie_cred_id|CRED id -1
zombie_rlimit_cpu|RLIMITS: finite CPU soft limit
zombie_nice|bad TASK nice 20 policy 0 priority 0
zombie_stop_status|zombie 1250: a process cannot end with wait status 0x13
zombie_core_status|zombie 1250: a process cannot end with wait status 0x8f
task_zombie_flags|TASK 1234: flags 0x20 of a zombie in a live section
section_share|task 1241 has files objref 3, not 8 of task 1240 it shares it with
section_signal|process 1241 shares signal objref 11 with another
section_objref|TASK 1240: bad fs objref 0
section_no_cred|unexpected CPU record (want CRED)
section_no_rlimits|no RLIMITS record in the section of task 1240
section_sighand_again|SIGHAND record of objref 13 in the section of task 1241, whose sighand objref 10 an earlier section brought
section_objref_pipe|TASK 1241: mm objref 18 is already taken (pipe)
file_kind|bad FILE kind 99
file_pipe_objref|chr FILE objref 2 with pipe objref 18
file_objref_taken|FILE objref 18 is already taken (pipe)
pipe_file_no_pipe|pipe FILE objref 15 with pipe objref 0
fifo_file_no_pipe|fifo FILE objref 17 with pipe objref 0
fifo_direct|fifo FILE objref 17 with O_DIRECT
pipe_objref_file|FILE objref 17: pipe objref 2 is already taken (file)
pipe_objref_own|FILE objref 17: pipe objref 17 is already taken (file)
pipe_objref_mm|FILE objref 17: pipe objref 1 is already taken (mm)
pipe_fifo_of_anon|fifo FILE objref 20 names pipe 18, which is an anonymous pipe
pipe_anon_of_fifo|pipe FILE objref 20 names pipe 19, which is a FIFO
pipe_missing|FILE record where the PIPE of pipe 18, first named by FILE objref 15, belongs
pipe_missing_end|missing PIPE record
pipe_again|PIPE record not right after the first FILE of its pipe
pipe_stray|PIPE record not right after the first FILE of its pipe
pipe_buf_stray|PIPE_BUF record outside PIPE
pipe_objref|PIPE objref 19 after FILE objref 15 of pipe 18
pipe_pad|nonzero PIPE padding
pipe_bytes|PIPE bytes 65537 above its size 65536
pipe_size|bad PIPE size 12288
pipe_size_small|bad PIPE size 2048
pipe_size_huge|bad PIPE size 2147483648
valid_pipe_max|
pipe_nr_bufs|PIPE of 2 buffers, more than its size 4096 holds
pipe_bufs_empty|PIPE of 1 buffers cannot hold 0 bytes
pipe_len_bufs|bad PIPE record length 4312 for 2 buffers of 4201 bytes
pipe_len|PIPE record has 8 bytes after its 3 buffers
pipe_bytes_less|PIPE_BUF data past the 4200 bytes of its PIPE
pipe_bytes_more|PIPE buffers hold 4201 bytes, not its 4202
pipe_buf_big|bad PIPE_BUF length 4097
pipe_buf_zero|bad PIPE_BUF length 0
pipe_buf_flags|unknown PIPE_BUF flags 0x4
pipe_buf_flags_both|unknown PIPE_BUF flags 0x3
pipe_buf_offset|PIPE_BUF of 5 bytes at offset 4092 runs past its page
pipe_buf_nopad|nonzero PIPE_BUF padding
pipe_buf_pad|nonzero padding
pipe_buf_past|PIPE_BUF record runs past its PIPE record
pipe_buf_type|FD record inside PIPE
file_kind_max|bad FILE kind 15
anon_obj_objref|timerfd FILE objref 23 with pipe objref 18
anon_inherit_fd|bad FILE inherit fd 7
eventfd_flags|unknown EVENTFD flags 0x3
eventfd_count|bad EVENTFD count 0xffffffffffffffff
valid_eventfd_max|
eventfd_len|bad EVENTFD record length 32 (want 24)
eventfd_objref|EVENTFD objref 22 after FILE objref 21
eventfd_missing|FILE record where the EVENTFD of FILE objref 21 belongs
eventfd_missing_end|missing EVENTFD record
eventfd_stray|EVENTFD record not right after its FILE
eventfd_again|EVENTFD record not right after its FILE
eventfd_after_pipe|EVENTFD record not right after its FILE
eventfd_pipe_instead|PIPE record where the EVENTFD of FILE objref 21 belongs
anon_kind_mismatch|SIGNALFD record where the TIMERFD of FILE objref 22 belongs
signalfd_kill|SIGNALFD mask 0x300 holds SIGKILL or SIGSTOP
signalfd_stop|SIGNALFD mask 0x40000 holds SIGKILL or SIGSTOP
valid_signalfd_all|
signalfd_pad|nonzero SIGNALFD padding
signalfd_objref|SIGNALFD objref 21 after FILE objref 22
timerfd_clock|bad TIMERFD clock 5
timerfd_cancel_mono|TIMERFD cancel-on-set on clock 1, not CLOCK_REALTIME
timerfd_flags|unknown TIMERFD flags 0x3
timerfd_pad|nonzero TIMERFD padding
valid_timerfd_boottime|
timerfd_objref|TIMERFD objref 24 after FILE objref 23
epoll_flags|epoll FILE objref 24 with flags 02002
epoll_objref|EPOLL objref 24 after FILE objref 25
epoll_nr_items|EPOLL of 1048577 watches (at most 1048576)
epoll_len|bad EPOLL record length 80 (want 48)
epoll_missing|FILES record where the EPOLL of FILE objref 25 belongs
epoll_item_later|EPOLL_ITEM fd 6 names file objref 25, which no FILE record before it has
epoll_item_unknown|EPOLL_ITEM fd 3 names file objref 99, which no FILE record before it has
epoll_item_pipe|EPOLL_ITEM fd 3 names objref 18, which is a pipe, not a file
epoll_item_mm|EPOLL_ITEM fd 6 names objref 1, which is a mm, not a file
epoll_item_self|EPOLL_ITEM fd 9 names its own epoll, objref 25
epoll_item_events|EPOLL_ITEM fd 3 has events 0x88000019, which epoll_ctl() refuses
epoll_item_events_low|EPOLL_ITEM fd 9 has events 0x800, which epoll_ctl() refuses
valid_epoll_events_all|
epoll_item_fd|bad EPOLL_ITEM fd -1
epoll_item_pad|nonzero EPOLL_ITEM padding
epoll_item_len|bad EPOLL_ITEM record length 40 (want 32)
epoll_item_past|EPOLL_ITEM record runs past its EPOLL record
epoll_item_type|FD record inside EPOLL
epoll_item_stray|EPOLL_ITEM record outside EPOLL
epoll_item_after_file|EPOLL_ITEM record where the EPOLL of FILE objref 24 belongs
unix_file_no_socket|unix FILE objref 26 with socket objref 0
unix_socket_pipe|FILE objref 26: socket objref 18 is already taken (pipe)
unix_socket_file|FILE objref 36: socket objref 2 is already taken (file)
unix_socket_own|FILE objref 36: socket objref 36 is already taken (file)
unix_socket_mm|FILE objref 36: socket objref 1 is already taken (mm)
pipe_objref_socket|FILE objref 20: pipe objref 28 is already taken (socket)
unix_file_taken|FILE objref 31 is already taken (socket)
unix_task_taken|TASK 1241: mm objref 35 is already taken (socket)
unix_epoll_socket|EPOLL_ITEM fd 3 names objref 27, which is a socket, not a file
unix_closed_file|unix FILE objref 40 names socket 35, whose UNIX record says it has no file (PEER_CLOSED)
unix_missing|FILE record where the UNIX of socket 37, first named by FILE objref 36, belongs
unix_missing_end|missing UNIX record
unix_peer_missing|FILE record where the UNIX of socket 31, peer of socket 30, belongs
unix_peer_missing_end|missing UNIX record
unix_again|UNIX record not right after the first FILE of its socket, nor after its peer
unix_stray|UNIX record not right after the first FILE of its socket, nor after its peer
unix_pair_third|UNIX record not right after the first FILE of its socket, nor after its peer
unix_pipe_instead|PIPE record where the UNIX of socket 37, first named by FILE objref 36, belongs
unix_after_eventfd|UNIX record not right after the first FILE of its socket, nor after its peer
unix_skb_stray|UNIX_SKB record outside UNIX
unix_skb_after_file|UNIX_SKB record where the UNIX of socket 34, first named by FILE objref 33, belongs
unix_objref|UNIX objref 28 after FILE objref 26 of socket 27
unix_peer_objref|UNIX objref 41 after socket 30, whose peer 31 comes next
unix_peer_peer|UNIX objref 28 (stream, peer 30) is not the peer of the stream socket 27 before it
unix_peer_type|UNIX objref 31 (stream, peer 30) is not the peer of the seqpacket socket 30 before it
unix_peer_state|unconnected UNIX objref 31 with peer objref 30
unix_self_peer|UNIX objref 30 is its own peer
unix_peer_earlier|UNIX objref 30: peer objref 28 is already taken (socket)
unix_peer_file|UNIX objref 30: peer objref 15 is already taken (file)
unix_peer_pipe|UNIX objref 34: peer objref 19 is already taken (fifo)
unix_closed_first|PEER_CLOSED on UNIX objref 34, which is not the second record of a connected pair
unix_closed_listener|PEER_CLOSED on UNIX objref 37, which is not the second record of a connected pair
valid_unix_closed_stream|
unix_type|bad UNIX type 3
unix_state|bad UNIX state 4
unix_state_zero|bad UNIX state 0
unix_flags|unknown UNIX flags 0x80
unix_unlinked_unbound|UNIX objref 27: UNLINKED, not bound
unix_unlinked_abstract|UNIX objref 37: UNLINKED, bound to an abstract name
valid_unix_unlinked|
unix_shutdown|unknown UNIX shutdown 0x4
unix_pending|unconnected UNIX objref 39 with 1 connections pending
unix_listen_pending|FILE record where the UNIX of socket 0, first named by FILE objref 36, belongs
unix_addr_unbound|listening UNIX objref 37: address of 14 bytes, flags 0x1
unix_bound_no_addr|connected UNIX objref 27: address of 0 bytes, flags 0x10
unix_embryo_alone|UNIX objref 27: an embryo, not after a listener
unix_connected_no_peer|connected UNIX objref 27 with peer objref 0
unix_connected_bad_peer|connected UNIX objref 34 with peer objref -3
unix_unconnected_peer|unconnected UNIX objref 39 with peer objref 37
unix_listen_peer|listening UNIX objref 37 with peer objref 5
unix_listen_dgram|listening dgram UNIX objref 37
valid_unix_listen_seqpacket|
unix_backlog|listening UNIX objref 37 with backlog 65536
valid_unix_backlog_max|
unix_backlog_connected|connected UNIX objref 27 with backlog 1
unix_backlog_unconnected|unconnected UNIX objref 39 with backlog 5
unix_listen_unbound|listening UNIX objref 37 without an address
unix_listen_skbs|listening UNIX objref 37 with 1 skbs
unix_unconnected_skbs|unconnected UNIX objref 39 with 1 skbs
unix_addr_len|bad UNIX address length 109
unix_addr_relative|UNIX objref 39 bound to a path that is not absolute and NUL-terminated
unix_addr_unterminated|UNIX objref 39 bound to a path that is not absolute and NUL-terminated
unix_addr_inner_nul|UNIX objref 39 bound to a path that is not absolute and NUL-terminated
unix_addr_pad|nonzero padding
unix_attrs_type|UNIX objref 39: its file of mode 0100644, owner 1000:100, padding 0
unix_attrs_mode|UNIX objref 39: its file of mode 0150751, owner 1000:100, padding 0
unix_attrs_uid|UNIX objref 39: its file of mode 0140751, owner 4294967295:100, padding 0
unix_attrs_pad|UNIX objref 39: its file of mode 0140751, owner 1000:100, padding 1
unix_addr_short|bad UNIX record length 104 for an address of 16 bytes and 0 skbs of 0 bytes
valid_unix_abstract_bytes|
unix_nr_skbs|UNIX of 65537 skbs (at most 65536)
unix_bytes|UNIX of 67108865 bytes (at most 67108864)
unix_skbs_bytes|UNIX of 2 skbs cannot hold 1 bytes
unix_skbs_bytes_big|UNIX of 1 skbs cannot hold 1048577 bytes
unix_len|UNIX record has 8 bytes after its 2 skbs
unix_len_bad|bad UNIX record length 88 for an address of 14 bytes and 0 skbs of 0 bytes
unix_len_skbs|UNIX record has 40 bytes after its 2 skbs
unix_skbs_more|UNIX record ends after 3 of its 4 skbs
unix_bytes_less|UNIX_SKB data past the 23 bytes of its UNIX
unix_bytes_more|UNIX skbs hold 27 bytes, not its 28
unix_skb_len_zero|bad UNIX_SKB length 0
unix_skb_len_big|bad UNIX_SKB length 1048577
unix_skb_len|bad UNIX_SKB record length 40 (want 32)
unix_skb_fds|bad UNIX_SKB record length 32 (want 40)
unix_skb_fds_many|UNIX_SKB with 254 files in flight
unix_skb_data_pad|nonzero padding
unix_skb_big_pad|nonzero padding
unix_skb_big_trunc|truncated UNIX_SKB record
unix_skb_past|UNIX_SKB record runs past its UNIX record
unix_skb_type|FD record inside UNIX
unix_skb_huge|bad UNIX_SKB record length 2097152
inotify_flags|inotify FILE objref 60 with flags 02
inotify_objref|INOTIFY objref 24 after FILE objref 60
inotify_next_wd|bad INOTIFY next wd 0
inotify_nr_events|INOTIFY of 1048577 events and 2 watches (at most 1048576 of each)
inotify_len_counts|bad INOTIFY record length 184 for 2 events and 5 watches
inotify_watches_more|FILE record runs past its INOTIFY record
inotify_events_less|unexpected INOTIFY_EVENT record (want INOTIFY_WATCH)
inotify_len|INOTIFY record has 8 bytes after its records
inotify_missing|FILE record where the INOTIFY of FILE objref 60 belongs
inotify_stray|INOTIFY record not right after its FILE
inotify_event_mask|bad INOTIFY_EVENT mask 0x10000100
inotify_event_wd|bad INOTIFY_EVENT wd 0 mask 0x100
inotify_overflow_wd|bad INOTIFY_EVENT overflow: wd 1 cookie 0 name length 0
inotify_event_slash|INOTIFY_EVENT name with a .\/.
inotify_event_name_len|bad INOTIFY_EVENT name length 1
inotify_event_unterminated|malformed INOTIFY_EVENT path
inotify_event_stray|INOTIFY_EVENT record outside INOTIFY
inotify_watch_order|INOTIFY_WATCH wd 1 after wd 1
inotify_watch_wd_zero|INOTIFY_WATCH wd 0 after wd 0
inotify_watch_mask|INOTIFY_WATCH wd 3 has mask 0xa0000002, which inotify does not keep
valid_inotify_mask_all|
inotify_watch_mode|INOTIFY_WATCH wd 1 of type 0
inotify_watch_relative|malformed INOTIFY_WATCH path
inotify_watch_path_len|bad INOTIFY_WATCH record length 56 for a path of 8 bytes
inotify_watch_past|INOTIFY_WATCH record runs past its INOTIFY record
inotify_watch_type|FD record inside INOTIFY
inotify_watch_stray|INOTIFY_WATCH record outside INOTIFY
pty_file_no_pty|pty FILE objref 61 with pty objref 0
pty_file_mode|pty FILE objref 63: mode 0100600, flags 0100002
pty_file_flags|pty FILE objref 63: mode 020620, flags 0100003
pty_file_rdev|pty FILE objref 61: mode 020666, flags 0100002, rdev 0x401
pty_slave_rdev|pty FILE objref 63: slave 136:4 of pty 62 (/dev/pts/3)
pty_master_twice|pty FILE objref 63: a second master of pty 62
pty_master_flags|pty FILE objref 61: a second master of pty 62, or flags 04002, not its PTY.s 0100002
pty_objref_pipe|FILE objref 63: pty objref 18 is already taken (pipe)
pty_missing|FILE record where the PTY of pty 62, first named by FILE objref 61, belongs
pty_stray|PTY record not right after the first FILE of its pty
pty_objref|PTY objref 2 (FILE names 62)
pty_index|PTY objref 62 (FILE names 62), index 1048576
pty_flags|PTY objref 62 (FILE names 62), index 3, flags 0x400
pty_tcooff|PTY objref 62 (FILE names 62), index 3, flags 0x100
pty_mflags|master flags 0100001
pty_events|packet events 0x80
pty_session|session 1240, group 0
valid_pty_ctty|
pty_line|termios iflag 02400 oflag 05 cflag 0277 lflag 0105073 line 1
pty_cflag|termios iflag 02400 oflag 05 cflag 077
pty_extproc|lflag 0200003 line 0
pty_raw_lnext|index 3, flags 0x200
pty_canon|to the slave 5 bytes, 6 in lines
pty_eol|its 3 bytes of complete lines do not end a line
pty_eol_past|its 3 bytes of complete lines do not end a line, or have line ends past them
pty_in_big|to the slave 4097 bytes
pty_len|bad PTY record length 192 (want 184)
pty_pad|nonzero padding
cgroup_dotdot|bad CGROUP path /../def
cgroup_len|malformed CGROUP path
cgroup_twice|second CGROUP record
cow_self|MM shares pages with objref 7, no earlier address space
cow_unknown|MM shares pages with objref 99, no earlier address space
cow_nothing|MM has COW records and no address space to share with
cow_vma_alone|VMA shares pages and its MM with no address space
cow_count|MM record of length .* cannot hold 1 VMAs and 2 COW records
cow_huge|bad number of COW records (2097152)
cow_empty|bad COW run of 0 pages at 0x601000
cow_outside|COW run 0x601000-0x603000 is not inside one shared anonymous VMA
cow_unaligned|bad COW run of 1 pages at 0x601008
cow_pad|bad COW run of 1 pages at 0x601000
cow_len|COW record runs past its MM record
cow_file_vma|VMA flags 0x40005 on a file VMA
pty_owner_mode|/dev/pts/3 owner 0:0 mode 020620
unl_no_inode|unlinked FILE objref 64 with inode objref 0
unl_inode_taken|FILE objref 64: inode objref 18 is already taken (pipe)
unl_missing|FILE_DATA record where the UNLINKED of FILE objref 64 belongs
unl_stray|UNLINKED record not right after its FILE
unl_objref|UNLINKED objref 2 after FILE objref 64 of inode 65
unl_mode|UNLINKED mode 040755: no regular file
unl_mode_bits|UNLINKED mode 0300640: no regular file
unl_owner|bad UNLINKED owner 4294967295:100
unl_data|UNLINKED of size 12288 with 12289 bytes of data
unl_size|UNLINKED of size 9223372036854775808 with 150 bytes of data
unl_nsec|bad UNLINKED nanoseconds 123456789 1000000000
unl_len|bad UNLINKED record length 72 (want 64)
fdata_overlap|FILE_DATA of 50 bytes at 50 overlaps the one before (ending at 100)
fdata_past|FILE_DATA of 50 bytes at 12239 overlaps the one before (ending at 100) or runs past the size 12288
fdata_objref|FILE_DATA does not continue an unlinked file
fdata_more|FILE_DATA does not continue an unlinked file
fdata_missing|FILE record where 50 more bytes of FILE_DATA of FILE objref 64 belong
lock_kind|bad LOCK kind 4 type 1
lock_type|bad LOCK kind 2 type 2
lock_pad|bad LOCK kind 3 type 1
lock_range|bad LOCK range 10-9
lock_eof|bad LOCK range 100-9223372036854775808
lock_flock_range|bad LOCK range 0-9
lock_owner|LOCK owner 8 through file 17: not a FILES read before it
lock_file|LOCK owner 17 through file 99: not a FILE before it
lock_ofd_owner|LOCK owner 2 through file 17: not a FILE before it
lock_pid|bad LOCK pid 1235
lock_ofd_pid|bad LOCK pid 1234
lock_len|bad LOCK record length 56 (want 48)
lock_before_files|LOCK owner 3 through file 17: not a FILES read before it'

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
echo "1..$(($(echo "$cases" | wc -l) + 9))"
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

# The valid image's files and pipes as listed: each FILE names its pipe,
# each PIPE is one line counting its packets, no buffer has a line.
listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 15 pipe flags 0 .* pipe 18 pipe:\[4242\]$' \
		"$out" &&
	grep -q ' FILE .* objref 16 pipe flags 044001 .* pipe 18 pipe:\[4242\]$' \
		"$out" &&
	grep -q ' FILE .* objref 17 fifo .* pipe 19 /tmp/ckptinfo-test\.fifo$' \
		"$out" &&
	grep -q ' FILE .* objref 20 fifo .* pipe 19 /tmp/ckptinfo-test\.fifo$' \
		"$out" &&
	grep -q '^ *3392  PIPE  *4312  objref 18 size 65536 nr_bufs 3 bytes 4201 packets 2$' \
		"$out" &&
	grep -q '^ *7856  PIPE  *32  objref 19 size 4096 nr_bufs 0 bytes 0 packets 0$' \
		"$out" &&
	[ "$(grep -c ' PIPE' "$out")" = 2 ] && return 0
	echo "# listing of the valid image:"
	grep ' FILE\| PIPE' "$out" | sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	listing_ok
result $? "pipes listed"

# The anonymous files as listed: each FILE with its description, then
# one line of its state; an epoll's watches one line each, nested.
anon_listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 21 eventfd flags 04002 .* anon_inode:\[eventfd\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  EVENTFD  *24  objref 21 count 3 semaphore$' "$out" &&
	grep -q ' FILE .* objref 22 signalfd .* anon_inode:\[signalfd\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  SIGNALFD  *24  objref 22 mask 0x10200$' "$out" &&
	grep -q ' FILE .* objref 23 timerfd .* anon_inode:\[timerfd\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  TIMERFD  *48  objref 23 clock realtime value 1500000000ns interval 1000000000ns ticks 2 cancel_on_set$' \
		"$out" &&
	grep -q ' FILE .* objref 24 epoll flags 02 .* anon_inode:\[eventpoll\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  EPOLL  *80  objref 24 nr_items 2$' "$out" &&
	grep -q '^ *[0-9]*    EPOLL_ITEM  *32  fd 3 file 15 events 0x80000019 data 0x1234$' \
		"$out" &&
	grep -q '^ *[0-9]*    EPOLL_ITEM  *32  fd 6 file 21 events 0x1c data 0xfedcba9876543210$' \
		"$out" &&
	grep -q ' FILE .* objref 25 epoll flags 0104002 .* anon_inode:\[eventpoll\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  EPOLL  *48  objref 25 nr_items 1$' "$out" &&
	grep -q '^ *[0-9]*    EPOLL_ITEM  *32  fd 9 file 24 events 0x40000019 data 0x7$' \
		"$out" &&
	[ "$(grep -c ' EPOLL_ITEM ' "$out")" = 3 ] && return 0
	echo "# listing of the valid image:"
	grep 'anon_inode\| EVENTFD\| SIGNALFD\| TIMERFD\| EPOLL' "$out" |
		sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	anon_listing_ok
result $? "anonymous files listed"

# The unix sockets as listed: each FILE names its socket, each UNIX is a
# line with its state, its skbs one line each, nested; the stream pair's
# second end is a FILE of the child's section with no UNIX after it.
unix_listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 26 unix flags 02 .* socket 27 socket:\[5001\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *120  objref 27 stream connected peer 28 addr - flags sndbuf shutdown - sndbuf 65536 rcvbuf 212992 nr_skbs 2 bytes 24$' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *70088  objref 28 stream connected peer 27 addr - flags - shutdown - sndbuf 212992 rcvbuf 212992 nr_skbs 1 bytes 70001$' \
		"$out" &&
	grep -q '^ *[0-9]*    UNIX_SKB  *70024  len 70001$' "$out" &&
	grep -q '^ *[0-9]*  UNIX  *160  objref 30 seqpacket connected peer 31 .* nr_skbs 3 bytes 27$' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *64  objref 31 seqpacket connected peer 30 addr - flags - shutdown - .* nr_skbs 0 bytes 0$' \
		"$out" &&
	grep -q ' FILE .* objref 32 unix flags 04002 .* socket 31 socket:\[5004\]$' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *64  objref 35 dgram connected peer 34 addr - flags peer_closed shutdown rd,wr ' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *80  objref 37 stream listening backlog 128 pending 0 addr @ckptinfo-test flags passcred,bound shutdown - ' \
		"$out" &&
	grep -q '^ *[0-9]*  UNIX  *104  objref 39 dgram unconnected addr /tmp/ckptinfo-test\.sock flags rcvbuf,bound shutdown rd sndbuf 212992 rcvbuf 32768 nr_skbs 0 bytes 0$' \
		"$out" &&
	sed -n '/^-- section of task 1240 /,/^-- section of task 1241 /p' \
		"$out" | grep -q ' FILE .* objref 40 unix .* socket 28 socket:\[5002\]$' &&
	[ "$(grep -c '  UNIX  ' "$out")" = 8 ] &&
	[ "$(grep -c '    UNIX_SKB  ' "$out")" = 7 ] &&
	[ "$(grep -A1 ' FILE .* objref 40 ' "$out" | grep -c ' UNIX')" = 0 ] &&
	return 0
	echo "# listing of the valid image:"
	grep ' unix \| UNIX' "$out" | sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	unix_listing_ok
result $? "unix sockets listed"

# The inotify as listed: its FILE, the INOTIFY, its events (the overflow
# one word) and watches one line each, nested.
inotify_listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 60 inotify flags 04000 .* anon_inode:inotify$' \
		"$out" &&
	grep -q '^ *[0-9]*  INOTIFY  *184  objref 60 next_wd 5 nr_events 2 nr_watches 2$' \
		"$out" &&
	grep -q '^ *[0-9]*    INOTIFY_EVENT  *32  wd 1 mask 0x100 cookie 0 name new$' \
		"$out" &&
	grep -q '^ *[0-9]*    INOTIFY_EVENT  *24  overflow$' "$out" &&
	grep -q '^ *[0-9]*    INOTIFY_WATCH  *48  wd 1 mask 0x300 mode 040000 /tmp/ckptinfo-test\.dir$' \
		"$out" &&
	grep -q '^ *[0-9]*    INOTIFY_WATCH  *56  wd 3 mask 0x80000002 mode 0100000 /tmp/ckptinfo-test\.dir/file$' \
		"$out" && return 0
	echo "# listing of the valid image:"
	grep 'inotify\| INOTIFY' "$out" | sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	inotify_listing_ok
result $? "inotify listed"

# The pty as listed: its master's FILE, its PTY, its slave's FILE.
pty_listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 61 pty flags 0100002 .* pty 62 master /dev/ptmx$' \
		"$out" &&
	grep -q '^ *[0-9]*  PTY  *184  objref 62 /dev/pts/3 iflag 02400 oflag 05 cflag 0277 lflag 0105073 speed 38400/38400 winsize 24x80 column 4/2 in 5 (3 in lines) +0 out 8 +0$' \
		"$out" &&
	grep -q ' FILE .* objref 63 pty flags 0100002 .* pty 62 slave /dev/pts/3$' \
		"$out" && return 0
	echo "# listing of the valid image:"
	grep ' pty \| PTY' "$out" | sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	pty_listing_ok
result $? "pty listed"

# The unlinked file as listed: both FILEs name its inode, whose UNLINKED
# record follows the first, then the two extents of its data.
unlinked_listing_ok()
{
	out=$tmp/out
	grep -q ' FILE .* objref 64 unlinked flags 02 pos 0 size 12288 inode 65 /tmp/ckptinfo-test\.unlinked (deleted)$' \
		"$out" &&
	grep -q '^ *[0-9]*  UNLINKED  *64  objref 65 mode 0100640 uid 1000 gid 100 size 12288 data 150 atime 1000000000\.123456789 mtime 1100000000\.987654321$' \
		"$out" &&
	grep -q ' FILE_DATA  *128  objref 64 offset 0 len 100$' "$out" &&
	grep -q ' FILE_DATA  *80  objref 64 offset 8192 len 50$' "$out" &&
	grep -q ' FILE .* objref 66 unlinked flags 0 pos 0 size 12288 inode 65 ' \
		"$out" && return 0
	echo "# listing of the valid image:"
	grep 'unlinked\|UNLINKED\|FILE_DATA' "$out" | sed 's/^/# /'
	return 1
}
"$MKIMAGE" valid > "$tmp/img" && "$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	unlinked_listing_ok
result $? "unlinked file listed"

# An abstract name may hold any bytes: those not printable are masked.
"$MKIMAGE" valid_unix_abstract_bytes > "$tmp/img" &&
	"$CKPTINFO" "$tmp/img" > "$tmp/out" &&
	grep -q ' objref 37 stream listening backlog 128 pending 0 addr @ckp??nfo-test ' \
		"$tmp/out"
result $? "abstract name masked"

echo "ckptinfo_test: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
