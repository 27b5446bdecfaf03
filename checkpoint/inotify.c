// SPDX-License-Identifier: GPL-2.0
/*
 * inotify.
 *
 * An inotify is its watches - each a wd, a mask and an inode - and the
 * events queued and not read yet.  Checkpoint reads both from the
 * inotify's fsnotify group, under the group's lock, and names each
 * watched inode by a path that reaches it from the task's root: an inode
 * no path reaches (unlinked, or only on a mount out of reach) cannot be
 * found again and fails the checkpoint, by pid, fd and wd.
 *
 * Restart makes the inotify with inotify_init1(), queues the saved
 * events first, then adds each watch with inotify_add_watch() at its
 * path, having set where the search for a free wd starts
 * (INOTIFY_IOC_SETNEXTWD, the kernel's own interface for this) to the
 * saved wd, so that it gets exactly that wd; last it sets the start for
 * the next watch the process adds.  The files the restart opens and
 * closes for the process make the new watches report events the process
 * never caused: those queued behind the saved events are dropped once
 * the task's files are in place (a deferred work, before any task of
 * the restart returns to user space).
 *
 * The kernel keeps the inotify's events and marks in structures of
 * fs/notify/inotify/inotify.h, a private header, read through
 * checkpoint/kapi/, which checks its mirrors before it trusts them.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/fsnotify_backend.h>
#include <linux/inotify.h>
#include <linux/idr.h>
#include <linux/dcache.h>
#include <linux/delay.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

#define CKPT_INOTIFY_TRIES	5	/* a watch being removed: look again */
#define CKPT_INOTIFY_RETRY_MS	20

/* The f_flags an inotify may have: made O_RDONLY; F_SETFL's flags. */
#define RSTR_INOTIFY_FLAGS	(O_ACCMODE | O_NONBLOCK | O_APPEND | \
				 O_NOATIME | O_LARGEFILE)

static_assert(CKPT_INOTIFY_WATCH_MASK ==
	      (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT));
static_assert(CKPT_INOTIFY_EVENT_MASK ==
	      (IN_ALL_EVENTS | FS_OPEN_EXEC | IN_UNMOUNT | IN_Q_OVERFLOW |
	       IN_IGNORED | FS_EVENT_ON_CHILD | IN_ISDIR));
static_assert(CKPT_INOTIFY_Q_OVERFLOW == IN_Q_OVERFLOW);
static_assert(CKPT_INOTIFY_NAME_MAX - 1 == NAME_MAX);

/* ---------------------------------------------------------------------- */
/* checkpoint */

struct ckpt_inotify_watch {
	int wd;
	u32 mask;		/* CKPT_INOTIFY_WATCH_MASK bits */
	struct inode *inode;	/* referenced */
	char *name;		/* its path */
	u32 name_len;
};

/* What one inotify holds, as read under its group's lock. */
struct ckpt_inotify_state {
	struct ckpt_inotify_watch *w;
	unsigned int nr_watches;
	int next_wd;
	void *events;		/* INOTIFY_EVENT records, names padded */
	size_t events_len;
	unsigned int nr_events;
	char *mountinfo;	/* the checkpointer's, read when needed */
};

/* The fd of @file in the target's table, for messages; -1 if none. */
static int ckpt_inotify_fd(struct ckpt_ctx *ctx, struct file *file)
{
	struct files_struct *files;
	struct fdtable *fdt;
	unsigned int fd;
	int ret = -1;

	/* task_lock: ->files, which exit clears; file_lock: the fd table */
	task_lock(ctx->target);
	files = ctx->target->files;
	if (files) {
		spin_lock(&files->file_lock);
		fdt = files_fdtable(files);
		for (fd = 0; fd < fdt->max_fds && ret < 0; fd++) {
			if (rcu_dereference_protected(fdt->fd[fd],
					lockdep_is_held(&files->file_lock)) == file)
				ret = fd;
		}
		spin_unlock(&files->file_lock);
	}
	task_unlock(ctx->target);
	return ret;
}

static void ckpt_inotify_put_watches(struct ckpt_inotify_state *st)
{
	unsigned int i;

	for (i = 0; i < st->nr_watches; i++) {
		iput(st->w[i].inode);
		kfree(st->w[i].name);
	}
	kvfree(st->w);
	st->w = NULL;
	st->nr_watches = 0;
	kvfree(st->events);
	st->events = NULL;
	st->nr_events = 0;
	st->events_len = 0;
}

/*
 * One mark of the group, referenced: its wd must be the idr's own, and
 * its inode is taken under its connector's lock.  -EAGAIN: the mark is
 * on its way out (or the mirror does not fit, which looking again will
 * not mend: the caller gives up after a few tries).
 */
static int ckpt_inotify_mark(struct fsnotify_group *group,
			     struct fsnotify_mark *mark,
			     struct ckpt_inotify_watch *w)
{
	struct fsnotify_mark_connector *conn;
	struct inode *inode = NULL;
	unsigned int flags;

	w->wd = kapi_inotify_mark_wd(group, mark);
	if (w->wd < 0)
		return -EAGAIN;

	/* mark->lock: its flags, mask and connector */
	spin_lock(&mark->lock);
	flags = mark->flags;
	w->mask = mark->mask & IN_ALL_EVENTS;
	conn = mark->connector;
	spin_unlock(&mark->lock);
	if (!(flags & FSNOTIFY_MARK_FLAG_ATTACHED) || !conn)
		return -EAGAIN;
	if (flags & FSNOTIFY_MARK_FLAG_EXCL_UNLINK)
		w->mask |= IN_EXCL_UNLINK;
	if (flags & FSNOTIFY_MARK_FLAG_IN_ONESHOT)
		w->mask |= IN_ONESHOT;

	/*
	 * An attached inotify mark holds a reference to its inode; conn->lock
	 * keeps the connector on it while the inode is taken.
	 */
	spin_lock(&conn->lock);
	if (conn->type == FSNOTIFY_OBJ_TYPE_INODE && conn->obj) {
		inode = ckpt_fsnotify_conn_inode(conn);
		ihold(inode);
	}
	spin_unlock(&conn->lock);
	if (!inode)
		return -EAGAIN;
	w->inode = inode;
	return 0;
}

/* The watches: every mark of the group, and the idr has no other. */
static int ckpt_inotify_marks(struct fsnotify_group *group,
			      struct ckpt_inotify_state *st)
{
	struct fsnotify_mark *mark;
	unsigned int n = 0, in_idr = 0;
	unsigned int cursor;
	void *p;
	int id, ret;

	/* the group's lock: marks_list, no mark added or detached */
	lockdep_assert_held(&group->mark_mutex);
	list_for_each_entry(mark, &group->marks_list, g_list)
		n++;
	if (n > CKPT_INOTIFY_WATCHES_MAX)
		return -E2BIG;
	st->w = kvcalloc(n ?: 1, sizeof(*st->w), GFP_KERNEL);
	if (!st->w)
		return -ENOMEM;
	list_for_each_entry(mark, &group->marks_list, g_list) {
		ret = ckpt_inotify_mark(group, mark, &st->w[st->nr_watches]);
		if (ret < 0)
			return ret;
		st->nr_watches++;
	}
	/*
	 * A wd the marks lack: a watch is being removed, IN_IGNORED due.
	 * idr_lock: the idr of wds and its cursor.
	 */
	spin_lock(&group->inotify_data.idr_lock);
	idr_for_each_entry(&group->inotify_data.idr, p, id)
		in_idr++;
	cursor = idr_get_cursor(&group->inotify_data.idr);
	spin_unlock(&group->inotify_data.idr_lock);
	if (in_idr != st->nr_watches)
		return -EAGAIN;
	/* past INT_MAX the search starts over from 1, as at 0 */
	st->next_wd = cursor && cursor <= INT_MAX ? cursor : 1;
	return 0;
}

static size_t ckpt_inotify_event_size(struct fsnotify_group *group,
				      struct fsnotify_event *fse)
{
	struct kapi_inotify_event e;

	if (fse == group->overflow_event)
		return sizeof(struct ckpt_hdr_inotify_event);
	kapi_inotify_event(fse, &e);
	if (e.name_len <= 0)
		return sizeof(struct ckpt_hdr_inotify_event);
	return sizeof(struct ckpt_hdr_inotify_event) +
	       ALIGN((size_t)e.name_len + 1, CKPT_ALIGN);
}

/* One queued event as its record, at @h; false if it is no inotify's. */
static bool ckpt_inotify_event(struct fsnotify_group *group,
			       struct fsnotify_event *fse,
			       struct ckpt_hdr_inotify_event *h)
{
	struct kapi_inotify_event ev, *e = &ev;

	memset(h, 0, sizeof(*h));
	if (fse == group->overflow_event) {
		h->wd = -1;
		h->mask = IN_Q_OVERFLOW;
		return true;
	}
	kapi_inotify_event(fse, e);
	if (e->wd <= 0 || !e->mask || e->mask & ~CKPT_INOTIFY_EVENT_MASK ||
	    e->mask & IN_Q_OVERFLOW || e->name_len < 0 ||
	    e->name_len > NAME_MAX)
		return false;
	h->wd = e->wd;
	h->mask = e->mask;
	h->cookie = e->cookie;
	if (!e->name_len)
		return true;
	if (strnlen(e->name, e->name_len + 1) != e->name_len ||
	    memchr(e->name, '/', e->name_len))
		return false;
	h->name_len = e->name_len + 1;
	memset(h + 1, 0, ALIGN(h->name_len, CKPT_ALIGN));
	memcpy(h + 1, e->name, e->name_len);
	return true;
}

/*
 * The queued events, as INOTIFY_EVENT records in a buffer.  Events come
 * while this runs (the watched files are not frozen): those that do not
 * fit the buffer sized a moment before came after the rest, which are
 * the queue as it was then.
 */
static int ckpt_inotify_events(struct fsnotify_group *group,
			       struct ckpt_inotify_state *st)
{
	struct fsnotify_event *fse;
	size_t size = 0, len = 0, n;
	unsigned int nr = 0;
	int ret = 0;

	/* notification_lock: the queue of events and its length */
	spin_lock(&group->notification_lock);
	list_for_each_entry(fse, &group->notification_list, list) {
		size += ckpt_inotify_event_size(group, fse);
		nr++;
	}
	spin_unlock(&group->notification_lock);
	if (nr > CKPT_INOTIFY_EVENTS_MAX)
		return -E2BIG;
	st->events = kvmalloc(size ?: 1, GFP_KERNEL);
	if (!st->events)
		return -ENOMEM;

	/* again, allocated: what was queued meanwhile past @size is left out */
	nr = 0;
	spin_lock(&group->notification_lock);
	list_for_each_entry(fse, &group->notification_list, list) {
		n = ckpt_inotify_event_size(group, fse);
		if (len + n > size)
			break;
		if (!ckpt_inotify_event(group, fse, st->events + len)) {
			ret = -EOPNOTSUPP;
			break;
		}
		len += n;
		nr++;
	}
	spin_unlock(&group->notification_lock);
	st->events_len = len;
	st->nr_events = nr;
	return ret;
}

/*
 * A one-shot watch with an event of its own queued has fired, and inotify
 * is about to remove it (it waits for the group's lock).
 */
static bool ckpt_inotify_fired(struct ckpt_inotify_state *st)
{
	const struct ckpt_hdr_inotify_event *h;
	size_t off;
	unsigned int i;

	for (off = 0; off < st->events_len;
	     off += sizeof(*h) + ALIGN(h->name_len, CKPT_ALIGN)) {
		h = st->events + off;
		for (i = 0; i < st->nr_watches; i++) {
			if (st->w[i].wd == h->wd &&
			    st->w[i].mask & IN_ONESHOT)
				return true;
		}
	}
	return false;
}

/* The marks, then the events, under the group's lock (mark_mutex). */
static int ckpt_inotify_snapshot(struct fsnotify_group *group,
				 struct ckpt_inotify_state *st)
{
	int ret;

	fsnotify_group_lock(group);
	ret = ckpt_inotify_marks(group, st);
	if (ret)
		goto out_unlock;
	ret = ckpt_inotify_events(group, st);
out_unlock:
	fsnotify_group_unlock(group);
	return ret;
}

/*
 * The watches and the events of @group, as of one moment: under the
 * group's lock no watch comes or goes.  A watch on its way out (removed,
 * its inode deleted, a one-shot that fired) is waited for: its
 * IN_IGNORED comes after the lock is dropped.  If a one-shot watch still
 * looks fired after a few tries, its event came before it was made
 * one-shot.
 */
static int ckpt_inotify_read(struct ckpt_ctx *ctx, struct fsnotify_group *group,
			     struct ckpt_inotify_state *st, int fd)
{
	int tries, ret = 0;

	if (!kapi_inotify_layout_ok(group))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: this kernel's inotify events are not laid out as this module knows them",
				task_pid_vnr(ctx->target), fd);
	for (tries = 0; tries < CKPT_INOTIFY_TRIES; tries++) {
		if (tries)
			msleep(CKPT_INOTIFY_RETRY_MS);
		ret = ckpt_inotify_snapshot(group, st);
		if (!ret && ckpt_inotify_fired(st) &&
		    tries < CKPT_INOTIFY_TRIES - 1)
			ret = -EAGAIN;
		if (ret != -EAGAIN)
			break;
		ckpt_inotify_put_watches(st);
	}
	if (ret == -EAGAIN)
		return ckpt_err(ctx, ret,
				"pid %d fd %d: the watches of an inotify keep changing",
				task_pid_vnr(ctx->target), fd);
	if (ret == -E2BIG)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: an inotify with more than %u watches or events: not supported",
				task_pid_vnr(ctx->target), fd,
				CKPT_INOTIFY_EVENTS_MAX);
	if (ret == -EOPNOTSUPP)
		return ckpt_err(ctx, ret,
				"pid %d fd %d: an inotify holds an event this module does not know",
				task_pid_vnr(ctx->target), fd);
	return ret;
}

static int ckpt_inotify_cmp(const void *a, const void *b)
{
	const struct ckpt_inotify_watch *x = a, *y = b;

	return x->wd < y->wd ? -1 : x->wd > y->wd;
}

/*
 * The path of @alias through the mount @mnt, if that reaches it from
 * @root and leads back to @inode; else NULL.
 */
static char *ckpt_inotify_try(struct vfsmount *mnt, struct dentry *alias,
			      struct inode *inode, const struct path *root,
			      u32 *len)
{
	struct path p = { .mnt = mnt, .dentry = alias }, found;
	char *name;
	bool ok;

	if (mnt->mnt_sb != inode->i_sb || !is_subdir(alias, mnt->mnt_root) ||
	    !path_is_under(&p, root))
		return NULL;
	name = ckpt_path_name(&p, len);
	if (IS_ERR(name))
		return NULL;
	ok = name[0] == '/' && !kern_path(name, 0, &found);
	if (ok) {
		ok = d_inode(found.dentry) == inode;
		path_put(&found);
	}
	if (!ok) {
		kfree(name);
		return NULL;
	}
	return name;
}

/* Through each mount of @inode's file system in the checkpointer's table. */
static char *ckpt_inotify_mounts(struct ckpt_inotify_state *st,
				 struct dentry *alias, struct inode *inode,
				 const struct path *root, u32 *len)
{
	const char *pos;
	char *name = NULL;
	struct path mp;

	if (!st->mountinfo)
		st->mountinfo = kapi_mountinfo();
	if (IS_ERR(st->mountinfo))
		return NULL;
	pos = st->mountinfo;
	while (!name && kapi_mount_next(&pos, inode->i_sb->s_dev, &mp)) {
		name = ckpt_inotify_try(mp.mnt, alias, inode, root, len);
		path_put(&mp);
	}
	return name;
}

/* A path that leads to watch @w's inode from the task's root @root. */
static int ckpt_inotify_name(struct ckpt_ctx *ctx, struct ckpt_inotify_state *st,
			     struct ckpt_inotify_watch *w,
			     const struct path *root, int fd)
{
	struct dentry *alias = d_find_alias(w->inode);
	const char *why = !w->inode->i_nlink ? "unlinked" :
			  !alias ? "unlinked, or its name is not cached" :
			  d_unlinked(alias) ? "unlinked" :
			  "not on a mount it reaches";
	struct path croot;

	if (alias && !d_unlinked(alias)) {
		get_fs_root(current->fs, &croot);
		w->name = ckpt_inotify_try(croot.mnt, alias, w->inode, root,
					   &w->name_len);
		path_put(&croot);
		if (!w->name)
			w->name = ckpt_inotify_mounts(st, alias, w->inode,
						      root, &w->name_len);
	}
	dput(alias);
	if (w->name)
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d fd %d: inotify watch %d is on an inode no path reaches from its root (%s): not supported",
			task_pid_vnr(ctx->target), fd, w->wd, why);
}

static int ckpt_inotify_write(struct ckpt_ctx *ctx,
			      struct ckpt_inotify_state *st, int objref)
{
	struct ckpt_hdr_inotify h = {
		.objref = objref,
		.next_wd = st->next_wd,
		.nr_events = st->nr_events,
		.nr_watches = st->nr_watches,
	};
	struct ckpt_hdr_inotify_watch hw = {};
	struct ckpt_hdr_inotify_event *he;
	size_t extra = st->events_len, off;
	unsigned int i;
	int ret;

	for (i = 0; i < st->nr_watches; i++)
		extra += sizeof(hw) + ALIGN(st->w[i].name_len, CKPT_ALIGN);
	ret = ckpt_write_obj(ctx, &h.h, CKPT_HDR_INOTIFY, sizeof(h), extra);
	if (ret)
		goto out;
	for (off = 0; off < st->events_len;
	     off += sizeof(*he) + ALIGN(he->name_len, CKPT_ALIGN)) {
		he = st->events + off;
		ret = ckpt_write_obj(ctx, &he->h, CKPT_HDR_INOTIFY_EVENT,
				     sizeof(*he), he->name_len);
		if (ret)
			goto out;
		if (!he->name_len)
			continue;
		ret = ckpt_write_string(ctx, (char *)(he + 1), he->name_len);
		if (ret)
			goto out;
	}
	for (i = 0; i < st->nr_watches; i++) {
		hw.wd = st->w[i].wd;
		hw.mask = st->w[i].mask;
		hw.mode = st->w[i].inode->i_mode & S_IFMT;
		hw.path_len = st->w[i].name_len;
		ret = ckpt_write_obj(ctx, &hw.h, CKPT_HDR_INOTIFY_WATCH,
				     sizeof(hw), hw.path_len);
		if (ret)
			goto out;
		ret = ckpt_write_string(ctx, st->w[i].name, hw.path_len);
		if (ret)
			goto out;
	}
out:
	if (ret == -E2BIG)
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: an inotify's watches and events take more than 4 GiB",
			       task_pid_vnr(ctx->target));
	return ret;
}

static int ckpt_inotify(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct fsnotify_group *group = file->private_data;
	struct ckpt_inotify_state st = {};
	int fd = ckpt_inotify_fd(ctx, file);
	struct path root;
	unsigned int i;
	int ret;

	ret = ckpt_inotify_read(ctx, group, &st, fd);
	if (ret < 0)
		goto out;
	sort(st.w, st.nr_watches, sizeof(*st.w), ckpt_inotify_cmp, NULL);
	/* task_lock: ->fs, which exit clears */
	task_lock(ctx->target);
	if (!ctx->target->fs) {
		task_unlock(ctx->target);
		ret = -ESRCH;
		goto out;
	}
	get_fs_root(ctx->target->fs, &root);
	task_unlock(ctx->target);
	for (i = 0; i < st.nr_watches; i++) {
		ret = ckpt_inotify_name(ctx, &st, &st.w[i], &root, fd);
		if (ret)
			break;
	}
	path_put(&root);
	if (ret)
		goto out;
	ret = ckpt_inotify_write(ctx, &st, objref);
out:
	ckpt_inotify_put_watches(&st);
	if (!IS_ERR_OR_NULL(st.mountinfo))
		kvfree(st.mountinfo);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/* The events the restart queued itself, dropped once its files are set. */
struct rstr_inotify_trim {
	struct file *file;	/* referenced */
	unsigned int nr_events;	/* the image's: they stay */
};

static int rstr_inotify_trim(void *data)
{
	struct rstr_inotify_trim *t = data;
	struct fsnotify_group *group = t->file->private_data;
	struct fsnotify_event *fse, *next;
	unsigned int i = 0;
	LIST_HEAD(extra);

	/* notification_lock: the queue, its length, the overflow event */
	spin_lock(&group->notification_lock);
	list_for_each_entry_safe(fse, next, &group->notification_list, list) {
		if (i++ < t->nr_events)
			continue;
		group->q_len--;
		/* the overflow event must look unqueued at once */
		if (fse == group->overflow_event)
			list_del_init(&fse->list);
		else
			list_move_tail(&fse->list, &extra);
	}
	spin_unlock(&group->notification_lock);
	list_for_each_entry_safe(fse, next, &extra, list) {
		list_del_init(&fse->list);
		group->ops->free_event(group, fse);
	}
	fput(t->file);
	return 0;
}

/* One saved event, queued at the end; the overflow event is the group's. */
static int rstr_inotify_event(struct ckpt_ctx *ctx,
			      struct fsnotify_group *group, bool *overflowed)
{
	struct ckpt_hdr_inotify_event h;
	struct kapi_inotify_event e = {};
	struct fsnotify_event *fse;
	bool overflow, bad;
	char *name = NULL;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_INOTIFY_EVENT, sizeof(h));
	if (ret < 0)
		return ret;
	overflow = h.mask == IN_Q_OVERFLOW;
	bad = h.h.len != sizeof(h) + ALIGN(h.name_len, CKPT_ALIGN) ||
	      !h.mask || h.mask & ~CKPT_INOTIFY_EVENT_MASK ||
	      h.name_len == 1 || h.name_len > CKPT_INOTIFY_NAME_MAX;
	if (overflow)
		bad = bad || h.wd != -1 || h.cookie || h.name_len ||
		      *overflowed;
	else
		bad = bad || h.wd <= 0 || h.mask & IN_Q_OVERFLOW;
	if (bad)
		return ckpt_err(ctx, -EINVAL,
				"INOTIFY_EVENT record at offset %llu: wd %d mask %#x cookie %#x name length %u",
				ctx->hdr_pos, h.wd, h.mask, h.cookie,
				h.name_len);
	if (h.name_len) {
		name = ckpt_read_string(ctx, h.name_len);
		if (IS_ERR(name))
			return PTR_ERR(name);
		if (strchr(name, '/')) {
			kfree(name);
			return ckpt_err(ctx, -EINVAL,
					"INOTIFY_EVENT record at offset %llu: a name with a '/'",
					ctx->hdr_pos);
		}
	}
	if (overflow) {
		fse = group->overflow_event;
		*overflowed = true;
	} else {
		e.mask = h.mask;
		e.wd = h.wd;
		e.cookie = h.cookie;
		e.name_len = h.name_len ? h.name_len - 1 : 0;
		e.name = name;
		fse = kapi_inotify_event_new(&e);
		if (!fse) {
			kfree(name);
			return -ENOMEM;
		}
	}
	kfree(name);
	/* notification_lock: the queue and its length */
	spin_lock(&group->notification_lock);
	list_add_tail(&fse->list, &group->notification_list);
	group->q_len++;
	spin_unlock(&group->notification_lock);
	return 0;
}

static bool rstr_inotify_mode_ok(u32 mode)
{
	switch (mode) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return true;
	}
	return false;
}

/*
 * inotify_add_watch() at the saved path, the search for a free wd set to
 * start at the saved one: the new watch must get it.
 */
static int rstr_inotify_add(struct ckpt_ctx *ctx, int fd,
			    const struct ckpt_hdr_inotify_watch *h,
			    const char *path, char __user *upath)
{
	struct path p;
	long ret;

	ret = kern_path(path, 0, &p);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"INOTIFY_WATCH record at offset %llu: cannot find %s to watch (wd %d)",
				ctx->hdr_pos, path, h->wd);
	ret = (d_inode(p.dentry)->i_mode & S_IFMT) == h->mode ? 0 : -EINVAL;
	path_put(&p);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"INOTIFY_WATCH record at offset %llu: %s (wd %d) is no longer of type %#o",
				ctx->hdr_pos, path, h->wd, h->mode);
	if (copy_to_user(upath, path, h->path_len))
		return -EFAULT;
	ret = kapi_ioctl(fd, INOTIFY_IOC_SETNEXTWD, h->wd);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"INOTIFY_WATCH record at offset %llu: cannot set the next wd to %d (INOTIFY_IOC_SETNEXTWD)",
				ctx->hdr_pos, h->wd);
	ret = kapi_inotify_add_watch(fd, upath,
				     h->mask | IN_DONT_FOLLOW | IN_MASK_CREATE);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"INOTIFY_WATCH record at offset %llu: cannot watch %s (wd %d, mask %#x)",
				ctx->hdr_pos, path, h->wd, h->mask);
	if (ret != h->wd)
		return ckpt_err(ctx, -EINVAL,
				"INOTIFY_WATCH record at offset %llu: watching %s gave wd %ld, not %d",
				ctx->hdr_pos, path, ret, h->wd);
	return 0;
}

static int rstr_inotify_watch(struct ckpt_ctx *ctx, int fd, int *prev_wd,
			      char __user *upath)
{
	struct ckpt_hdr_inotify_watch h;
	char *path;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_INOTIFY_WATCH, sizeof(h));
	if (ret < 0)
		return ret;
	if (h.h.len != sizeof(h) + ALIGN(h.path_len, CKPT_ALIGN) ||
	    h.wd <= *prev_wd || h.mask & ~CKPT_INOTIFY_WATCH_MASK ||
	    !rstr_inotify_mode_ok(h.mode) || h.path_len > CKPT_PATH_MAX)
		return ckpt_err(ctx, -EINVAL,
				"INOTIFY_WATCH record at offset %llu: wd %d (after %d) mask %#x mode %#o path length %u",
				ctx->hdr_pos, h.wd, *prev_wd, h.mask, h.mode,
				h.path_len);
	path = ckpt_read_path(ctx, h.path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	ret = rstr_inotify_add(ctx, fd, &h, path, upath);
	kfree(path);
	*prev_wd = h.wd;
	return ret;
}

/* The events, then the watches, nested in the INOTIFY record. */
static int rstr_inotify_fill(struct ckpt_ctx *ctx, struct file *file, int fd,
			     const struct ckpt_hdr_inotify *h)
{
	struct fsnotify_group *group = file->private_data;
	bool overflowed = false;
	void __user *page;
	int ret = 0, prev = 0;
	u32 i;

	for (i = 0; i < h->nr_events && !ret; i++)
		ret = rstr_inotify_event(ctx, group, &overflowed);
	if (ret < 0 || !h->nr_watches)
		return ret;
	page = kapi_scratch_map();
	if (IS_ERR(page))
		return (int)PTR_ERR(page);
	for (i = 0; i < h->nr_watches && !ret; i++)
		ret = rstr_inotify_watch(ctx, fd, &prev, page);
	kapi_scratch_unmap(page);
	return ret;
}

static int rstr_inotify_check(struct ckpt_ctx *ctx,
			      const struct ckpt_hdr_inotify *h,
			      const struct ckpt_hdr_file *hf)
{
	/* each EVENT and WATCH is at least its header, a WATCH's path 8 */
	u64 least = sizeof(*h) +
		    (u64)h->nr_events * sizeof(struct ckpt_hdr_inotify_event) +
		    (u64)h->nr_watches *
		    (sizeof(struct ckpt_hdr_inotify_watch) + CKPT_ALIGN);

	if (h->objref != hf->objref || h->next_wd <= 0 ||
	    h->nr_events > CKPT_INOTIFY_EVENTS_MAX ||
	    h->nr_watches > CKPT_INOTIFY_WATCHES_MAX || h->h.len < least ||
	    (hf->f_flags & O_ACCMODE) != O_RDONLY ||
	    hf->f_flags & ~RSTR_INOTIFY_FLAGS)
		return ckpt_err(ctx, -EINVAL,
				"INOTIFY record at offset %llu: objref %d (FILE %d), next wd %d, %u events, %u watches, length %u, file flags %#x",
				ctx->hdr_pos, h->objref, hf->objref, h->next_wd,
				h->nr_events, h->nr_watches, h->h.len,
				hf->f_flags);
	return 0;
}

static struct file *rstr_inotify(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_file *hf, char *name)
{
	struct rstr_inotify_trim trim;
	struct ckpt_hdr_inotify h;
	u64 start, end, parent;
	struct file *file;
	long fd;
	int ret;

	ret = ckpt_read_obj(ctx, &h.h, CKPT_HDR_INOTIFY, sizeof(h));
	if (ret)
		return ERR_PTR(ret);
	ret = rstr_inotify_check(ctx, &h, hf);
	if (ret)
		return ERR_PTR(ret);
	start = ctx->hdr_pos;
	end = start + h.h.len;
	fd = kapi_inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		return rstr_anon_take(ctx, hf, fd, "inotify");
	file = fget(fd);
	if (!file || !kapi_file_is(file, KAPI_FOPS_INOTIFY)) {
		ret = -EBADF;	/* closed or replaced under us by a thread */
		goto out;
	}
	parent = ctx->limit;
	ctx->limit = end;
	ret = rstr_inotify_fill(ctx, file, fd, &h);
	ctx->limit = parent;
	if (ret)
		goto out;
	if (ctx->pos != end) {
		ret = ckpt_err(ctx, -EINVAL,
			       "INOTIFY record at offset %llu: %llu bytes after its %u events and %u watches",
			       start, end - ctx->pos, h.nr_events,
			       h.nr_watches);
		goto out;
	}
	ret = kapi_ioctl(fd, INOTIFY_IOC_SETNEXTWD, h.next_wd);
	if (ret)
		goto out;
	trim.file = get_file(file);
	trim.nr_events = h.nr_events;
	ret = ckpt_deferqueue_add(ctx, rstr_inotify_trim, 0, &trim,
				  sizeof(trim));
	if (ret < 0)
		fput(trim.file);
out:
	if (file)
		fput(file);
	if (ret < 0) {
		close_fd(fd);
		return ERR_PTR(ret);
	}
	return rstr_anon_take(ctx, hf, fd, "inotify");
}

static int ckpt_inotify_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_inotify(ctx, d->file, d->hf->objref);
}

const struct ckpt_file_ops ckpt_inotify_file_ops = {
	.name = "inotify",
	.kinds = BIT(CKPT_FILE_INOTIFY),
	.fops = KAPI_FOPS_INOTIFY,
	.checkpoint = ckpt_inotify_file,
	.restart = rstr_inotify,
};
