// SPDX-License-Identifier: GPL-2.0
/*
 * epoll.
 *
 * An epoll refers to other files: every watch is a (file, fd) pair with
 * its events and data.  Checkpoint writes the watched files first (an
 * epoll watching an epoll writes that one's first in turn), so that at
 * restart every file a watch names already exists: the epoll's FILE
 * record comes after all of them, and its EPOLL record lists the watches
 * by the objrefs of their files.  Nothing ever waits for another file or
 * task to appear.
 *
 * The watches are listed by the epoll's fdinfo (the fd each was added
 * with, events, data); which file a watch is on is what kcmp() asks the
 * epoll, a raw pointer that is only compared, never followed, until it
 * is found among files the checkpoint holds: the objhash's, or an fd
 * table of the tree.  A watched file outside the tree is refused.
 *
 * Restart adds each watch back with epoll_ctl(), the watched file put for
 * a moment at the fd number the watch had, as the process added it.  A
 * watch that was ready is polled again when added; an edge-triggered one
 * that had fired and not been re-armed may report once more.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/eventpoll.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/kapi.h>

/* events a watch may have: what epoll_ctl() accepts; as the image has them */
#define CKPT_EPOLL_EVENTS ((__force u32)(EPOLLIN | EPOLLPRI | EPOLLOUT | \
			   EPOLLERR | EPOLLHUP | EPOLLNVAL | EPOLLRDNORM | \
			   EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | \
			   EPOLLRDHUP | EPOLLEXCLUSIVE | EPOLLWAKEUP | \
			   EPOLLONESHOT | EPOLLET))

/* epoll's own bits of a watch, that are no events */
#define CKPT_EPOLL_PRIVATE ((__force u32)(EPOLLWAKEUP | EPOLLONESHOT | \
			    EPOLLET | EPOLLEXCLUSIVE))

/* A one-shot watch that fired: nothing but its flags is left. */
static bool ckpt_epoll_disarmed(u32 events)
{
	return (events & (__force u32)EPOLLONESHOT) &&
	       !(events & ~CKPT_EPOLL_PRIVATE);
}

struct ckpt_epoll_watch {
	int fd;
	u32 events;
	u64 data;
};

/* The watches, from the fdinfo lines "tfd: N events: X data: X ...". */
static int ckpt_epoll_watches(struct ckpt_ctx *ctx, struct file *file,
			      struct ckpt_epoll_watch **pw)
{
	struct ckpt_epoll_watch *w;
	char *info, *line, *p;
	int n = 0, max = 0;

	info = kapi_fdinfo(file);
	if (IS_ERR(info))
		return ckpt_err(ctx, (int)PTR_ERR(info),
				"pid %d: cannot list the watches of an epoll",
				task_pid_vnr(ctx->target));
	for (p = strstr(info, "tfd:"); p; p = strstr(p + 1, "tfd:"))
		max++;
	w = kvcalloc(max ?: 1, sizeof(*w), GFP_KERNEL);
	if (!w) {
		kvfree(info);
		return -ENOMEM;
	}
	for (p = info; (line = strsep(&p, "\n")) && n < max; ) {
		if (sscanf(line, "tfd: %d events: %x data: %llx", &w[n].fd,
			   &w[n].events, &w[n].data) == 3)
			n++;
	}
	kvfree(info);
	*pw = w;
	return n;
}

static bool ckpt_epoll_is(struct file *file, void *raw)
{
	return file == raw;
}

/*
 * The file watch @i of @ep is on, referenced: at the fd it was added
 * with, elsewhere in an fd table of the tree, or already in the objhash.
 */
static struct file *ckpt_epoll_target(struct ckpt_ctx *ctx, struct file *ep,
				      const struct ckpt_epoll_watch *w, int i)
{
	struct file *raw, *file;
	unsigned long toff = 0;
	int j;

	/* kcmp's index: among the watches added with the same fd */
	for (j = 0; j < i; j++)
		toff += w[j].fd == w[i].fd;
	raw = kapi_epoll_target(ep, w[i].fd, toff);
	if (IS_ERR(raw))
		return raw;
	if (ckpt_obj_lookup(ctx, raw, CKPT_OBJ_FILE) > 0)
		return get_file(raw);	/* the objhash holds it */
	/* first where the watch was added, then anywhere */
	file = ckpt_tree_file(ctx, w[i].fd, ckpt_epoll_is, raw);
	if (!file)
		return ERR_PTR(ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d: an epoll watches fd %d, whose file no task of the tree has open",
					task_pid_vnr(ctx->target), w[i].fd));
	return file;
}

/* Before the epoll's FILE record: the FILE records of what it watches. */
static int ckpt_epoll_deps(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_epoll_watch *w;
	struct file *target;
	int n, i, ret = 0;

	n = ckpt_epoll_watches(ctx, file, &w);
	if (n < 0)
		return n;
	for (i = 0; i < n && ret >= 0; i++) {
		target = ckpt_epoll_target(ctx, file, w, i);
		if (IS_ERR(target)) {
			ret = PTR_ERR(target);
			break;
		}
		ret = ckpt_file_obj(ctx, target, w[i].fd);
		fput(target);
	}
	kvfree(w);
	return ret < 0 ? ret : 0;
}

static int ckpt_epoll(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct ckpt_hdr_epoll he = { .objref = objref };
	struct ckpt_hdr_epoll_item hi = {};
	struct ckpt_epoll_watch *w;
	struct file *target;
	int n, i, k, ret;

	n = ckpt_epoll_watches(ctx, file, &w);
	if (n < 0)
		return n;
	he.nr_items = n;
	ret = ckpt_write_obj(ctx, &he.h, CKPT_HDR_EPOLL, sizeof(he),
			     (size_t)n * sizeof(hi));
	/* disarmed one-shot watches first: restart disarms them alone */
	for (k = 0; k < 2 * n && !ret; k++) {
		i = k % n;
		if (ckpt_epoll_disarmed(w[i].events) != (k < n))
			continue;
		target = ckpt_epoll_target(ctx, file, w, i);
		if (IS_ERR(target)) {
			ret = PTR_ERR(target);
			break;
		}
		hi.fd = w[i].fd;
		hi.file_objref = ckpt_obj_lookup(ctx, target, CKPT_OBJ_FILE);
		hi.events = w[i].events;
		hi.data = w[i].data;
		/* a cycle: the watched file's record needs the epoll first */
		if (hi.file_objref > 0 && ckpt_file_writing(ctx, target)) {
			fput(target);
			ret = ckpt_err(ctx, -EOPNOTSUPP,
				       "pid %d: an epoll watches fd %d, whose file depends on the epoll (a unix socket holding it in flight): not supported",
				       task_pid_vnr(ctx->target), w[i].fd);
			break;
		}
		fput(target);
		/* its deps were written: it changed while frozen */
		if (hi.file_objref <= 0)
			ret = ckpt_err(ctx, -EAGAIN,
				       "pid %d: the watches of an epoll changed",
				       task_pid_vnr(ctx->target));
		else
			ret = ckpt_write_obj(ctx, &hi.h, CKPT_HDR_EPOLL_ITEM,
					     sizeof(hi), 0);
	}
	kvfree(w);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/*
 * A one-shot watch that had fired: epoll_ctl() cannot add it disarmed (it
 * arms every watch for EPOLLERR and EPOLLHUP at least).  So it is added
 * armed for what its file is ready for now and made to fire at once into
 * an epoll_wait() of the restart's own, which disarms it as the process
 * saw it.  These come first in the image: no other watch of the epoll can
 * be reported instead.  A file ready for nothing leaves the watch armed
 * for EPOLLERR and EPOLLHUP.
 */
static __poll_t rstr_epoll_ready(struct file *target, u32 events)
{
	if (!ckpt_epoll_disarmed(events))
		return 0;
	return vfs_poll(target, NULL) & ~(__force __poll_t)CKPT_EPOLL_PRIVATE;
}

static long rstr_epoll_disarm(struct file *ep, struct epoll_event __user *uev)
{
	long n = kapi_epoll_wait(ep, uev + 1, 1, 0);

	return n == 1 ? 0 : n < 0 ? n : -EAGAIN;
}

/*
 * epoll_ctl(ADD) as the process made it: @target at fd @fd for the time
 * of the call, then whatever the restarting task had there put back.
 */
static int rstr_epoll_add(struct ckpt_ctx *ctx, struct file *ep,
			  struct file *target,
			  const struct ckpt_hdr_epoll_item *hi,
			  struct epoll_event __user *uev)
{
	__poll_t ready = rstr_epoll_ready(target, hi->events);
	struct epoll_event ev = {
		.events = (__force __poll_t)hi->events | ready,
		.data = hi->data,
	};
	struct file *old = fget_raw(hi->fd);
	unsigned int cloexec = 0;
	int ret;

	if (old) {
		struct files_struct *files = current->files;

		spin_lock(&files->file_lock);
		if (test_bit(hi->fd, files_fdtable(files)->close_on_exec))
			cloexec = O_CLOEXEC;
		spin_unlock(&files->file_lock);
	}

	if (copy_to_user(uev, &ev, sizeof(ev))) {
		ret = -EFAULT;
		goto out;
	}
	ret = kapi_replace_fd(hi->fd, target, 0);
	if (ret < 0)
		goto out;
	ret = kapi_epoll_ctl(ep, EPOLL_CTL_ADD, hi->fd, uev);
	if (!ret && ready)
		ret = rstr_epoll_disarm(ep, uev);
	if (old)
		kapi_replace_fd(hi->fd, old, cloexec);
	else
		close_fd(hi->fd);
out:
	if (old)
		fput(old);
	if (ret < 0)
		return ckpt_err(ctx, ret,
				"EPOLL_ITEM record at offset %llu: cannot watch fd %d (events %#x)",
				ctx->hdr_pos, hi->fd, hi->events);
	return 0;
}

static int rstr_epoll_item(struct ckpt_ctx *ctx, struct file *ep,
			   struct epoll_event __user *uev)
{
	struct ckpt_hdr_epoll_item hi;
	struct file *target;
	int ret;

	ret = ckpt_read_obj(ctx, &hi.h, CKPT_HDR_EPOLL_ITEM, sizeof(hi));
	if (ret < 0)
		return ret;
	if (hi.h.len != sizeof(hi) || hi.fd < 0 ||
	    hi.fd >= rlimit(RLIMIT_NOFILE) || hi.pad ||
	    hi.events & ~CKPT_EPOLL_EVENTS)
		return ckpt_err(ctx, -EINVAL,
				"EPOLL_ITEM record at offset %llu: fd %d, events %#x",
				ctx->hdr_pos, hi.fd, hi.events);
	target = ckpt_obj_fetch(ctx, hi.file_objref, CKPT_OBJ_FILE);
	if (IS_ERR(target))
		return ckpt_err(ctx, -EINVAL,
				"EPOLL_ITEM record at offset %llu: fd %d names file objref %d, which the image lacks",
				ctx->hdr_pos, hi.fd, hi.file_objref);
	return rstr_epoll_add(ctx, ep, target, &hi, uev);
}

static int rstr_epoll_items(struct ckpt_ctx *ctx, struct file *ep, u32 nr,
			    u64 end)
{
	void __user *page;
	u64 parent;
	int ret = 0;
	u32 i;

	if (!nr)
		return 0;
	page = kapi_scratch_map();
	if (IS_ERR(page))
		return (int)PTR_ERR(page);
	parent = ctx->limit;
	ctx->limit = end;
	for (i = 0; i < nr && !ret; i++)
		ret = rstr_epoll_item(ctx, ep, page);
	ctx->limit = parent;
	kapi_scratch_unmap(page);
	return ret;
}

static struct file *rstr_epoll(struct ckpt_ctx *ctx,
			       const struct ckpt_hdr_file *hf, char *name)
{
	struct ckpt_hdr_epoll he;
	struct file *ep;
	long fd;
	int ret;

	ret = ckpt_read_obj(ctx, &he.h, CKPT_HDR_EPOLL, sizeof(he));
	if (ret < 0)
		return ERR_PTR(ret);
	if (he.objref != hf->objref || he.nr_items > CKPT_EPOLL_ITEMS_MAX ||
	    he.h.len != sizeof(he) +
			(u64)he.nr_items * sizeof(struct ckpt_hdr_epoll_item) ||
	    hf->f_flags & ~(O_ACCMODE | O_NONBLOCK | O_LARGEFILE))
		return ERR_PTR(ckpt_err(ctx, -EINVAL,
					"EPOLL record at offset %llu: objref %d (FILE %d), %u watches, flags %#x",
					ctx->hdr_pos, he.objref, hf->objref,
					he.nr_items, hf->f_flags));
	fd = kapi_epoll_create1(O_CLOEXEC);
	if (fd < 0)
		return ERR_PTR(ckpt_err(ctx, (int)fd, "cannot create an epoll"));
	ep = fget(fd);
	close_fd(fd);
	if (!ep)
		return ERR_PTR(-EBADF);
	ret = rstr_epoll_items(ctx, ep, he.nr_items,
			       ctx->hdr_pos + he.h.len);
	if (ret < 0) {
		fput(ep);
		return ERR_PTR(ret);
	}
	spin_lock(&ep->f_lock);
	ep->f_flags = (ep->f_flags & ~O_NONBLOCK) | (hf->f_flags & O_NONBLOCK);
	spin_unlock(&ep->f_lock);
	return ep;
}

static int ckpt_epoll_file_deps(struct ckpt_ctx *ctx,
				 const struct ckpt_file_desc *d)
{
	return ckpt_epoll_deps(ctx, d->file);
}

static int ckpt_epoll_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_epoll(ctx, d->file, d->hf->objref);
}

const struct ckpt_file_ops ckpt_epoll_file_ops = {
	.name = "epoll",
	.kinds = BIT(CKPT_FILE_EPOLL),
	.fops = KAPI_FOPS_EPOLL,
	.deps = ckpt_epoll_file_deps,
	.checkpoint = ckpt_epoll_file,
	.restart = rstr_epoll,
};
