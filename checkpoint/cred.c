// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials: uids, gids, supplementary groups, capabilities and
 * securebits.
 *
 * Restart never grants what the restarting process could not take by
 * itself: every change is checked the way setresuid(), setresgid(),
 * setfsuid(), setgroups(), capset(), prctl(PR_CAPBSET_DROP) and
 * prctl(PR_SET_SECUREBITS) check it, against the caller's credentials
 * before the point of no return.  An unprivileged user thus restores its
 * own processes (nothing changes) and gets EPERM for anyone else's.
 */
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <linux/slab.h>
#include <linux/sched/user.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

#define CKPT_CAP_VALID		(BIT_ULL(CAP_LAST_CAP + 1) - 1)
#define CKPT_SECUREBITS_VALID	(SECURE_ALL_BITS | SECURE_ALL_LOCKS)

/* ---------------------------------------------------------------------- */
/* checkpoint */

static int ckpt_cred_ids(struct ckpt_ctx *ctx, struct task_struct *t,
			 const struct cred *c, struct ckpt_hdr_cred *ch)
{
	struct user_namespace *ns = current_user_ns();
	const kuid_t uids[] = { c->uid, c->euid, c->suid, c->fsuid };
	const kgid_t gids[] = { c->gid, c->egid, c->sgid, c->fsgid };
	__u32 *uid = &ch->uid, *gid = &ch->gid;
	int i;

	if (c->user_ns != ns)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is in another user namespace: not supported yet",
				task_pid_vnr(t));
	for (i = 0; i < ARRAY_SIZE(uids); i++) {
		uid[i] = from_kuid(ns, uids[i]);
		gid[i] = from_kgid(ns, gids[i]);
		if (uid[i] == (u32)-1 || gid[i] == (u32)-1)
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d has an id the checkpointer's user namespace cannot name",
					task_pid_vnr(t));
	}
	return 0;
}

static int ckpt_cred_groups(struct ckpt_ctx *ctx, struct task_struct *t,
			    const struct group_info *gi)
{
	struct user_namespace *ns = current_user_ns();
	u32 *gids;
	int i, ret = 0;

	if (!gi->ngroups)
		return 0;
	gids = kmalloc_array(gi->ngroups, sizeof(*gids), GFP_KERNEL);
	if (!gids)
		return -ENOMEM;
	for (i = 0; i < gi->ngroups; i++) {
		gids[i] = from_kgid(ns, gi->gid[i]);
		if (gids[i] == (u32)-1) {
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d has a group the checkpointer's user namespace cannot name",
				       task_pid_vnr(t));
			goto out;
		}
	}
	ret = ckpt_write(ctx, gids, gi->ngroups * sizeof(*gids));
	if (ret)
		goto out;
	ret = ckpt_write_pad(ctx, ALIGN(gi->ngroups * sizeof(*gids),
					CKPT_ALIGN) -
			     gi->ngroups * sizeof(*gids));
out:
	kfree(gids);
	return ret;
}

int ckpt_cred(struct ckpt_ctx *ctx, struct task_struct *t)
{
	const struct cred *c = get_task_cred(t);
	struct ckpt_hdr_cred ch = {};
	int ret;

	ret = ckpt_cred_ids(ctx, t, c, &ch);
	if (ret < 0)
		goto out;
	if (c->group_info->ngroups > CKPT_NGROUPS_MAX) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d has %d supplementary groups, more than %d",
			       task_pid_vnr(t), c->group_info->ngroups,
			       CKPT_NGROUPS_MAX);
		goto out;
	}
	ch.ngroups = c->group_info->ngroups;
	ch.cap_inheritable = ckpt_cap_to_u64(c->cap_inheritable);
	ch.cap_permitted = ckpt_cap_to_u64(c->cap_permitted);
	ch.cap_effective = ckpt_cap_to_u64(c->cap_effective);
	ch.cap_bset = ckpt_cap_to_u64(c->cap_bset);
	ch.cap_ambient = ckpt_cap_to_u64(c->cap_ambient);
	ch.securebits = c->securebits;
	ret = ckpt_write_obj(ctx, &ch.h, CKPT_HDR_CRED, sizeof(ch),
			     ch.ngroups * sizeof(u32));
	if (ret)
		goto out;
	ret = ckpt_cred_groups(ctx, t, c->group_info);
out:
	put_cred(c);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart: read and check */

/* Ids of the caller's user namespace; all must be valid. */
static int rstr_cred_ids(struct ckpt_ctx *ctx, const struct ckpt_hdr_cred *ch,
			 struct cred *new)
{
	struct user_namespace *ns = current_user_ns();

	new->uid = make_kuid(ns, ch->uid);
	new->euid = make_kuid(ns, ch->euid);
	new->suid = make_kuid(ns, ch->suid);
	new->fsuid = make_kuid(ns, ch->fsuid);
	new->gid = make_kgid(ns, ch->gid);
	new->egid = make_kgid(ns, ch->egid);
	new->sgid = make_kgid(ns, ch->sgid);
	new->fsgid = make_kgid(ns, ch->fsgid);
	if (!uid_valid(new->uid) || !uid_valid(new->euid) ||
	    !uid_valid(new->suid) || !uid_valid(new->fsuid) ||
	    !gid_valid(new->gid) || !gid_valid(new->egid) ||
	    !gid_valid(new->sgid) || !gid_valid(new->fsgid))
		return ckpt_err(ctx, -EINVAL,
				"CRED record at offset %llu: an id is not mapped here",
				ctx->hdr_pos);
	return 0;
}

/* The caps and securebits fields, consistent among themselves. */
static int rstr_cred_caps(struct ckpt_ctx *ctx, const struct ckpt_hdr_cred *ch,
			  struct cred *new)
{
	u64 all = ch->cap_inheritable | ch->cap_permitted | ch->cap_effective |
		  ch->cap_bset | ch->cap_ambient;

	if (all & ~CKPT_CAP_VALID ||
	    ch->securebits & ~CKPT_SECUREBITS_VALID ||
	    ch->cap_effective & ~ch->cap_permitted ||
	    ch->cap_ambient & ~(ch->cap_permitted & ch->cap_inheritable))
		return ckpt_err(ctx, -EINVAL,
				"CRED record at offset %llu: bad capability sets or securebits",
				ctx->hdr_pos);
	new->cap_inheritable = ckpt_cap_from_u64(ch->cap_inheritable);
	new->cap_permitted = ckpt_cap_from_u64(ch->cap_permitted);
	new->cap_effective = ckpt_cap_from_u64(ch->cap_effective);
	new->cap_bset = ckpt_cap_from_u64(ch->cap_bset);
	new->cap_ambient = ckpt_cap_from_u64(ch->cap_ambient);
	new->securebits = ch->securebits;
	return 0;
}

static int rstr_cred_groups(struct ckpt_ctx *ctx, u32 ngroups,
			    struct cred *new)
{
	struct user_namespace *ns = current_user_ns();
	struct group_info *gi;
	size_t len = ngroups * sizeof(u32);
	u32 *gids;
	int i, ret;

	gids = kvmalloc(len + 1, GFP_KERNEL);
	gi = groups_alloc(ngroups);
	ret = -ENOMEM;
	if (!gids || !gi)
		goto out;
	ret = ckpt_read(ctx, gids, len);
	if (ret)
		goto out;
	ret = ckpt_read_pad(ctx, len);
	if (ret)
		goto out;
	for (i = 0; i < ngroups; i++) {
		gi->gid[i] = make_kgid(ns, gids[i]);
		if (!gid_valid(gi->gid[i])) {
			ret = ckpt_err(ctx, -EINVAL,
				       "CRED record at offset %llu: group %u is not mapped here",
				       ctx->hdr_pos, gids[i]);
			goto out;
		}
	}
	groups_sort(gi);
	set_groups(new, gi);
out:
	if (gi)
		put_group_info(gi);
	kvfree(gids);
	return ret;
}

/* setresuid(), setfsuid(): a uid the caller holds, or CAP_SETUID. */
static bool rstr_uid_held(const struct cred *old, kuid_t uid)
{
	return uid_eq(uid, old->uid) || uid_eq(uid, old->euid) ||
	       uid_eq(uid, old->suid);
}

static bool rstr_gid_held(const struct cred *old, kgid_t gid)
{
	return gid_eq(gid, old->gid) || gid_eq(gid, old->egid) ||
	       gid_eq(gid, old->sgid);
}

static bool rstr_ids_allowed(const struct cred *old, const struct cred *new)
{
	struct user_namespace *ns = old->user_ns;

	if (!ns_capable_setid(ns, CAP_SETUID) &&
	    (!rstr_uid_held(old, new->uid) || !rstr_uid_held(old, new->euid) ||
	     !rstr_uid_held(old, new->suid) ||
	     !(rstr_uid_held(old, new->fsuid) ||
	       uid_eq(new->fsuid, old->fsuid))))
		return false;
	if (!ns_capable_setid(ns, CAP_SETGID) &&
	    (!rstr_gid_held(old, new->gid) || !rstr_gid_held(old, new->egid) ||
	     !rstr_gid_held(old, new->sgid) ||
	     !(rstr_gid_held(old, new->fsgid) ||
	       gid_eq(new->fsgid, old->fsgid))))
		return false;
	return true;
}

static bool rstr_groups_equal(const struct group_info *a,
			      const struct group_info *b)
{
	int i;

	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return false;
	return true;
}

/*
 * setgroups(): CAP_SETGID, and a user namespace whose gid map allows it;
 * that last test is not exported, so only the initial one qualifies.
 */
static bool rstr_groups_allowed(const struct cred *old, const struct cred *new)
{
	if (rstr_groups_equal(old->group_info, new->group_info))
		return true;
	return old->user_ns == &init_user_ns &&
	       ns_capable_setid(old->user_ns, CAP_SETGID);
}

/* capset(), PR_CAPBSET_DROP, PR_CAP_AMBIENT_RAISE, PR_SET_SECUREBITS */
static bool rstr_caps_allowed(const struct cred *old, const struct cred *new)
{
	u64 o_inh = ckpt_cap_to_u64(old->cap_inheritable);
	u64 o_prm = ckpt_cap_to_u64(old->cap_permitted);
	u64 o_bset = ckpt_cap_to_u64(old->cap_bset);
	u64 o_amb = ckpt_cap_to_u64(old->cap_ambient);
	u64 n_inh = ckpt_cap_to_u64(new->cap_inheritable);
	u64 n_bset = ckpt_cap_to_u64(new->cap_bset);
	bool setpcap = ns_capable(old->user_ns, CAP_SETPCAP);
	unsigned int locked = (old->securebits & SECURE_ALL_LOCKS) >> 1;

	if (n_inh & ~(o_inh | o_prm) && !setpcap)
		return false;
	if (n_inh & ~(o_inh | o_bset))
		return false;
	if (ckpt_cap_to_u64(new->cap_permitted) & ~o_prm)
		return false;
	if (n_bset & ~o_bset || (n_bset != o_bset && !setpcap))
		return false;
	if (ckpt_cap_to_u64(new->cap_ambient) & ~o_amb &&
	    old->securebits & issecure_mask(SECURE_NO_CAP_AMBIENT_RAISE))
		return false;
	if (new->securebits != old->securebits &&
	    (!setpcap || (new->securebits ^ old->securebits) & locked))
		return false;
	return true;
}

static int rstr_cred_check(struct ckpt_ctx *ctx, const struct cred *new)
{
	const struct cred *old = current_cred();
	const char *what = NULL;

	if (!rstr_ids_allowed(old, new))
		what = "uids or gids";
	else if (!rstr_groups_allowed(old, new))
		what = "supplementary groups";
	else if (!rstr_caps_allowed(old, new))
		what = "capabilities or securebits";
	if (what)
		return ckpt_err(ctx, -EPERM,
				"CRED record at offset %llu: the restarting process may not take these %s",
				ctx->hdr_pos, what);
	return 0;
}

/* A new uid has its own user_struct and ucounts, as setresuid() does. */
static int rstr_cred_user(struct cred *new)
{
	struct user_struct *user;

	if (!uid_eq(new->uid, current_uid())) {
		user = kapi_alloc_uid(new->uid);
		if (!user)
			return -EAGAIN;
		free_uid(new->user);
		new->user = user;
	}
	return kapi_set_cred_ucounts(new);
}

/* Prepared credentials never committed. */
static void rstr_cred_free(void *cred)
{
	abort_creds(cred);
}

int rstr_cred_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_cred ch;
	struct cred *new;
	int ret;

	ch.h = *h;
	ret = ckpt_read_payload(ctx, &ch.h, sizeof(ch));
	if (ret < 0)
		return ret;
	if (ch.ngroups > CKPT_NGROUPS_MAX ||
	    ch.h.len != sizeof(ch) + ALIGN(ch.ngroups * sizeof(u32),
					   CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"CRED record at offset %llu: length %u for %u groups",
				ctx->hdr_pos, ch.h.len, ch.ngroups);
	new = prepare_creds();
	if (!new)
		return -ENOMEM;
	ret = rstr_cred_ids(ctx, &ch, new);
	if (ret)
		goto out_abort;
	ret = rstr_cred_caps(ctx, &ch, new);
	if (ret)
		goto out_abort;
	ret = rstr_cred_groups(ctx, ch.ngroups, new);
	if (ret)
		goto out_abort;
	ret = rstr_cred_check(ctx, new);
	if (ret)
		goto out_abort;
	ret = rstr_cred_user(new);
	if (ret)
		goto out_abort;
	ckpt_state_set(ctx, CKPT_STATE_RSTR_CRED, new, rstr_cred_free);
	return 0;

out_abort:
	abort_creds(new);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart: apply */

/*
 * Before the TASK record's dumpable and parent-death signal are applied:
 * commit_creds() resets both when the effective ids or caps change.
 */
int rstr_cred(struct ckpt_ctx *ctx)
{
	struct cred *new = ckpt_state_take(ctx, CKPT_STATE_RSTR_CRED);

	commit_creds(new);
	return 0;
}
