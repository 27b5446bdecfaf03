/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tree_target builds and reports, for tree_test to check against.
 *
 * Every process of a tree is a node with an index; node i writes its
 * reports to $TREE_DIR/rI (written whole, then renamed into place), one
 * line in TREE_REPORT_FMT order:
 *
 *	idx pid ppid pgid sid token count nreports subreaper state opid
 *	xa xb xc
 *
 * token is random, drawn once when the process starts; count is what its
 * loop has counted; nreports counts reports after the first (one per
 * SIGUSR1); state is 0 while it runs, 1 once it has reaped its children
 * and is about to exit; opid is its pid in the pid namespace of /proc
 * (differs from pid inside a new pid namespace).  xa, xb, xc depend on
 * the mode and the moment (see tree_target.c).
 */
#ifndef _CKPT_TREE_TARGET_H
#define _CKPT_TREE_TARGET_H

#define TREE_DIR_ENV	"TREE_DIR"
#define TREE_MAX	128	/* nodes in one tree */

#define TREE_REPORT_FMT	"%d %d %d %d %d %llx %llu %d %d %d %d %ld %ld %ld\n"

/* What a node that reaped all its children as expected exits with. */
static inline int tree_exit_code(int idx)
{
	return idx ? idx % 250 + 1 : 0;
}
#define TREE_EXIT_BAD	255	/* a child's wait status was wrong */

/* "tree:N:F:NAP_MS": node i > 0 is a child of node (i - 1) / F. */
static inline int tree_parent(int idx, int fanout)
{
	return idx ? (idx - 1) / fanout : -1;
}

/*
 * "relations": R leads its own session and is a child subreaper; A
 * leads a second session, A1 is in it; B leads a group of R's session
 * that C1, a child of C, joins (a group across branches); D was made
 * with SIGUSR1 as its exit signal.
 */
enum { REL_R, REL_A, REL_A1, REL_B, REL_C, REL_C1, REL_D, REL_NR };

/* "zombie": Z42 exited with 42, ZTERM was killed by SIGTERM, unreaped. */
#define ZOMBIE_STATUS	42
enum { ZOMB_ROOT, ZOMB_42, ZOMB_TERM, ZOMB_LIVE, ZOMB_NR };

/*
 * "shared": the root opens $TREE_DIR/shared (SHARED_SIZE bytes,
 * shared_byte() each) at offset SHARED_START and forks; all three nodes
 * share that open file.  On SIGUSR1 each reads SHARED_CHUNK bytes:
 * xa = offset before, xb = offset after, xc = 1 if the bytes read were
 * the file's bytes at that offset.
 */
#define SHARED_SIZE	4096
#define SHARED_START	100
#define SHARED_CHUNK	10
enum { SH_ROOT, SH_CHILD, SH_GRAND, SH_NR };

static inline char shared_byte(long off)
{
	return 'A' + off % 26;
}

/*
 * "pidns": the launcher unshares its pid namespace, writes the outer pid
 * of the namespace's init to $TREE_DIR/launcher and waits for it; the
 * init (node 0, pid 1) and its descendants form the tree.
 */
enum { NS_INIT, NS_C1, NS_C2, NS_G1, NS_NR };

/*
 * "fail": node FAIL_VICTIM alone holds $TREE_DIR/victim open.
 */
enum { FAIL_ROOT, FAIL_C1, FAIL_C2, FAIL_VICTIM, FAIL_G2, FAIL_NR };

/*
 * "churn": the spawners fork children that exit with CHURN_STATUS at
 * once or exec tree_target "exit5" first, and reap them: xa = children
 * reaped, xb = children with a wrong status.
 */
#define CHURN_STATUS	5
enum { CHURN_ROOT, CHURN_S1, CHURN_S2, CHURN_S3, CHURN_NR };

#endif /* _CKPT_TREE_TARGET_H */
