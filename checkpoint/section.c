// SPDX-License-Identifier: GPL-2.0
/*
 * The records of a task's section, as restart reads them before its
 * point of no return: which records a section may and must hold (their
 * counts from the format's table), each read with the credentials it
 * needs, and the objects the TASK record says the task shares with an
 * earlier one.
 */
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/rcupdate.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/restart.h>
#include "format.h"

/*
 * What restart does with each record of a section before the point of no
 * return: read it, check it, and keep what it says in the task's
 * context.  Nothing is applied here.  Records may come in any order
 * between the TASK record that opens the section and the first PAGES.
 * A record of an object the task shares (@first) comes only in the
 * section of the object's first task, and there it is required.  How
 * often a record may (once) or must (required) stand in a section is
 * the format's count (format.c), which ckptinfo checks too.
 */
struct rstr_handler {
	int (*read)(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
	unsigned int first;	/* CKPT_FIRST_*: only with that object */
};

static const struct rstr_handler rstr_handlers[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_MM] = { rstr_mm_read, CKPT_FIRST_MM },
	[CKPT_HDR_CPU] = { rstr_cpu_read },
	[CKPT_HDR_SIGHAND] = { rstr_sighand_read, CKPT_FIRST_SIGHAND },
	[CKPT_HDR_SIGNAL] = { rstr_signal_read },
	[CKPT_HDR_SIGINFO] = { rstr_siginfo_read },
	[CKPT_HDR_POSIX_TIMER] = { rstr_posix_timer_read, CKPT_FIRST_SIGNAL },
	[CKPT_HDR_RESTART_BLOCK] = { rstr_restart_block_read },
	[CKPT_HDR_CRED] = { rstr_cred_read },
	[CKPT_HDR_RLIMITS] = { rstr_rlimits_read, CKPT_FIRST_SIGNAL },
	[CKPT_HDR_FS] = { rstr_fs_read, CKPT_FIRST_FS },
	[CKPT_HDR_FILE] = { rstr_file_read, CKPT_FIRST_FILES },
	[CKPT_HDR_FILES] = { rstr_files_read, CKPT_FIRST_FILES },
	[CKPT_HDR_LOCK] = { rstr_lock_read, CKPT_FIRST_FILES },
	[CKPT_HDR_CGROUP] = { rstr_cgroup_read, CKPT_FIRST_SIGNAL },
};

/* Does the format count @type in a section as @count, or stricter? */
static bool rstr_rec_count(u32 type, enum ckpt_rec_count count)
{
	const struct ckpt_rec_desc *d = ckpt_rec_desc(type);

	return d && d->count >= count;
}

/* Records that look paths of the image up and open them. */
static bool rstr_opens_paths(u32 type)
{
	return type == CKPT_HDR_MM || type == CKPT_HDR_FS ||
	       type == CKPT_HDR_FILE;
}

/*
 * A record that opens paths does so with the credentials the task
 * restores (its CRED, which comes first), not the caller's: a restart by
 * root opens nothing for a user's process that the user could not, and
 * a directory of the path swapped for a symlink leads nowhere the
 * user's own ids could not go.  Only the opening: what needs privilege
 * of the caller (limits, scheduling) is still checked against it.
 */
static int rstr_read_as_restored(struct ckpt_ctx *ctx, struct ckpt_hdr *h,
				 const struct rstr_handler *rh)
{
	const struct cred *old;
	int ret;

	if (!rstr_cred_of(ctx))
		return ckpt_err(ctx, -EINVAL,
				"%s record at offset %llu comes before the CRED record of its task",
				ckpt_hdr_name(h->type), ctx->hdr_pos);
	old = override_creds(rstr_cred_of(ctx));
	ret = rh->read(ctx, h);
	revert_creds(old);
	return ret;
}

int rstr_read_record(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	const struct rstr_handler *rh = &rstr_handlers[h->type];

	if (!rh->read || (rh->first && !(ctx->first & rh->first)))
		return ckpt_err(ctx, -EINVAL,
				"unexpected %s record at offset %llu",
				ckpt_hdr_name(h->type), ctx->hdr_pos);
	if (rstr_rec_count(h->type, CKPT_REC_ONCE) &&
	    test_bit(h->type, ctx->seen))
		return ckpt_err(ctx, -EINVAL,
				"second %s record at offset %llu",
				ckpt_hdr_name(h->type), ctx->hdr_pos);
	__set_bit(h->type, ctx->seen);
	if (rstr_opens_paths(h->type))
		return rstr_read_as_restored(ctx, h, rh);
	return rh->read(ctx, h);
}

/*
 * The records a section must hold, where its object is new: after
 * the layout, none may be missing.
 */
int rstr_records_required(struct ckpt_ctx *ctx)
{
	const struct rstr_handler *rh;
	unsigned int type;

	for (type = 0; type < CKPT_HDR_MAX_TYPE; type++) {
		rh = &rstr_handlers[type];
		if (!rh->read || !rstr_rec_count(type, CKPT_REC_REQUIRED))
			continue;
		if (!test_bit(type, ctx->seen) &&
		    (!rh->first || (ctx->first & rh->first)))
			return ckpt_err(ctx, -EINVAL,
					"the section of pid %d has no %s record before offset %llu",
					ctx->ts.task.pid, ckpt_hdr_name(type),
					ctx->hdr_pos);
	}
	return 0;
}

static int rstr_share_one(struct ckpt_ctx *ctx, void *obj, int objref,
			  enum ckpt_obj_type type, unsigned int first,
			  const char *what)
{
	void *known = ckpt_obj_fetch(ctx, objref, type);
	int ret;

	if (!IS_ERR(known)) {
		if (known == obj)
			return 0;
		return ckpt_err(ctx, -EINVAL,
				"pid %d: the image shares its %s (objref %d) with an earlier task, the restoring task does not",
				ctx->ts.task.pid, what, objref);
	}
	ret = ckpt_obj_lookup(ctx, obj, type);
	if (ret)
		return ckpt_err(ctx, -EINVAL,
				"pid %d: its %s is shared with an earlier task (objref %d), the image says it is not (objref %d)",
				ctx->ts.task.pid, what, ret, objref);
	ret = ckpt_obj_insert(ctx, obj, objref, type);
	if (ret < 0)
		return ckpt_err(ctx, ret, "TASK record: bad %s objref %d",
				what, objref);
	ctx->first |= first;
	return 0;
}

/* What the TASK record says the task shares, against what it has. */
int rstr_share(struct ckpt_ctx *ctx)
{
	const struct ckpt_hdr_task *th = &ctx->ts.task;
	int ret;

	ret = rstr_share_one(ctx, current->mm, th->mm_objref, CKPT_OBJ_MM,
			     CKPT_FIRST_MM, "address space");
	if (ret)
		return ret;
	ret = rstr_share_one(ctx, current->files, th->files_objref,
			     CKPT_OBJ_FILES, CKPT_FIRST_FILES, "fd table");
	if (ret)
		return ret;
	ret = rstr_share_one(ctx, current->fs, th->fs_objref, CKPT_OBJ_FS,
			     CKPT_FIRST_FS, "cwd and root");
	if (ret)
		return ret;
	/* current's own sighand: only current replaces it */
	ret = rstr_share_one(ctx, rcu_dereference_protected(current->sighand, 1),
			     th->sighand_objref, CKPT_OBJ_SIGHAND,
			     CKPT_FIRST_SIGHAND, "signal handlers");
	if (ret)
		return ret;
	return rstr_share_one(ctx, current->signal, th->signal_objref,
			      CKPT_OBJ_SIGNAL, CKPT_FIRST_SIGNAL, "signal state");
}
