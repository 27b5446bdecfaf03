/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * In-kernel checkpoint/restart: the user ABI.
 *
 * Two operations, issued as ioctls on /dev/checkpoint, mirroring linux-cr's
 * checkpoint(pid, fd, flags, logfd) and restart(pid, fd, flags, logfd).
 *
 * The image is a sequential stream of records.  Every record starts with a
 * struct ckpt_hdr whose @len counts the header, the payload and any nested
 * records; every record is padded to a multiple of 8 bytes.  The stream
 * opens with CKPT_HDR_HEADER and closes with CKPT_HDR_TAIL, whose xxh64
 * covers every byte before the tail record.
 *
 * A tree of tasks is written as: HEADER, TREE (every task, its pid and
 * relations), the zombies' sections in TREE order (each TASK, CRED and
 * RLIMITS: what /proc still shows of a zombie; TASK's objrefs and user
 * pointers 0), then one section per task that is not a zombie, in TREE
 * order, then TAIL.  A section opens with the task's TASK record; the
 * records of objects it shares with a task before it (mm, fd table, fs,
 * signal handlers, process-wide signal state) are left out, their objrefs
 * in TASK name them.  Within a section, everything a restart must check
 * before it destroys the task's address space comes before the page
 * contents (PAGES records), which come last.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CKPT_DEVICE		"/dev/checkpoint"

/*
 * Argument of both ioctls.  Extensible: @size is sizeof() as the caller
 * knows it; a larger struct must have zeroes past what the kernel knows,
 * a smaller one than CKPT_ARGS_SIZE_VER0 is rejected.
 */
struct ckpt_args {
	__u32 size;		/* sizeof(struct ckpt_args) */
	__s32 pid;		/* checkpoint: target; restart: must be 0 */
	__s32 fd;		/* image: writable (checkpoint), readable (restart) */
	__s32 logfd;		/* log lines go here; -1 for none */
	__u64 flags;		/* CHECKPOINT_* or RESTART_* */
	/*
	 * VER1, restart only: the first prefix_len bytes of the image, which
	 * the caller already read from @fd (to learn the pids from the TREE
	 * record before it forks, say); @fd goes on right after them.  They
	 * are checked and checksummed like the rest.  0 for none.
	 */
	__u64 prefix;		/* user pointer */
	__u32 prefix_len;	/* at most CKPT_PREFIX_MAX */
	__u32 pad;		/* zero */
};
#define CKPT_ARGS_SIZE_VER0	24
#define CKPT_ARGS_SIZE_VER1	40
#define CKPT_PREFIX_MAX		(1U << 21)	/* HEADER and the largest TREE */

#define CKPT_IOC_MAGIC		0xcc
#define CKPT_IOC_CHECKPOINT	_IOW(CKPT_IOC_MAGIC, 1, struct ckpt_args)
#define CKPT_IOC_RESTART	_IOW(CKPT_IOC_MAGIC, 2, struct ckpt_args)

/*
 * Restarting a tree.  The coordinator (rstr) issues RESTART_PREPARE on
 * its open /dev/checkpoint with the image in @fd (and any prefix): the
 * HEADER and TREE records are read and checked - a bad tree fails here,
 * before any task exists - and the restart stays attached to that open
 * file.  The coordinator then creates every task of the TREE with its
 * pid, relations and zombies; each live task issues CKPT_IOC_RESTART on
 * the same open file (inherited) with @fd -1 and becomes the task of the
 * image with its pid.  RESTART_WAIT blocks until every task is restored
 * (0) or the restart failed (-1, errno of the failure; every task of it
 * was killed).  A task that cannot be created reports it with
 * RESTART_ABORT, whose argument is a positive errno.
 *
 * CKPT_IOC_RESTART on a device file without a prepared restart restores
 * a one-task image into the caller, whatever its pid.
 */
struct ckpt_restart_status {
	__s32 error;		/* 0, or the negative errno of the failure */
	__s32 pid;		/* the task that failed (TREE pid), or 0 */
	__u32 nr_tasks;		/* tasks restored (zombies not counted) */
	__u32 nr_switches;	/* context switches of the restoring tasks
				 * from joining to the end, all tasks summed
				 */
	__u64 usecs;		/* from RESTART_PREPARE to the last task
				 * restored
				 */
};

#define CKPT_IOC_RESTART_PREPARE _IOW(CKPT_IOC_MAGIC, 3, struct ckpt_args)
#define CKPT_IOC_RESTART_WAIT	_IOR(CKPT_IOC_MAGIC, 4, struct ckpt_restart_status)
#define CKPT_IOC_RESTART_ABORT	_IO(CKPT_IOC_MAGIC, 5)

/* checkpoint flags */
#define CHECKPOINT_KILL		(1ULL << 0)	/* kill the target once saved */
#define CHECKPOINT_VERBOSE	(1ULL << 1)	/* log how long it was frozen */
#define CHECKPOINT_FLAGS_ALL	(CHECKPOINT_KILL | CHECKPOINT_VERBOSE)

/* restart flags */
#define RESTART_VERBOSE		(1ULL << 1)	/* log where the time went */
#define RESTART_FLAGS_ALL	(RESTART_VERBOSE)

/* ---------------------------------------------------------------------- */
/* Image format */

#define CKPT_MAGIC		"LXCKPT\r\n"	/* 8 bytes, no NUL */
#define CKPT_MAGIC_LEN		8
#define CKPT_VERSION		8
#define CKPT_ALIGN		8
#define CKPT_HDR_MAX		(64U << 10)	/* largest non-page record */
#define CKPT_PAGES_MAX		256		/* pages in one PAGES record */

enum ckpt_arch {
	CKPT_ARCH_X86_64 = 1,
};

/*
 * Record types, numbered in ranges per area as linux-cr numbered them: a
 * new type takes the next free number of its area.  Nothing but the
 * record table (checkpoint/format.c) depends on the numbers.
 */
enum ckpt_hdr_type {
	/* the stream: 1.. */
	CKPT_HDR_HEADER = 1,	/* struct ckpt_hdr_header */
	CKPT_HDR_TREE,		/* struct ckpt_hdr_tree, then the tasks */
	CKPT_HDR_TAIL,		/* struct ckpt_hdr_tail, always last */

	/* a task: 101.. */
	CKPT_HDR_TASK = 101,	/* struct ckpt_hdr_task */
	CKPT_HDR_CPU,		/* struct ckpt_hdr_cpu, then xstate_size bytes */

	/* identity: 201.. */
	CKPT_HDR_CRED = 201,	/* struct ckpt_hdr_cred, then ngroups gids */
	CKPT_HDR_RLIMITS,	/* struct ckpt_hdr_rlimits */
	CKPT_HDR_CGROUP,	/* struct ckpt_hdr_cgroup: a process's cgroup */

	/* memory: 301.. */
	CKPT_HDR_MM = 301,	/* struct ckpt_hdr_mm, then nr_vmas VMA records */
	CKPT_HDR_VMA,		/* struct ckpt_hdr_vma (only inside MM) */
	CKPT_HDR_COW,		/* struct ckpt_hdr_cow (only inside MM) */
	CKPT_HDR_PAGES,		/* struct ckpt_hdr_pages, then nr_pages pages */

	/* files: 401.. */
	CKPT_HDR_FS = 401,	/* struct ckpt_hdr_fs: cwd, root, umask */
	CKPT_HDR_FILES,		/* struct ckpt_hdr_files, then nr_fds FDs */
	CKPT_HDR_FD,		/* struct ckpt_hdr_fd (only inside FILES) */
	CKPT_HDR_FILE,		/* struct ckpt_hdr_file: one open file */
	CKPT_HDR_FILE_DATA,	/* struct ckpt_hdr_file_data: file contents */
	CKPT_HDR_UNLINKED,	/* struct ckpt_hdr_unlinked, after the first
				 * FILE of an unlinked inode
				 */
	CKPT_HDR_LOCK,		/* struct ckpt_hdr_lock: one file lock */
	CKPT_HDR_PIPE,		/* struct ckpt_hdr_pipe, then nr_bufs PIPE_BUFs */
	CKPT_HDR_PIPE_BUF,	/* struct ckpt_hdr_pipe_buf (only inside PIPE) */
	CKPT_HDR_EVENTFD,	/* struct ckpt_hdr_eventfd, after its FILE */
	CKPT_HDR_SIGNALFD,	/* struct ckpt_hdr_signalfd, after its FILE */
	CKPT_HDR_TIMERFD,	/* struct ckpt_hdr_timerfd, after its FILE */
	CKPT_HDR_EPOLL,		/* struct ckpt_hdr_epoll, then nr_items ITEMs */
	CKPT_HDR_EPOLL_ITEM,	/* struct ckpt_hdr_epoll_item (only in EPOLL) */
	CKPT_HDR_INOTIFY,	/* struct ckpt_hdr_inotify, EVENTs, WATCHes */
	CKPT_HDR_INOTIFY_EVENT,	/* struct ckpt_hdr_inotify_event (in INOTIFY) */
	CKPT_HDR_INOTIFY_WATCH,	/* struct ckpt_hdr_inotify_watch (in INOTIFY) */
	CKPT_HDR_PTY,		/* struct ckpt_hdr_pty: one pseudo-terminal */

	/* signals, timers and interrupted system calls: 501.. */
	CKPT_HDR_SIGHAND = 501,	/* signal handlers */
	CKPT_HDR_SIGNAL,	/* process-wide signal state and itimers */
	CKPT_HDR_SIGINFO,	/* one pending signal */
	CKPT_HDR_POSIX_TIMER,	/* one POSIX timer */
	CKPT_HDR_RESTART_BLOCK,	/* an interrupted, restartable system call */

	/* sockets and IPC: 601.. */
	CKPT_HDR_UNIX = 601,	/* struct ckpt_hdr_unix, address (a path's
				 * struct ckpt_unix_attrs), UNIX_SKBs
				 */
	CKPT_HDR_UNIX_SKB,	/* struct ckpt_hdr_unix_skb (only in UNIX) */

	/* past every area: namespaces would take 701.. and move it up */
	CKPT_HDR_MAX_TYPE = 700
};
#define CKPT_HDR_AREA		100	/* numbers in an area */

struct ckpt_hdr {
	__u32 type;		/* enum ckpt_hdr_type */
	__u32 len;		/* header + payload + nested records, padded */
};

struct ckpt_hdr_header {
	struct ckpt_hdr h;
	char magic[CKPT_MAGIC_LEN];
	__u32 version;		/* CKPT_VERSION */
	__u32 arch;		/* enum ckpt_arch */
	__u32 page_size;
	__u32 xstate_size;	/* bytes of the CPU's user xsave area */
	__u64 xstate_features;	/* XCR0 bits the image's xsave areas may use */
	__u64 time;		/* creation, seconds since the epoch */
	char release[65];	/* uname -r of the checkpointing kernel */
	char machine[15];	/* uname -m */
};

/*
 * The tree: every task of the checkpointed subtree, process by process
 * in depth-first order (a parent before its children), each process's
 * threads right after it.  Pids are as the root's pid namespace sees
 * them.  A pgid or sid of a process outside the tree is 0: the restarted
 * tree inherits the coordinator's there.
 */
#define CKPT_TREE_PIDNS		(1U << 0)	/* the root is the init (pid 1)
						 * of its pid namespace: the
						 * tree is the whole namespace
						 */
#define CKPT_TREE_FLAGS_ALL	0x1
#define CKPT_TREE_MAX_TASKS	32768

struct ckpt_hdr_tree {
	struct ckpt_hdr h;
	__u32 nr_tasks;		/* ckpt_tree_task entries that follow */
	__u32 flags;		/* CKPT_TREE_* */
};

#define CKPT_TREE_ZOMBIE	(1U << 0)	/* exited, not reaped: a
						 * zombie's section (after
						 * the TREE); exit_code holds
						 * its wait status
						 */
#define CKPT_TREE_SUBREAPER	(1U << 1)	/* PR_SET_CHILD_SUBREAPER */
#define CKPT_TREE_SHARE_FILES	(1U << 2)	/* shares its fd table with
						 * its parent (a thread: with
						 * its process's first task)
						 */
#define CKPT_TREE_SHARE_FS	(1U << 3)	/* the same for cwd/root/umask */
#define CKPT_TREE_TASK_FLAGS_ALL 0xf

struct ckpt_tree_task {
	__s32 pid;		/* the task's id (tid) */
	__s32 tgid;		/* its process; pid == tgid for the first */
	__s32 ppid;		/* the parent process; 0 for the root */
	__s32 pgid;		/* process group; 0: outside the tree */
	__s32 sid;		/* session; 0: outside the tree */
	__s32 exit_signal;	/* to the parent at exit (0..64); 0 for
				 * threads
				 */
	__u32 flags;		/* CKPT_TREE_* */
	__s32 exit_code;	/* ZOMBIE: the status wait() reports */
	char comm[16];		/* ZOMBIE: its name (NUL-terminated);
				 * all zero for the others
				 */
};

/*
 * One task: identity and the per-task user pointers the kernel keeps.
 * The objrefs name what the task shares: the first task naming one
 * carries its record (MM, FILES, FS, SIGHAND; for signal_objref the
 * process-wide RLIMITS, POSIX_TIMER and shared SIGINFO records).
 */
struct ckpt_hdr_task {
	struct ckpt_hdr h;
	__s32 pid;
	__s32 tgid;
	__s32 mm_objref;	/* objref of the task's mm */
	__u32 personality;
	__s32 files_objref;	/* its fd table */
	__s32 fs_objref;	/* its cwd, root and umask */
	__s32 sighand_objref;	/* its signal handlers */
	__s32 signal_objref;	/* its process-wide signal state */
	__u64 blocked;		/* blocked signal mask */
	__u64 set_child_tid;	/* set_tid_address() / CLONE_CHILD_SETTID */
	__u64 clear_child_tid;
	__u64 robust_list;	/* set_robust_list() head, 0 for none */
	__u64 robust_list_len;
	__u64 rseq;		/* registered struct rseq, 0 for none */
	__u32 rseq_len;
	__u32 rseq_sig;
	char comm[16];
	/* scheduling and prctl() state */
	__s32 nice;		/* -20..19 */
	__u32 policy;		/* SCHED_NORMAL, _FIFO, _RR, _BATCH or _IDLE */
	__u32 rt_priority;	/* 1..99 for FIFO and RR, else 0 */
	__u32 flags;		/* CKPT_TASK_* */
	__u32 dumpable;		/* PR_GET_DUMPABLE: 0, 1, or 2 (root only) */
	__s32 pdeath_signal;	/* PR_SET_PDEATHSIG, 0 for none */
	/* CKPT_TASK_STOPPED: in a group stop (SIGSTOP, SIGTSTP, ...) */
	__s32 stop_signal;	/* the signal that stopped it, else 0 */
	__s32 stop_code;	/* what the parent's wait() reports: the
				 * stop signal, or 0 once it was reported
				 */
	__u32 loginuid;		/* audit login uid; (__u32)-1: unset */
	__u32 pad;
};
#define CKPT_TASK_NO_NEW_PRIVS	(1U << 0)	/* PR_SET_NO_NEW_PRIVS */
#define CKPT_TASK_RESET_ON_FORK	(1U << 1)	/* SCHED_RESET_ON_FORK */
#define CKPT_TASK_STOPPED	(1U << 2)	/* stopped, saved stopped */
#define CKPT_TASK_FORKNOEXEC	(1U << 3)	/* forked, no exec since */
#define CKPT_TASK_SUPERPRIV	(1U << 4)	/* used root's privileges */
#define CKPT_TASK_SIGNALED	(1U << 5)	/* a zombie's only: killed by a
						 * signal (PF_SIGNALED)
						 */
#define CKPT_TASK_DUMPCORE	(1U << 6)	/* a zombie's only: began a
						 * core dump (PF_DUMPCORE)
						 */
#define CKPT_TASK_FLAGS_ALL	0x7f
#define CKPT_TASK_ZOMBIE_ONLY	(CKPT_TASK_SIGNALED | CKPT_TASK_DUMPCORE)

/*
 * The MM record's fixed part is followed by exe_path_len bytes of the
 * executable's absolute path (/proc/PID/exe; NUL included, padded to 8),
 * then by its nr_vmas VMA records, then by its nr_cow COW records.
 */
#define CKPT_AUXV_WORDS		64
struct ckpt_hdr_mm {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 nr_vmas;
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 auxv[CKPT_AUXV_WORDS];	/* /proc/PID/auxv: (type, value)
					 * pairs up to AT_NULL, zeroes after
					 */
	__u32 exe_path_len;	/* 0: the mm has no executable file */
	__u32 flags;		/* CKPT_MM_* */
	__s32 cow_objref;	/* the earlier mm its COW records share
				 * pages with (its parent's); 0: none
				 */
	__u32 nr_cow;		/* COW records after the VMA records */
};
#define CKPT_MM_LOCK_FUTURE	(1U << 0)	/* mlockall(MCL_FUTURE) */
#define CKPT_MM_LOCK_ONFAULT	(1U << 1)	/* with it, MCL_ONFAULT */
#define CKPT_MM_THP_DISABLE	(1U << 2)	/* prctl(PR_SET_THP_DISABLE) */
/* membarrier() registrations (MEMBARRIER_CMD_REGISTER_*) */
#define CKPT_MM_MB_PRIVATE	(1U << 3)	/* _PRIVATE_EXPEDITED */
#define CKPT_MM_MB_GLOBAL	(1U << 4)	/* _GLOBAL_EXPEDITED */
#define CKPT_MM_MB_SYNC_CORE	(1U << 5)	/* _PRIVATE_EXPEDITED_SYNC_CORE */
#define CKPT_MM_MB_RSEQ		(1U << 6)	/* _PRIVATE_EXPEDITED_RSEQ */
#define CKPT_MM_FLAGS_ALL	0x7f

enum ckpt_vma_kind {
	CKPT_VMA_ANON = 1,	/* private anonymous: present pages follow */
	CKPT_VMA_FILE,		/* file mapping: mapped again; if private,
				 * then its copied-on-write pages follow
				 */
	CKPT_VMA_VDSO,		/* [vdso]: the restoring kernel's own */
	CKPT_VMA_VVAR,		/* [vvar]: comes with [vdso] */
	CKPT_VMA_SHMEM,		/* shared anonymous memory or a memfd: an
				 * object of its own, shared by its mappings
				 * (objref); its nonzero pages under this
				 * mapping follow
				 */
};

#define CKPT_VMA_READ		(1U << 0)
#define CKPT_VMA_WRITE		(1U << 1)
#define CKPT_VMA_EXEC		(1U << 2)
#define CKPT_VMA_GROWSDOWN	(1U << 3)
#define CKPT_VMA_NORESERVE	(1U << 4)
#define CKPT_VMA_LOCKED		(1U << 5)	/* mlock() */
#define CKPT_VMA_LOCKONFAULT	(1U << 6)	/* with LOCKED: MLOCK_ONFAULT */
#define CKPT_VMA_HUGEPAGE	(1U << 7)	/* MADV_HUGEPAGE */
#define CKPT_VMA_NOHUGEPAGE	(1U << 8)	/* MADV_NOHUGEPAGE */
#define CKPT_VMA_DONTDUMP	(1U << 9)	/* MADV_DONTDUMP */
#define CKPT_VMA_DONTFORK	(1U << 10)	/* MADV_DONTFORK */
#define CKPT_VMA_WIPEONFORK	(1U << 11)	/* MADV_WIPEONFORK */
#define CKPT_VMA_SHARED		(1U << 12)	/* FILE: MAP_SHARED, the data
						 * is in the file, no pages
						 * follow; always on SHMEM
						 */
#define CKPT_VMA_MAYWRITE	(1U << 13)	/* with SHARED: the file was
						 * open for writing
						 */
#define CKPT_VMA_MERGEABLE	(1U << 14)	/* MADV_MERGEABLE (KSM) */
#define CKPT_VMA_RANDOM		(1U << 15)	/* MADV_RANDOM */
#define CKPT_VMA_SEQUENTIAL	(1U << 16)	/* MADV_SEQUENTIAL */
#define CKPT_VMA_ACCOUNT	(1U << 17)	/* private, its commit charged
						 * (VM_ACCOUNT), also once no
						 * longer writable
						 */
#define CKPT_VMA_COW		(1U << 18)	/* ANON: pages shared with the
						 * same mapping of cow_objref,
						 * as fork() left them
						 */
#define CKPT_VMA_FLAGS_ALL	0x7ffff

/*
 * Pages that a forked process still shares with its parent, copy on
 * write: [addr, addr + nr_pages * page size) of a CKPT_VMA_COW mapping
 * holds the very pages the MM's cow_objref has there.  No data follows:
 * the parent's PAGES carry it, and the restart maps the parent's pages
 * again, shared copy-on-write as fork() had them.  In address order, none
 * overlapping another.
 */
struct ckpt_hdr_cow {
	struct ckpt_hdr h;
	__u64 addr;
	__u32 nr_pages;
	__u32 pad;
};
/* most COW records one MM record holds */
#define CKPT_MM_COW_MAX		(1U << 20)

/*
 * A CKPT_VMA_FILE record is followed by path_len bytes of the file's
 * absolute path (NUL included), padded to 8; a CKPT_VMA_SHMEM record by
 * the object's name ("dev/zero", "memfd:NAME") the same way.
 */
struct ckpt_hdr_vma {
	struct ckpt_hdr h;
	__u32 kind;		/* enum ckpt_vma_kind */
	__u32 flags;		/* CKPT_VMA_* */
	__u64 start, end;
	__u64 pgoff;		/* in pages */
	__u64 file_size;	/* i_size when checkpointed */
	__u32 path_len;		/* 0 unless CKPT_VMA_FILE or _SHMEM */
	__s32 objref;		/* CKPT_VMA_SHMEM: its object; else 0 */
};
#define CKPT_PATH_MAX		4096
/* most mappings one MM record holds (vm.max_map_count is 65530) */
#define CKPT_MM_VMAS_MAX	65536
/* most descriptors one FILES record holds (fs.nr_open's ceiling) */
#define CKPT_FILES_FDS_MAX	(1U << 20)

/* x86-64 CPU state: struct user_regs_struct order, then the xsave area. */
struct ckpt_hdr_cpu {
	struct ckpt_hdr h;
	__u64 r15, r14, r13, r12, rbp, rbx, r11, r10;
	__u64 r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	__u64 rip, cs, eflags, rsp, ss;
	__u64 fs_base, gs_base, ds, es, fs, gs;
	__u32 xstate_size;	/* bytes of standard-format xsave that follow */
	__u32 pad;
};

struct ckpt_hdr_pages {
	struct ckpt_hdr h;
	__u64 addr;		/* first page */
	__u32 nr_pages;		/* consecutive pages whose data follows */
	__u32 pad;
};

/*
 * xxh64 is xxHash's 64-bit hash (as lib/xxhash.c and zstd compute it),
 * seed 0: fast without special instructions, on hardware and emulated.
 */
struct ckpt_hdr_tail {
	struct ckpt_hdr h;
	__u64 xxh64;		/* of every byte before this record */
	__u32 nr_records;	/* records before this one, nested included */
	__u32 pad;		/* 0 */
};

/* ---------------------------------------------------------------------- */
/* Files: the fd table, open files, cwd/root/umask */

/* followed by cwd_len bytes of the cwd path, then root_len of the root,
 * each NUL-terminated and padded to 8
 */
/*
 * A process's cgroup in the default (v2) hierarchy, as /proc/PID/cgroup
 * shows it to the checkpointer: path_len bytes of an absolute path (NUL
 * included, padded to 8) follow.  With the process's first task.
 */
struct ckpt_hdr_cgroup {
	struct ckpt_hdr h;
	__u32 path_len;		/* 2..CKPT_PATH_MAX */
	__u32 pad;
};

struct ckpt_hdr_fs {
	struct ckpt_hdr h;
	__u32 umask;
	__u32 cwd_len;
	__u32 root_len;
	__s32 objref;
};

enum ckpt_file_kind {
	CKPT_FILE_REG = 1,	/* regular file, opened again by path */
	CKPT_FILE_DIR,		/* directory, opened again by path */
	CKPT_FILE_CHR,		/* memory character device (/dev/null...) */
	CKPT_FILE_UNLINKED,	/* regular file with no name left:
				 * obj_objref names its inode, whose first
				 * FILE is followed by its UNLINKED record
				 * and FILE_DATA records
				 */
	CKPT_FILE_INHERIT,	/* not saved: at restart, the file the caller
				 * has open at fd inherit_fd (stdio that is a
				 * terminal, a pipe or a socket)
				 */
	CKPT_FILE_PIPE,		/* one end of an anonymous pipe */
	CKPT_FILE_FIFO,		/* a FIFO, opened again by path */
	CKPT_FILE_EVENTFD,	/* an eventfd: its EVENTFD record follows */
	CKPT_FILE_SIGNALFD,	/* a signalfd: its SIGNALFD record follows */
	CKPT_FILE_TIMERFD,	/* a timerfd: its TIMERFD record follows */
	CKPT_FILE_EPOLL,	/* an epoll: its EPOLL record follows */
	CKPT_FILE_UNIX,		/* a unix socket, obj_objref names it */
	CKPT_FILE_INOTIFY,	/* an inotify: its INOTIFY record follows */
	CKPT_FILE_PTY,		/* a pty master or slave, obj_objref names
				 * the pty
				 */
	CKPT_FILE_MAX_KIND = CKPT_FILE_PTY
};

/*
 * One open file, saved once however many descriptors share it.  Followed
 * by path_len bytes of its path (NUL included), padded to 8; for INHERIT
 * and PIPE files the path only describes it ("pipe:[1234]", "/dev/pts/0").
 *
 * PIPE and FIFO files name their pipe by obj_objref: the first FILE that
 * names a pipe is followed by the pipe's PIPE record (its size and the
 * data it holds); later ends of the same pipe only name it.  UNIX files
 * name their socket the same way: the first FILE naming a socket is
 * followed by its UNIX record (and a connected pair's by both).
 */
/*
 * f_flags a FILE record may hold (x86-64 values): O_ACCMODE, O_APPEND,
 * O_NONBLOCK, O_DSYNC, __O_SYNC, O_DIRECT, O_LARGEFILE, O_NOATIME, O_PATH,
 * O_DIRECTORY, O_NOFOLLOW.
 */
#define CKPT_FILE_FLAGS_ALL	015756003

struct ckpt_hdr_file {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 kind;		/* enum ckpt_file_kind */
	__u32 f_flags;		/* access mode and status flags (O_APPEND...) */
	__u32 mode;		/* inode type and permission bits */
	__u64 pos;		/* file offset */
	__u64 size;		/* i_size when checkpointed */
	__u32 rdev;		/* CHR: device number, new_encode_dev();
				 * PTY: its end's (ckpt_hdr_pty)
				 */
	__s32 inherit_fd;	/* INHERIT: the caller's fd; else -1 */
	__u32 path_len;
	__s32 obj_objref;	/* PIPE, FIFO: the pipe; UNIX: the socket;
				 * PTY: the pty; UNLINKED: the inode; else 0
				 */
};

/*
 * A pipe's buffer, written once, after the first FILE naming the pipe:
 * nr_bufs PIPE_BUF records follow, nested, oldest data first.  size is
 * the capacity (F_GETPIPE_SZ), a power of two number of pages; bytes
 * the sum of the buffers' lengths.
 */
struct ckpt_hdr_pipe {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 nr_bufs;
	__u32 size;
	__u32 pad;
	__u64 bytes;
};

#define CKPT_PIPE_SIZE_MAX	(1U << 30)

/*
 * PACKET: the buffer is one packet of a packetized (O_DIRECT) pipe: a
 * read returns at most this buffer.  Otherwise the data may be read
 * together with its neighbours.  NOMERGE: an ordinary buffer later
 * writes may not add to (a spliced page).
 */
#define CKPT_PIPE_BUF_PACKET	(1U << 0)
#define CKPT_PIPE_BUF_NOMERGE	(1U << 1)
#define CKPT_PIPE_BUF_FLAGS	0x3U

/*
 * One pipe buffer: len bytes of data follow, padded.  They sit at offset
 * in their page (offset + len is at most a page): what is left of the
 * page is what a later write may add to the buffer.
 */
struct ckpt_hdr_pipe_buf {
	struct ckpt_hdr h;
	__u32 len;
	__u32 flags;		/* CKPT_PIPE_BUF_* */
	__u32 offset;
	__u32 pad;
};

/*
 * The records of eventfd, signalfd, timerfd and epoll files come right
 * after their FILE record and carry its objref.
 */
#define CKPT_EVENTFD_SEMAPHORE	(1U << 0)	/* EFD_SEMAPHORE */

struct ckpt_hdr_eventfd {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 flags;		/* CKPT_EVENTFD_* */
	__u64 count;		/* below ULLONG_MAX */
};

struct ckpt_hdr_signalfd {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 pad;
	__u64 sigmask;		/* bit N-1 is signal N; never SIGKILL, SIGSTOP */
};

#define CKPT_TIMERFD_CANCEL_ON_SET	(1U << 0)	/* TFD_TIMER_CANCEL_ON_SET,
							 * CLOCK_REALTIME absolute */

/*
 * A timerfd: the time left until it fires (0: disarmed), its period and
 * the expirations that have happened and were not read yet.
 */
struct ckpt_hdr_timerfd {
	struct ckpt_hdr h;
	__s32 objref;
	__s32 clockid;		/* REALTIME, MONOTONIC, BOOTTIME */
	__u32 flags;		/* CKPT_TIMERFD_* */
	__u32 pad;
	__u64 value_ns;		/* relative, as timerfd_gettime() says it */
	__u64 interval_ns;
	__u64 ticks;
};

/*
 * An epoll: every watched (file, fd) pair with its events and data.  The
 * watched files are FILE records earlier in the image (an epoll comes
 * after everything it watches; an epoll watched by another epoll too);
 * fd is the number the watch was added with, which need not be open in
 * any table any more.
 */
#define CKPT_EPOLL_ITEMS_MAX	(1U << 20)

struct ckpt_hdr_epoll {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 nr_items;
};

struct ckpt_hdr_epoll_item {
	struct ckpt_hdr h;
	__s32 fd;
	__s32 file_objref;	/* a FILE record before this EPOLL */
	__u32 events;		/* EPOLLIN..., EPOLLET, EPOLLONESHOT... */
	__u32 pad;
	__u64 data;
};

/*
 * A unix socket.  A connected pair (socketpair(), or a connection whose
 * two ends are in the tree) is one object: the UNIX record of the end
 * met first is followed right away by its peer's, and both are made
 * together at restart; the peer's own FILE, later, only names it.
 * PEER_CLOSED: the peer end is closed (there is no FILE of it).
 *
 * Followed by addr_len bytes of its address (sun_path, a leading NUL for
 * an abstract name; none if unbound), padded to 8, then nr_skbs UNIX_SKB
 * records: the receive queue, oldest first - for stream sockets only the
 * bytes not read yet, for the others one record per message.  BOUND: the
 * address is the socket's own, bound to it; a connected socket's address
 * without BOUND is the one of the listener it was accepted from.
 *
 * A LISTEN record is followed by nr_pending connections not accepted
 * yet, oldest first, each as two records: the connecting socket's
 * (CONNECTED, its peer the second; nothing queued), then the EMBRYO's
 * (the listener's end, its peer the first; no address, no options) with
 * what the connecting socket sent to it.
 */
enum ckpt_unix_state {
	CKPT_UNIX_UNCONNECTED = 1,
	CKPT_UNIX_CONNECTED,
	CKPT_UNIX_LISTEN,
};

#define CKPT_UNIX_PASSCRED	(1U << 0)	/* SO_PASSCRED */
#define CKPT_UNIX_SNDBUF	(1U << 1)	/* SO_SNDBUF was set: sndbuf */
#define CKPT_UNIX_RCVBUF	(1U << 2)	/* SO_RCVBUF was set: rcvbuf */
#define CKPT_UNIX_PEER_CLOSED	(1U << 3)	/* no FILE of it is in the image */
#define CKPT_UNIX_BOUND		(1U << 4)	/* the address is bound to it */
#define CKPT_UNIX_EMBRYO	(1U << 5)	/* a connection not accepted yet */
#define CKPT_UNIX_UNLINKED	(1U << 6)	/* BOUND to a path since unlinked */
#define CKPT_UNIX_FLAGS_ALL	0x7fU

#define CKPT_UNIX_SHUT_RD	(1U << 0)	/* RCV_SHUTDOWN */
#define CKPT_UNIX_SHUT_WR	(1U << 1)	/* SEND_SHUTDOWN */

#define CKPT_UNIX_SKB_MAX	(1U << 20)	/* bytes in one UNIX_SKB */
#define CKPT_UNIX_SKBS_MAX	(1U << 16)	/* UNIX_SKBs in one UNIX */
#define CKPT_UNIX_BYTES_MAX	(64U << 20)	/* their bytes in all */

/*
 * Right after the address of a socket BOUND to a path (not an abstract
 * name): its file's owner and mode, which bind() made from the binder's
 * fsuid and umask and which chown() and chmod() may have changed since.
 */
struct ckpt_unix_attrs {
	__u32 mode;		/* S_IFSOCK and the permission bits */
	__u32 uid;		/* in the checkpointer's user namespace */
	__u32 gid;
	__u32 pad;
};

struct ckpt_hdr_unix {
	struct ckpt_hdr h;
	__s32 objref;		/* the socket */
	__s32 peer_objref;	/* CONNECTED: the peer; else 0 */
	__u32 type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	__u32 state;		/* enum ckpt_unix_state */
	__u32 shutdown;		/* CKPT_UNIX_SHUT_* */
	__u32 flags;		/* CKPT_UNIX_* */
	__u32 sndbuf;		/* as SO_SNDBUF reads it */
	__u32 rcvbuf;
	__u32 backlog;		/* LISTEN: listen()'s backlog */
	__u32 addr_len;		/* at most sizeof(sun_path) */
	__u32 nr_skbs;
	__u32 nr_pending;	/* LISTEN: connections not accepted yet */
	__u64 bytes;		/* in all the UNIX_SKBs */
};

/*
 * One queued skb: len bytes of data, padded to 8, then nr_fds FILE
 * objrefs (__s32, padded to 8): the files in flight with it (SCM_RIGHTS),
 * in the order they were sent; their FILE records come before the FILE
 * of the socket whose queue holds them.
 */
#define CKPT_UNIX_SKB_FDS_MAX	253		/* SCM_MAX_FD */
#define CKPT_UNIX_FDS_MAX	(1U << 16)	/* in flight in one UNIX */

struct ckpt_hdr_unix_skb {
	struct ckpt_hdr h;
	__u32 len;		/* bytes of data that follow, padded to 8 */
	__u32 nr_fds;		/* FILE objrefs after the data */
};

/*
 * A pseudo-terminal (Unix98 pty: its master opened from /dev/ptmx, its
 * slave /dev/pts/<index>), one object named by the FILE records of both
 * ends (obj_objref); the first FILE naming it is followed by this
 * record.  A FILE of a pty tells its end by rdev: /dev/ptmx's (5:2) for
 * the master - there is one master file, of f_flags master_flags -, the
 * slave's own (136:index) for each open file of the slave.
 *
 * What is queued both ways follows the fixed part, each piece padded to
 * 8 bytes: in_bytes bytes held by the slave's line discipline (written
 * on the master, not read from the slave yet; after the slave's input
 * processing); DIV_ROUND_UP(in_canon, 8) bytes of bitmap telling which
 * of the first in_canon bytes end a line (bit i % 8 of byte i / 8: a
 * '\n', VEOL or VEOL2 character, or a NUL for an end of file, VEOF);
 * in_pending bytes written on the master the line discipline did not
 * take yet (its buffer is full); out_bytes bytes held by the master's
 * line discipline (written on the slave, after its output processing,
 * not read from the master yet); out_pending bytes not taken by it yet.
 */
#define CKPT_PTY_INDEX_MAX	(1U << 20)	/* NR_UNIX98_PTY_MAX */
#define CKPT_PTY_NCCS		19		/* c_cc entries (NCCS) */
#define CKPT_PTY_BUF_SIZE	4096		/* a line discipline's buffer */
#define CKPT_PTY_PENDING_MAX	(16U << 10)	/* in a flip buffer */

/* f_flags a pty file may have: O_ACCMODE, O_APPEND, O_NONBLOCK, O_LARGEFILE */
#define CKPT_PTY_FILE_FLAGS_ALL	0106003

/* termios flag bits a pty may have (x86-64 values) */
#define CKPT_PTY_IFLAGS		0x7fffU		/* IGNBRK .. IUTF8 */
#define CKPT_PTY_OFLAGS		0xffffU		/* OPOST .. FFDLY */
#define CKPT_PTY_LFLAGS		0xdfffU		/* ISIG .. IEXTEN; not EXTPROC */
#define CKPT_PTY_CFLAGS		0xd00f1fffU	/* CBAUD .. CLOCAL, CIBAUD,
						 * CMSPAR, CRTSCTS; not ADDRB
						 */

/* The slave's termios, as the kernel keeps them (struct ktermios). */
struct ckpt_termios {
	__u32 iflag;		/* c_iflag, within CKPT_PTY_IFLAGS */
	__u32 oflag;		/* c_oflag, within CKPT_PTY_OFLAGS */
	__u32 cflag;		/* c_cflag, within CKPT_PTY_CFLAGS; the pty
				 * driver keeps CS8 and CREAD, never PARENB
				 */
	__u32 lflag;		/* c_lflag, within CKPT_PTY_LFLAGS */
	__u32 ispeed;		/* c_ispeed: input baud rate */
	__u32 ospeed;		/* c_ospeed: output baud rate */
	__u8 line;		/* c_line: line discipline, N_TTY (0) only */
	__u8 cc[CKPT_PTY_NCCS];	/* c_cc: control characters, 0 disables */
	__u32 pad;		/* zero */
};

#define CKPT_PTY_LOCKED		(1U << 0)	/* TIOCSPTLCK: the slave
						 * cannot be opened
						 */
#define CKPT_PTY_PACKET		(1U << 1)	/* TIOCPKT: packet mode */
#define CKPT_PTY_MASTER_EXCL	(1U << 2)	/* TIOCEXCL on the master */
#define CKPT_PTY_SLAVE_EXCL	(1U << 3)	/* TIOCEXCL on the slave */
#define CKPT_PTY_SLAVE_CLOSED	(1U << 4)	/* the slave was open, is
						 * closed (the master reads
						 * EIO); no FILE of it
						 */
#define CKPT_PTY_MASTER_STOPPED	(1U << 5)	/* the master's output is
						 * stopped
						 */
#define CKPT_PTY_MASTER_TCOOFF	(1U << 6)	/* with MASTER_STOPPED: by
						 * tcflow(TCOOFF)
						 */
#define CKPT_PTY_SLAVE_STOPPED	(1U << 7)	/* the slave's output is
						 * stopped (VSTOP, TCOOFF)
						 */
#define CKPT_PTY_SLAVE_TCOOFF	(1U << 8)	/* with SLAVE_STOPPED: by
						 * tcflow(TCOOFF)
						 */
#define CKPT_PTY_LNEXT		(1U << 9)	/* ICANON: the next input
						 * byte is literal (VLNEXT)
						 */
#define CKPT_PTY_FLAGS_ALL	0x3ffU

#define CKPT_PTY_PKTSTATUS_ALL	0x7fU		/* TIOCPKT_FLUSHREAD ..
						 * TIOCPKT_IOCTL
						 */

struct ckpt_hdr_pty {
	struct ckpt_hdr h;
	__s32 objref;		/* the pty: its FILEs' obj_objref */
	__u32 index;		/* N of /dev/pts/N, below CKPT_PTY_INDEX_MAX */
	__u32 flags;		/* CKPT_PTY_* */
	__u32 master_flags;	/* f_flags of the master's file: O_RDWR and
				 * some of O_APPEND, O_NONBLOCK, O_LARGEFILE
				 */
	__u32 pktstatus;	/* packet events the master has not read
				 * (TIOCPKT_FLUSHREAD...), within
				 * CKPT_PTY_PKTSTATUS_ALL
				 */
	__u32 column;		/* the slave's output column, as its output
				 * processing counts it (tabs, erases)
				 */
	__u32 canon_column;	/* the column its input line began at */
	__s32 sid;		/* the session it is the controlling terminal
				 * of (its leader's TREE pid); 0: none
				 */
	__s32 pgrp;		/* with sid: its foreground process group
				 * (TREE pid); else 0
				 */
	__u16 ws_row;		/* window size (TIOCGWINSZ): rows */
	__u16 ws_col;		/* columns */
	__u16 ws_xpixel;	/* width in pixels */
	__u16 ws_ypixel;	/* height in pixels */
	struct ckpt_termios termios;	/* the slave's; the master's are
					 * the driver's, raw
					 */
	__u32 in_bytes;		/* at most CKPT_PTY_BUF_SIZE, one less
				 * without ICANON
				 */
	__u32 in_canon;		/* of them, in complete lines: 0 or the
				 * offset after a line end; 0 without ICANON
				 */
	__u32 in_pending;	/* at most CKPT_PTY_PENDING_MAX */
	__u32 out_bytes;	/* below CKPT_PTY_BUF_SIZE */
	__u32 out_pending;	/* at most CKPT_PTY_PENDING_MAX */
	/* /dev/pts/N as ls -l shows it (grantpt(), chmod, mesg) */
	__u32 slave_uid;
	__u32 slave_gid;
	__u32 slave_mode;	/* permission bits: within 07777 */
	__u32 pad;
	/* and its times, which a terminal's I/O updates (ls -lu, who -T) */
	__s64 slave_atime_sec;
	__s64 slave_mtime_sec;
	__u32 slave_atime_nsec;	/* below 1000000000 */
	__u32 slave_mtime_nsec;
};

/*
 * An inotify, right after its FILE record: nr_events INOTIFY_EVENT
 * records, the events queued and not read yet, oldest first; then
 * nr_watches INOTIFY_WATCH records, in increasing wd order; all nested.
 * Restart queues the events before it adds a watch, so that nothing can
 * come before them, and drops what the restart itself made the watches
 * report (its own opens and closes of the files it restores).
 */
#define CKPT_INOTIFY_WATCHES_MAX	(1U << 20)	/* max_user_watches' top */
#define CKPT_INOTIFY_EVENTS_MAX		(1U << 20)

struct ckpt_hdr_inotify {
	struct ckpt_hdr h;
	__s32 objref;		/* the FILE */
	__s32 next_wd;		/* 1..INT_MAX: where the search for the wd
				 * of the next new watch starts (the first
				 * wd from it on that is free)
				 */
	__u32 nr_events;	/* INOTIFY_EVENT records that follow */
	__u32 nr_watches;	/* then INOTIFY_WATCH records */
};

/*
 * What inotify_add_watch() keeps of a mask: IN_ALL_EVENTS (0xfff),
 * IN_EXCL_UNLINK (0x04000000), IN_ONESHOT (0x80000000).  IN_ONLYDIR and
 * IN_DONT_FOLLOW only steer the lookup of the path; IN_MASK_ADD and
 * IN_MASK_CREATE only how the call treats an existing watch.
 */
#define CKPT_INOTIFY_WATCH_MASK		0x84000fffU

/*
 * One watch: wd and mask as inotify_add_watch() returned and took them;
 * followed by path_len bytes of the watched inode's absolute path (NUL
 * included), padded to 8, at which restart watches it again (never
 * following a symbolic link there: the path is the inode's own).
 */
struct ckpt_hdr_inotify_watch {
	struct ckpt_hdr h;
	__s32 wd;		/* > 0, above the previous WATCH's */
	__u32 mask;		/* CKPT_INOTIFY_WATCH_MASK bits */
	__u32 mode;		/* the inode's type, S_IFMT bits of i_mode */
	__u32 path_len;		/* 2..CKPT_PATH_MAX */
};

/*
 * An event's mask as the kernel keeps it: what read() reports (the
 * IN_ALL_EVENTS bits, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR)
 * and two bits read() hides - 0x1000, an open for exec (with IN_OPEN),
 * and 0x08000000, reported through the watch of the file's directory -
 * which decide whether a later identical event is merged into it.
 */
#define CKPT_INOTIFY_EVENT_MASK		0x4800ffffU
#define CKPT_INOTIFY_Q_OVERFLOW		0x00004000U	/* IN_Q_OVERFLOW */
#define CKPT_INOTIFY_NAME_MAX		256	/* NAME_MAX and its NUL */

/*
 * One queued event, followed by name_len bytes of the name (NUL
 * included; a name holds no '/'), padded to 8.  The queue's overflow
 * event, IN_Q_OVERFLOW, is at most one, with wd -1 and nothing else.
 */
struct ckpt_hdr_inotify_event {
	struct ckpt_hdr h;
	__s32 wd;		/* the watch it came from (which may be
				 * gone since), or -1 for the overflow
				 */
	__u32 mask;		/* CKPT_INOTIFY_EVENT_MASK bits, not 0 */
	__u32 cookie;		/* ties IN_MOVED_FROM to IN_MOVED_TO */
	__u32 name_len;		/* 0, or 2..CKPT_INOTIFY_NAME_MAX */
};

#define CKPT_FILE_DATA_MAX	(1U << 20)

/*
 * Data of an UNLINKED file, after its UNLINKED record: in increasing
 * offset order, none overlapping another or running past the size.
 * What no FILE_DATA covers is a hole.
 */
struct ckpt_hdr_file_data {
	struct ckpt_hdr h;
	__s32 objref;		/* the FILE (the inode's first) */
	__u32 len;		/* bytes of data that follow, padded to 8 */
	__u64 offset;
};

/*
 * The inode of an UNLINKED file, right after the first FILE naming it
 * (obj_objref); later FILEs of the inode only name it.  Its data follows
 * in FILE_DATA records, data bytes in all, only the extents that hold
 * data (SEEK_DATA): holes stay holes.  Restart makes the file, sets its
 * size, writes the extents, then gives it this owner, mode and times
 * (ctime is the restart's), with the restarting caller's rights: an
 * owner it could not give is EPERM.
 */
struct ckpt_hdr_unlinked {
	struct ckpt_hdr h;
	__s32 objref;		/* the inode */
	__u32 mode;		/* S_IFREG and permission bits (07777) */
	__u32 uid;		/* owner, in the checkpointer's user ns */
	__u32 gid;
	__u64 size;		/* i_size */
	__u64 data;		/* bytes in its FILE_DATA records, <= size */
	__s64 atime_sec;
	__s64 mtime_sec;
	__u32 atime_nsec;	/* < 1000000000 */
	__u32 mtime_nsec;
};

/* The fd table: nr_fds FD records, in increasing fd order, nested. */
struct ckpt_hdr_files {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 nr_fds;
};

#define CKPT_FD_CLOEXEC		(1U << 0)

struct ckpt_hdr_fd {
	struct ckpt_hdr h;
	__s32 fd;
	__s32 file_objref;	/* a FILE record before this FILES */
	__u32 flags;		/* CKPT_FD_* */
	__u32 pad;
};

/*
 * A file lock a task of the tree holds.  A POSIX lock (fcntl F_SETLK,
 * lockf) is owned by an fd table: its LOCK records follow the FILES
 * record of the table, in the section that carries it.  An OFD lock
 * (F_OFD_SETLK) and a flock() lock are owned by an open file: their LOCK
 * records follow the file's FILE record (and the records of its state),
 * once however many descriptors share it.  Restart takes each lock again
 * as F_SETLK and flock(LOCK_NB) would: a lock someone else holds by then
 * fails the restart.  A task that was waiting for a lock (F_SETLKW)
 * waits again: its call is restarted.
 */
enum ckpt_lock_kind {
	CKPT_LOCK_POSIX = 1,	/* fcntl(F_SETLK), lockf() */
	CKPT_LOCK_OFD,		/* fcntl(F_OFD_SETLK) */
	CKPT_LOCK_FLOCK,	/* flock() */
};

#define CKPT_LOCK_EOF		0x7fffffffffffffffULL	/* OFFSET_MAX */

struct ckpt_hdr_lock {
	struct ckpt_hdr h;
	__u32 kind;		/* enum ckpt_lock_kind */
	__u32 type;		/* F_RDLCK (0) or F_WRLCK (1); a flock()
				 * LOCK_SH is F_RDLCK, LOCK_EX F_WRLCK
				 */
	__s32 owner_objref;	/* POSIX: its FILES; else its FILE */
	__s32 file_objref;	/* the FILE it was taken through: for
				 * POSIX one at a fd of the table, else
				 * owner_objref
				 */
	__s32 pid;		/* POSIX: the process that took it (a TREE
				 * pid sharing the table), as F_GETLK
				 * reports it; else 0
				 */
	__u32 pad;		/* zero */
	__u64 start;		/* first byte locked */
	__u64 end;		/* last byte, at least start; CKPT_LOCK_EOF:
				 * to the end of the file, however long;
				 * FLOCK: 0 and CKPT_LOCK_EOF
				 */
};

/* ---------------------------------------------------------------------- */
/* Identity: credentials and resource limits */

/*
 * Credentials: ids as the checkpointer's user namespace sees them,
 * capability sets as masks (bit N is capability N).  Followed by ngroups
 * __u32 supplementary group ids, padded to 8.  A restart grants only
 * what the restarting process could grant itself with setresuid(),
 * setgroups(), capset() and prctl(); anything more is EPERM.
 */
struct ckpt_hdr_cred {
	struct ckpt_hdr h;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;		/* bounding set */
	__u64 cap_ambient;
	__u32 securebits;
	__u32 ngroups;
};
/* what fits in one record of CKPT_HDR_MAX bytes */
#define CKPT_NGROUPS_MAX	16000

#define CKPT_RLIM_NLIMITS	16		/* RLIMIT_CPU..RLIMIT_RTTIME */
#define CKPT_RLIM_INFINITY	(~0ULL)

struct ckpt_rlimit {
	__u64 cur;
	__u64 max;
};

/*
 * Every resource limit, indexed by RLIMIT_*; cur <= max.  With them the
 * process's standing with the OOM killer (/proc/PID/oom_score_adj, and
 * the floor below which it may not go unprivileged), -1000..1000.
 */
struct ckpt_hdr_rlimits {
	struct ckpt_hdr h;
	struct ckpt_rlimit rlim[CKPT_RLIM_NLIMITS];
	__s16 oom_score_adj;
	__s16 oom_score_adj_min;
	__u32 pad;
	/*
	 * The checkpointing boot's defaults of the two limits the kernel
	 * derives from the machine's memory (RLIMIT_NPROC, RLIMIT_SIGPENDING):
	 * a limit that was its boot's default is this boot's at restart.
	 */
	__u64 boot_nproc;
	__u64 boot_sigpending;
};

/* ---------------------------------------------------------------------- */
/* Signals, timers and interrupted system calls */

#define CKPT_NSIG		64	/* signals 1..64 */

/* One signal's disposition, as rt_sigaction() takes it. */
struct ckpt_sigaction {
	__u64 handler;		/* SIG_DFL (0), SIG_IGN (1) or a user address */
	__u64 flags;		/* SA_* */
	__u64 restorer;		/* user address, with SA_RESTORER */
	__u64 mask;		/* blocked while the handler runs */
};

/* The sigaction table: action[N - 1] is signal N's. */
struct ckpt_hdr_sighand {
	struct ckpt_hdr h;
	__s32 objref;
	__u32 pad;
	struct ckpt_sigaction action[CKPT_NSIG];
};

/* A timer's time left (0: disarmed) and period (0: one-shot), in ns. */
struct ckpt_itimer {
	__u64 value;
	__u64 interval;
};

/* the task sleeps in sigsuspend(), ppoll() or pselect(): saved_sigmask */
#define CKPT_SIGNAL_RESTORE_SIGMASK	(1U << 0)
#define CKPT_SIGNAL_FLAGS_ALL		0x1

/*
 * Signal state, in every task's section.  Per thread: its alternate
 * signal stack and, while it sleeps in a call that set a temporary mask,
 * the mask to go back to (TASK holds the temporary one).  Process-wide,
 * restored from the first section naming its signal_objref: the three
 * itimers (ITIMER_REAL is alarm()'s; ITIMER_VIRTUAL's and ITIMER_PROF's
 * time left is process CPU time) and the id the next timer_create()
 * tries first.
 */
struct ckpt_hdr_signal {
	struct ckpt_hdr h;
	struct ckpt_itimer real;
	__u64 saved_sigmask;	/* with CKPT_SIGNAL_RESTORE_SIGMASK */
	__u64 altstack_sp;	/* sigaltstack(); 0 and 0: none */
	__u64 altstack_size;
	__u32 altstack_flags;	/* SS_AUTODISARM or 0 */
	__u32 flags;		/* CKPT_SIGNAL_* */
	struct ckpt_itimer virt;	/* microseconds are what counts */
	struct ckpt_itimer prof;
	__u32 next_timer_id;	/* 0..INT_MAX */
	__u32 pad;
};

enum ckpt_sigqueue {
	CKPT_SIGQ_THREAD = 1,	/* the thread's own queue (tgkill) */
	CKPT_SIGQ_PROCESS,	/* the process's shared queue (kill) */
};

/*
 * One pending signal, in queue order: a real-time signal may be queued
 * many times, each with its own value.  The siginfo is the user's
 * siginfo_t layout: the three ints, then the 32-byte union at offset 16.
 */
struct ckpt_hdr_siginfo {
	struct ckpt_hdr h;
	__u32 queue;		/* enum ckpt_sigqueue */
	__s32 signo;		/* 1..64, never SIGKILL or SIGSTOP */
	__s32 si_errno;
	__s32 si_code;
	__u8 fields[32];	/* the siginfo's union, as delivered */
};

/*
 * One POSIX timer (timer_create()), on an hrtimer clock.  Its overrun
 * count is not kept: it starts at 0 again.  An absolute timer comes back
 * relative to the restart, with the time it had left.
 */
struct ckpt_hdr_posix_timer {
	struct ckpt_hdr h;
	__s32 id;		/* timer_t: 0..INT_MAX, unique */
	__s32 clockid;		/* CLOCK_REALTIME, _MONOTONIC or _BOOTTIME */
	__s32 notify;		/* SIGEV_SIGNAL, _NONE, _THREAD or _THREAD_ID */
	__s32 signo;		/* 1..64; 0 with SIGEV_NONE */
	__u64 value;		/* sigev_value, delivered as si_value */
	struct ckpt_itimer it;	/* time left (0: disarmed) and period */
	__s32 tid;		/* SIGEV_THREAD_ID: the thread (of the
				 * process) it signals; else 0
				 */
	__u32 pad;
};

enum ckpt_restart_kind {
	CKPT_RESTART_NANOSLEEP = 1,	/* nanosleep(), clock_nanosleep() */
	CKPT_RESTART_POLL,		/* poll() */
	CKPT_RESTART_FUTEX,		/* futex(FUTEX_WAIT...) with a timeout */
};

#define CKPT_FUTEX_SHARED	(1U << 0)	/* not FUTEX_PRIVATE_FLAG */
#define CKPT_FUTEX_FLAGS_ALL	0x1

/*
 * An interrupted system call that resumes through restart_syscall(): the
 * CPU record's rax is -ERESTART_RESTARTBLOCK (516).  Times are what was
 * left when checkpointed: a sleep goes on for that long after restart.
 */
struct ckpt_hdr_restart_block {
	struct ckpt_hdr h;
	__u32 kind;		/* enum ckpt_restart_kind */
	__s32 clockid;		/* NANOSLEEP: CLOCK_REALTIME, _MONOTONIC,
				 * _BOOTTIME or _TAI; FUTEX: _REALTIME or
				 * _MONOTONIC
				 */
	__u64 remaining;	/* ns; POLL: only with has_timeout */
	__u64 uaddr;		/* NANOSLEEP: rmtp (0: none); POLL: ufds;
				 * FUTEX: the futex word (4-byte aligned)
				 */
	__u32 nfds;		/* POLL */
	__u32 has_timeout;	/* POLL: 0 or 1 */
	__u32 val;		/* FUTEX: the value waited on */
	__u32 bitset;		/* FUTEX: nonzero */
	__u32 futex_flags;	/* FUTEX: CKPT_FUTEX_* */
	__u32 pad;
};

#endif /* _UAPI_LINUX_CHECKPOINT_H */
