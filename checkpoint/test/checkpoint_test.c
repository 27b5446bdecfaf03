// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of checkpoint.ko's objhash and deferqueue, as a module that
 * loads only if every test passes (kselftest_module.h style).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

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

static void __init selftest(void)
{
	test_objhash_lookup_add();
	test_objhash_restart();
	test_deferqueue_order();
	test_deferqueue_errors();
	test_deferqueue_teardown();
}

KSTM_MODULE_LOADERS(checkpoint_test);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Unit tests of the checkpoint module's objhash and deferqueue");
