/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What thread_target does and reports, for thread_test and
 * tree_input_test to check against (see thread_target.c).
 */
#ifndef _CKPT_THREAD_TARGET_H
#define _CKPT_THREAD_TARGET_H

/*
 * "compute": NR_THREADS threads in all, main included.  Workers 1..
 * NR_ADDERS each add NR_ITERS values to their own slot of a shared array,
 * under one mutex, sleeping between steps, then wait for the release (a
 * byte on stdin); the others wait for it from the start: in a condition
 * variable, in sleeps, in a join of a thread that exits at the release,
 * and in read(0); then each adds one value.  No thread exits before the
 * release.  Once main joined them all it prints, one a
 * line: the sum, the sum expected, how many adders ran both before and
 * after a restart (their parent changed halfway), and how many threads
 * found gettid() changed.
 */
#define NR_THREADS	50
#define NR_ADDERS	30
#define NR_ITERS	600
#define ADD_SLEEP_US	5000

static inline long compute_value(int worker, int iter)
{
	return (worker * 1000003L + iter * 7919L) % 65521 + 1;
}

static inline long compute_expected(void)
{
	long sum = 0;
	int w, i;

	for (w = 1; w < NR_THREADS; w++) {
		if (w > NR_ADDERS) {
			sum += compute_value(w, 0);
			continue;
		}
		for (i = 0; i < NR_ITERS; i++)
			sum += compute_value(w, i);
	}
	return sum;
}

/*
 * "state": STATE_THREADS threads, main included, each with its own
 * blocked mask, __thread values, alternate signal stack and a signal of
 * its own pending (tgkill, blocked): thread i's is SIGRTMIN + i.  After
 * the release each checks its state, then unblocks its signal, whose
 * handler must run in it, on its stack.  Thread ROBUST_OWNER holds a
 * robust mutex when it exits: main must then get EOWNERDEAD from it (the
 * robust futex list).  Each thread has a POSIX timer of its own, on
 * CLOCK_MONOTONIC, notifying it (SIGEV_THREAD_ID) with SIGRTMAX - i in
 * STATE_TIMER_S seconds: a process with threads and timers comes back
 * whole.  Main prints each thread's failed checks (STATE_* bits), one a
 * line in thread order.
 */
#define STATE_THREADS	5
#define ROBUST_OWNER	1
#define STATE_TIMER_S	1000
enum {
	STATE_MASK = 1 << 0,		/* blocked mask changed */
	STATE_TLS = 1 << 1,		/* __thread value set at start */
	STATE_TLS_INIT = 1 << 2,	/* __thread value initialised */
	STATE_ALTSTACK = 1 << 3,	/* sigaltstack() */
	STATE_PENDING = 1 << 4,		/* its own signal not pending */
	STATE_FOREIGN = 1 << 5,		/* another thread's signal pending */
	STATE_HANDLER = 1 << 6,		/* handler not run in it */
	STATE_ONSTACK = 1 << 7,		/* handler not on its stack */
	STATE_TID = 1 << 8,		/* gettid() changed */
	STATE_ROBUST = 1 << 9,		/* main: no EOWNERDEAD */
	STATE_ERROR = 1 << 10,		/* a call failed */
	STATE_TIMER = 1 << 11,		/* its timer gone or not armed */
};

/*
 * "share": in its cwd, main opens "pre" at SHARE_PRE_FD; after the
 * release thread A maps and writes memory, opens "new", closes
 * SHARE_PRE_FD, moves to "sub" with umask 027 and installs a SIGUSR2
 * handler; then thread B checks that it sees all that and that SIGUSR2
 * raised in it runs A's handler in B.  Main prints B's failed checks.
 */
#define SHARE_PRE_FD	20
enum {
	SHARE_MEMORY = 1 << 0,	/* A's new mapping or its data unseen */
	SHARE_FD = 1 << 1,	/* A's new fd unusable */
	SHARE_CLOSE = 1 << 2,	/* A's close unseen */
	SHARE_CWD = 1 << 3,	/* A's chdir unseen */
	SHARE_UMASK = 1 << 4,	/* A's umask unseen */
	SHARE_HANDLER = 1 << 5,	/* A's handler did not run in B */
	SHARE_ERROR = 1 << 6,	/* a call failed */
};

/*
 * "clone": in its cwd, the root opens "pre" at CLONE_PRE_FD, then makes
 * three children: F with CLONE_FILES, S with CLONE_FS, P with neither.
 * After the release (a byte each) F opens "files" at CLONE_FILES_FD and
 * closes CLONE_PRE_FD; S moves to "sub" with umask 077; P opens "plain"
 * at CLONE_PLAIN_FD and moves to "/" with umask 0.  The root reaps all
 * three and prints its failed checks: it must see F's and S's changes,
 * not P's.
 */
#define CLONE_PRE_FD	20
#define CLONE_FILES_FD	21
#define CLONE_PLAIN_FD	22
enum {
	CLONE_FILES_OPEN = 1 << 0,	/* F's new fd missing */
	CLONE_FILES_CLOSE = 1 << 1,	/* F's close unseen */
	CLONE_FS_CWD = 1 << 2,		/* S's chdir unseen */
	CLONE_FS_UMASK = 1 << 3,	/* S's umask unseen */
	CLONE_PLAIN_FD_SEEN = 1 << 4,	/* P's fd leaked into the root */
	CLONE_CHILD_STATUS = 1 << 5,	/* a child did not exit 0 */
	CLONE_ERROR = 1 << 6,		/* a call failed */
};

/*
 * "family": a small tree.  The root R leads its own session and has a
 * second thread; its children are C1, whose child is G, and C2, which
 * leads its own process group.  All block in read(0); at a byte or end
 * of file each reaps its children and exits 0 (3 if a child did not).
 * TREE order: R, R's thread, C1, G, C2.
 */
enum { FAM_ROOT, FAM_THREAD, FAM_C1, FAM_G, FAM_C2, FAM_NR };

#endif /* _CKPT_THREAD_TARGET_H */
