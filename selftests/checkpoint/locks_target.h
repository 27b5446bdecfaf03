/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What locks_target sets up, for locks_test to look at from outside (see
 * locks_target.c for the modes and what each prints).
 */
#ifndef _CKPT_LOCKS_TARGET_H
#define _CKPT_LOCKS_TARGET_H

#define LOCKS_FILE	"/tmp/ckpt_locks_a"	/* POSIX and OFD locks */
#define LOCKS_FILE2	"/tmp/ckpt_locks_b"	/* flock() locks */
#define LOCKS_SIZE	4096

/* "posix": fcntl() and lockf() locks of one process on LOCKS_FILE */
#define POSIX_W_START	0	/* F_WRLCK, 10 bytes */
#define POSIX_R_START	20	/* F_RDLCK, 10 bytes */
#define LOCKF_START	200	/* lockf(F_LOCK, 50): a write lock */
#define LOCKF_LEN	50
#define POSIX_EOF_START	1000	/* F_RDLCK to the end of the file */

/* "ofd": OFD locks of two open files of LOCKS_FILE */
#define OFD_W_START	0	/* F_WRLCK, 10 bytes, first file */
#define OFD_R_START	100	/* F_RDLCK, 10 bytes, second file */

/*
 * "fork": the parent and its child share one open file of LOCKS_FILE
 * and each holds a POSIX write lock through it (parent FORK_P_START,
 * child FORK_C_START, 10 bytes each); through a second shared file, an
 * OFD write lock on OFD_SHARED_START, 100 bytes, both processes' own.
 */
#define FORK_P_START	0
#define FORK_C_START	10
#define OFD_SHARED_START 500

/*
 * "wait": the parent holds a POSIX write lock on WAIT_START and an OFD
 * write lock on WAIT_OFD_START (10 bytes each); one child waits for the
 * first in F_SETLKW, another for the second in F_OFD_SETLKW.  Released,
 * the parent unlocks and each child says it got its lock.
 */
#define WAIT_START	0
#define WAIT_OFD_START	50

/*
 * "image": one process, one lock of each kind, for the broken images:
 * a POSIX write lock on IMAGE_POSIX_START through fd 3, an OFD read lock
 * on IMAGE_OFD_START through fd 4 (10 bytes each), a flock(LOCK_EX) on
 * LOCKS_FILE2 through fd 5.
 */
#define IMAGE_POSIX_START	0
#define IMAGE_OFD_START		100

/*
 * "lease": a read lease on LOCKS_FILE2; "stdio": a flock() on its stdout,
 * a pipe the restart would take from its caller.  Both are refused.
 */

/* What the test itself holds on LOCKS_FILE: not the tree's, not saved. */
#define OUTSIDER_START		700	/* POSIX, 10 bytes */
#define OUTSIDER_OFD_START	720	/* OFD, 10 bytes */

#endif /* _CKPT_LOCKS_TARGET_H */
