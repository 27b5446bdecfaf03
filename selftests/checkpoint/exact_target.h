/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What exact_target and exact_test agree on: the tree's shape, its
 * files and the signals left pending in its root.
 */
#ifndef CKPT_SELFTEST_EXACT_TARGET_H
#define CKPT_SELFTEST_EXACT_TARGET_H

/* Files of the tree, in its cwd EXACT_DIR; the test removes them. */
#define EXACT_DIR		"/tmp"
#define EXACT_LOCK_FILE		"/tmp/exact-lock"
#define EXACT_FLOCK_FILE	"/tmp/exact-flock"
#define EXACT_SPARSE_FILE	"/tmp/exact-sparse"

/*
 * The processes, in the order of their pids (tree_pids() order): the
 * root, then its children as forked.
 */
enum {
	EXACT_ROOT,
	EXACT_WRITER,		/* "a" of a | b: its stdout the pipe */
	EXACT_READER,		/* "b": its stdin the pipe, a socket */
	EXACT_ZOMBIE,		/* exits EXACT_ZOMBIE_EXIT, not reaped */
	EXACT_STOPPED,		/* stopped by SIGSTOP, not waited for */
	EXACT_NR_PROCS
};

#define EXACT_ZOMBIE_EXIT	7
#define EXACT_ZOMBIE_UID	1000	/* and gid: the zombie's ids */
#define EXACT_ZOMBIE_GID	1000
#define EXACT_TIMER_THREADS	16	/* of the "timers" mode */
#define EXACT_UMASK		027
#define EXACT_NICE		5
#define EXACT_OOM_ADJ		"321"
#define EXACT_LOGINUID		"4321"

/* Pending in the root: one for the process, one for its main thread. */
#define EXACT_SIG_PROC		SIGUSR1
#define EXACT_SIG_PROC_VALUE	42
#define EXACT_SIG_THREAD	(SIGRTMIN + 2)
#define EXACT_SIG_THREAD_VALUE	43

/* Queued in the pipe of a | b and each way in the socket pair. */
#define EXACT_PIPE_DATA		"from a to b\n"
#define EXACT_SOCK_TO_B		"root to b"
#define EXACT_SOCK_TO_ROOT	"b to root"

#endif
