// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of checkpoint.ko's objhash, deferqueue and TREE rules, as a
 * module that loads only if every test passes (kselftest_module.h style).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include <checkpoint/checkpoint.h>

#include "kselftest_module.h"

KSTM_MODULE_GLOBALS();

static struct ckpt_ctx *new_ctx(void)
{
	return ckpt_ctx_alloc(CKPT_CTX_CHECKPOINT, 0, NULL, NULL);
}

static void __init test_objhash_lookup_add(void)
{
	struct ckpt_ctx *ctx = new_ctx();
	struct file *a, *b;
	bool first;
	int ra, rb;

	KSTM_CHECK_ZERO(IS_ERR(ctx));
	if (IS_ERR(ctx))
		return;
	a = filp_open("/dev/null", O_RDONLY, 0);
	b = filp_open("/dev/null", O_RDONLY, 0);
	KSTM_CHECK_ZERO(IS_ERR(a) || IS_ERR(b));
	if (IS_ERR(a) || IS_ERR(b))
		goto out;

	ra = ckpt_obj_lookup_add(ctx, a, CKPT_OBJ_FILE, &first);
	KSTM_CHECK_ZERO(ra != 1 || !first);
	/* the hash holds its own reference */
	KSTM_CHECK_ZERO(file_count(a) != 2);
	KSTM_CHECK_ZERO(ckpt_obj_lookup_add(ctx, a, CKPT_OBJ_FILE, &first) != ra ||
			first);
	KSTM_CHECK_ZERO(file_count(a) != 2);
	rb = ckpt_obj_lookup_add(ctx, b, CKPT_OBJ_FILE, &first);
	KSTM_CHECK_ZERO(rb != 2 || !first);
	KSTM_CHECK_ZERO(ckpt_obj_lookup(ctx, b, CKPT_OBJ_FILE) != rb);
	KSTM_CHECK_ZERO(ckpt_obj_lookup(ctx, ctx, CKPT_OBJ_FILE) != 0);
	/* the same pointer under another type is a clash, not a new object */
	KSTM_CHECK_ZERO(ckpt_obj_lookup(ctx, a, CKPT_OBJ_MM) != -EINVAL);
	KSTM_CHECK_ZERO(ckpt_obj_lookup_add(ctx, a, CKPT_OBJ_MM, &first) !=
			-EINVAL);
	KSTM_CHECK_ZERO(ckpt_obj_lookup_add(ctx, NULL, CKPT_OBJ_FILE, &first) !=
			-EINVAL);
	KSTM_CHECK_ZERO(ckpt_obj_lookup_add(ctx, a, CKPT_OBJ_MAX, &first) !=
			-EINVAL);

	/* teardown drops exactly the references the hash took */
	ckpt_ctx_put(ctx);
	ctx = NULL;
	KSTM_CHECK_ZERO(file_count(a) != 1 || file_count(b) != 1);
out:
	if (!IS_ERR(a))
		fput(a);
	if (!IS_ERR(b))
		fput(b);
	if (ctx)
		ckpt_ctx_put(ctx);
}

static void __init test_objhash_restart(void)
{
	struct ckpt_ctx *ctx = new_ctx();
	struct mm_struct *mm = current->mm;
	int users;
	void *p;

	KSTM_CHECK_ZERO(IS_ERR(ctx));
	if (IS_ERR(ctx))
		return;
	users = atomic_read(&mm->mm_users);
	KSTM_CHECK_ZERO(ckpt_obj_insert(ctx, mm, 0, CKPT_OBJ_MM) != -EINVAL);
	KSTM_CHECK_ZERO(ckpt_obj_insert(ctx, mm, -3, CKPT_OBJ_MM) != -EINVAL);
	KSTM_CHECK_ZERO(ckpt_obj_insert(ctx, mm, 7, CKPT_OBJ_MM) != 0);
	KSTM_CHECK_ZERO(atomic_read(&mm->mm_users) != users + 1);
	/* an objref appears once in an image */
	KSTM_CHECK_ZERO(ckpt_obj_insert(ctx, mm, 7, CKPT_OBJ_MM) != -EINVAL);
	p = ckpt_obj_fetch(ctx, 7, CKPT_OBJ_MM);
	KSTM_CHECK_ZERO(p != mm);
	p = ckpt_obj_fetch(ctx, 7, CKPT_OBJ_FILE);
	KSTM_CHECK_ZERO(PTR_ERR_OR_ZERO(p) != -EINVAL);
	p = ckpt_obj_fetch(ctx, 8, CKPT_OBJ_MM);
	KSTM_CHECK_ZERO(PTR_ERR_OR_ZERO(p) != -EINVAL);
	ckpt_ctx_put(ctx);
	KSTM_CHECK_ZERO(atomic_read(&mm->mm_users) != users);
}

struct dq_log {
	int nr;
	int order[8];
	int ran;
};

struct dq_item {
	struct dq_log *log;
	int id;
	int ret;
	char pattern[200];
};

static int __init dq_record(void *data)
{
	struct dq_item *it = data;
	int i;

	for (i = 0; i < sizeof(it->pattern); i++)
		if (it->pattern[i] != (char)(it->id + i))
			return -EIO;
	if (it->log->nr < ARRAY_SIZE(it->log->order))
		it->log->order[it->log->nr++] = it->id;
	return it->ret;
}

static int __init dq_add(struct ckpt_ctx *ctx, struct dq_log *log, int id,
			 int ret)
{
	struct dq_item it = { .log = log, .id = id, .ret = ret };
	int i;

	for (i = 0; i < sizeof(it.pattern); i++)
		it.pattern[i] = id + i;
	ret = ckpt_deferqueue_add(ctx, dq_record, 0, &it, sizeof(it));
	/* the queue has its own copy: scribbling on ours changes nothing */
	memset(&it, 0xa5, sizeof(it));
	return ret;
}

static struct ckpt_ctx *dq_chain_ctx __initdata;

static int __init dq_chain(void *data)
{
	struct dq_log *log = *(struct dq_log **)data;

	/* work queued while the queue runs still runs, after the rest */
	return dq_add(dq_chain_ctx, log, 9, 0);
}

static void __init test_deferqueue_order(void)
{
	struct ckpt_ctx *ctx = new_ctx();
	struct dq_log log = {};
	struct dq_log *plog = &log;

	KSTM_CHECK_ZERO(IS_ERR(ctx));
	if (IS_ERR(ctx))
		return;
	dq_chain_ctx = ctx;
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 1, 0));
	KSTM_CHECK_ZERO(ckpt_deferqueue_add(ctx, dq_chain, 0, &plog,
					    sizeof(plog)));
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 2, 0));
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 3, 0));
	KSTM_CHECK_ZERO(log.nr != 0);	/* nothing runs before the end */
	KSTM_CHECK_ZERO(ckpt_deferqueue_run(ctx) != 5);
	KSTM_CHECK_ZERO(log.nr != 4 || log.order[0] != 1 || log.order[1] != 2 ||
			log.order[2] != 3 || log.order[3] != 9);
	/* each work runs once */
	KSTM_CHECK_ZERO(ckpt_deferqueue_run(ctx) != 0);
	KSTM_CHECK_ZERO(log.nr != 4);
	ckpt_ctx_put(ctx);
}

static void __init test_deferqueue_errors(void)
{
	struct ckpt_ctx *ctx = new_ctx();
	struct dq_log log = {};

	KSTM_CHECK_ZERO(IS_ERR(ctx));
	if (IS_ERR(ctx))
		return;
	KSTM_CHECK_ZERO(ckpt_deferqueue_add(ctx, NULL, 0, NULL, 0) != -EINVAL);
	KSTM_CHECK_ZERO(ckpt_deferqueue_add(ctx, dq_record, 1, NULL, 0) !=
			-EINVAL);
	/* a failing work does not stop the ones after it */
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 1, 0));
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 2, -ENOSPC));
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 3, -EIO));
	KSTM_CHECK_ZERO(ckpt_deferqueue_run(ctx) != -ENOSPC);
	KSTM_CHECK_ZERO(log.nr != 3);
	ckpt_ctx_put(ctx);
}

static void __init test_deferqueue_teardown(void)
{
	struct ckpt_ctx *ctx = new_ctx();
	struct dq_log log = {};

	KSTM_CHECK_ZERO(IS_ERR(ctx));
	if (IS_ERR(ctx))
		return;
	/* an operation that failed before running its queue still runs it */
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 4, 0));
	KSTM_CHECK_ZERO(dq_add(ctx, &log, 5, 0));
	ckpt_ctx_put(ctx);
	KSTM_CHECK_ZERO(log.nr != 2 || log.order[0] != 4 || log.order[1] != 5);
}

/* ---------------------------------------------------------------------- */
/* the TREE rules */

#define T(pid, tgid, ppid, pgid, sid, flags) \
	{ pid, tgid, ppid, pgid, sid, (pid) == (tgid) ? SIGCHLD : 0, flags, 0 }

/*
 * 10 is a session leader with a thread 11; 12 its child leads group 12;
 * 13, child of 12, joins group 12; 14, another child of 10, joins group 12
 * too (across branches); 15 is a zombie child of 10.
 */
static const struct ckpt_tree_task good_tree[] = {
	T(10, 10, 0, 10, 10, CKPT_TREE_SUBREAPER),
	T(11, 10, 0, 10, 10, 0),
	T(12, 12, 10, 12, 10, CKPT_TREE_SHARE_FILES),
	T(13, 13, 12, 12, 10, CKPT_TREE_SHARE_FS),
	T(14, 14, 10, 12, 10, 0),
	T(15, 15, 10, 10, 10, CKPT_TREE_ZOMBIE),
};

static int tree_check(const struct ckpt_tree_task *t, u32 nr, u32 flags)
{
	struct ckpt_ctx *ctx = new_ctx();
	int ret;

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ret = ckpt_tree_check(ctx, flags, t, nr, -EINVAL);
	ckpt_ctx_put(ctx);
	return ret;
}

/* good_tree with entry @i changed by @fn: refused? */
static bool tree_bad(void (*fn)(struct ckpt_tree_task *t))
{
	struct ckpt_tree_task t[ARRAY_SIZE(good_tree)];

	memcpy(t, good_tree, sizeof(t));
	fn(t);
	return tree_check(t, ARRAY_SIZE(t), 0) == -EINVAL;
}

static void bad_parent(struct ckpt_tree_task *t) { t[3].ppid = 99; }
static void bad_twice(struct ckpt_tree_task *t) { t[4].pid = t[4].tgid = 13; }
static void bad_cycle(struct ckpt_tree_task *t) { t[2].ppid = 13; }
static void bad_orphan_thread(struct ckpt_tree_task *t) { t[1].tgid = 12; }
static void bad_thread_late(struct ckpt_tree_task *t)
{
	struct ckpt_tree_task th = t[1];

	t[1] = t[2];
	t[2] = th;
	t[2].ppid = 10;
}
static void bad_session(struct ckpt_tree_task *t) { t[4].sid = 14; }
static void bad_leader(struct ckpt_tree_task *t)
{
	t[0].sid = 0;
	t[1].sid = 0;
}

static void bad_group(struct ckpt_tree_task *t) { t[4].pgid = 13; }
static void bad_zombie_parent(struct ckpt_tree_task *t) { t[4].ppid = 15; }
static void bad_zombie_root(struct ckpt_tree_task *t) { t[0].flags |= CKPT_TREE_ZOMBIE; }
static void bad_status(struct ckpt_tree_task *t) { t[5].exit_code = 0x7f; }
static void bad_flags(struct ckpt_tree_task *t) { t[3].flags = 0x100; }
static void bad_pid(struct ckpt_tree_task *t) { t[3].pid = t[3].tgid = -3; }

static void __init test_tree_rules(void)
{
	static void (* const bad[])(struct ckpt_tree_task *t) = {
		bad_parent, bad_twice, bad_cycle, bad_orphan_thread,
		bad_thread_late, bad_session, bad_leader, bad_group,
		bad_zombie_parent, bad_zombie_root, bad_status, bad_flags,
		bad_pid,
	};
	struct ckpt_tree_task one = T(1, 1, 0, 1, 1, 0);
	unsigned int i;

	KSTM_CHECK_ZERO(tree_check(good_tree, ARRAY_SIZE(good_tree), 0));
	KSTM_CHECK_ZERO(tree_check(&one, 1, CKPT_TREE_PIDNS));
	KSTM_CHECK_ZERO(tree_check(good_tree, ARRAY_SIZE(good_tree),
				   CKPT_TREE_PIDNS) != -EINVAL);
	KSTM_CHECK_ZERO(tree_check(good_tree, 0, 0) != -EINVAL);
	KSTM_CHECK_ZERO(tree_check(good_tree, CKPT_TREE_MAX_TASKS + 1, 0) !=
			-EINVAL);
	KSTM_CHECK_ZERO(tree_check(&one, 1, 0x80) != -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KSTM_CHECK_ZERO(!tree_bad(bad[i]));
}

static void __init selftest(void)
{
	test_objhash_lookup_add();
	test_tree_rules();
	test_objhash_restart();
	test_deferqueue_order();
	test_deferqueue_errors();
	test_deferqueue_teardown();
}

KSTM_MODULE_LOADERS(checkpoint_test);
/* checkpoint.ko exports what these tests call in its namespace only */
MODULE_IMPORT_NS(CHECKPOINT);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unit tests of the checkpoint module's objhash, deferqueue and TREE rules");
