// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs.
 *
 * Every end is a FILE of its own; the pipe behind it is an object of the
 * objhash, saved once, right after the first FILE that names it, as a
 * PIPE record: its size and each buffer it holds with its packet flag.
 * The data is taken from the buffers' pages, not read: the process never
 * sees it go, and the pipe's lock is held only to take page references,
 * never while the image is written (which may itself be a pipe).
 *
 * Restart makes the pipe when it reads the first FILE naming it, with a
 * private read-write end, the holder, that the objhash keeps until the
 * restart is over.  Having a reader and a writer, the pipe lets every
 * end be opened from it without waiting for a partner: a FIFO's ends by
 * path, an anonymous pipe's from the holder's path, as a reopen through
 * /proc/PID/fd would.  The data goes in through the holder, buffer by
 * buffer, with O_DIRECT set for those that were packets: the pipe makes
 * each of them one packet again, exactly.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/file.h>
#include <checkpoint/compat.h>
#include <checkpoint/kapi.h>

static struct pipe_inode_info *ckpt_pipe_info(struct file *file)
{
	if (!kapi_file_is(file, KAPI_FOPS_PIPE))
		return NULL;
	return file->private_data;
}

/* CKPT_FILE_PIPE, CKPT_FILE_FIFO, or 0 for any other file. */
static int ckpt_pipe_kind(struct file *file)
{
	if (!S_ISFIFO(file_inode(file)->i_mode) || !ckpt_pipe_info(file))
		return 0;
	if (file_inode(file)->i_sb->s_magic == PIPEFS_MAGIC)
		return CKPT_FILE_PIPE;
	return CKPT_FILE_FIFO;
}

/* ---------------------------------------------------------------------- */
/* checkpoint */

/* The distinct files of one pipe found in the tree's fd tables. */
struct ckpt_pipe_ends {
	struct pipe_inode_info *pipe;
	struct file **seen;
	unsigned int nr, max;
	unsigned int readers, writers;
};

/* Called under each table's lock: count @file once, however often met. */
static bool ckpt_pipe_end_count(struct file *file, void *arg)
{
	struct ckpt_pipe_ends *e = arg;
	unsigned int i;

	if (ckpt_pipe_info(file) != e->pipe)
		return false;
	for (i = 0; i < e->nr; i++)
		if (e->seen[i] == file)
			return false;
	if (e->nr == e->max)
		return false;
	e->seen[e->nr++] = file;
	if (file->f_mode & FMODE_READ)
		e->readers++;
	if (file->f_mode & FMODE_WRITE)
		e->writers++;
	return false;
}

/**
 * ckpt_pipe_outside - is an end of @file's pipe held outside the tree?
 * @ctx: the task's checkpoint context
 * @file: an end of a pipe
 *
 * Every open file of a pipe counts once in its readers or writers (or
 * both); if the tree's fd tables do not hold as many, some other process
 * does (or a file in flight, which counts as another's).  Returns 1 if
 * so, 0 if the tree holds every end, or a negative errno.
 */
static int ckpt_pipe_outside(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_pipe_ends e = { .pipe = ckpt_pipe_info(file) };
	unsigned int readers, writers;

	if (!e.pipe)
		return -EINVAL;
	/* the tree is frozen; outsiders may open and close as they like */
	readers = READ_ONCE(e.pipe->readers);
	writers = READ_ONCE(e.pipe->writers);
	e.max = readers + writers;
	e.seen = kvcalloc(e.max ?: 1, sizeof(*e.seen), GFP_KERNEL);
	if (!e.seen)
		return -ENOMEM;
	ckpt_tree_file(ctx, -1, ckpt_pipe_end_count, &e);
	kvfree(e.seen);
	return e.readers < readers || e.writers < writers;
}

/* After every section: did the image get every end of the pipe? */
struct ckpt_pipe_check {
	struct ckpt_ctx *ctx;
	struct file *file;		/* the objhash holds it */
	unsigned int readers, writers;
	pid_t pid;
	int fd;
};

static void ckpt_pipe_saved_end(void *ptr, void *arg)
{
	struct ckpt_pipe_check *c = arg;
	struct file *file = ptr;

	if (ckpt_pipe_info(file) != ckpt_pipe_info(c->file))
		return;
	if (file->f_mode & FMODE_READ)
		c->readers++;
	if (file->f_mode & FMODE_WRITE)
		c->writers++;
}

static int ckpt_pipe_ends_check(void *data)
{
	struct ckpt_pipe_check *c = data;
	struct pipe_inode_info *pipe = ckpt_pipe_info(c->file);

	ckpt_obj_for_each(c->ctx, CKPT_OBJ_FILE, ckpt_pipe_saved_end, c);
	if (c->readers >= READ_ONCE(pipe->readers) &&
	    c->writers >= READ_ONCE(pipe->writers))
		return 0;
	return ckpt_err(c->ctx, -EOPNOTSUPP,
			"pid %d fd %d: pipe:[%lu]: an end of the pipe is held by a process outside the tree: not supported",
			c->pid, c->fd, file_inode(c->file)->i_ino);
}

/**
 * ckpt_pipe_defer_check - check once all is saved that the image has
 * every end of @file's pipe (some may be in flight in a socket's queue)
 * @ctx: the task's checkpoint context
 * @file: the end at @fd, which the objhash holds
 * @fd: for the message
 */
static int ckpt_pipe_defer_check(struct ckpt_ctx *ctx, struct file *file,
				 int fd)
{
	struct ckpt_pipe_check c = {
		.ctx = ctx->parent ?: ctx,
		.file = file,
		.pid = task_pid_vnr(ctx->target),
		.fd = fd,
	};

	return ckpt_deferqueue_add(c.ctx, ckpt_pipe_ends_check, 0, &c,
				   sizeof(c));
}


/* One buffer, its page referenced, to be written with the pipe unlocked. */
struct ckpt_pipe_buf {
	struct page *page;
	unsigned int offset, len;
	u32 flags;		/* CKPT_PIPE_BUF_* */
};

/* Take every buffer of @pipe, oldest first; *@nr of them. */
static int ckpt_pipe_grab(struct ckpt_ctx *ctx, struct pipe_inode_info *pipe,
			  struct ckpt_hdr_pipe *hp, struct ckpt_pipe_buf **pb)
{
	struct ckpt_pipe_buf *b = NULL;
	struct pipe_buffer *buf;
	unsigned int i, n = 0;
	int ret = 0;

	pipe_lock(pipe);
	if (pipe_has_watch_queue(pipe)) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pipe objref %d is a notification pipe: not supported",
			       hp->objref);
		goto out;
	}
	hp->size = pipe->ring_size * PAGE_SIZE;
	b = kvcalloc(pipe->ring_size, sizeof(*b), GFP_KERNEL);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = pipe->tail; i != pipe->head; i++) {
		buf = &pipe->bufs[i & (pipe->ring_size - 1)];
		if (!buf->len)
			continue;
		ret = pipe_buf_confirm(pipe, buf);
		if (!ret && !pipe_buf_get(pipe, buf))
			ret = -EFAULT;
		if (ret < 0) {
			ret = ckpt_err(ctx, ret,
				       "pipe objref %d: a buffer cannot be read",
				       hp->objref);
			break;
		}
		/* a spliced buffer holds a page the pipe only references */
		b[n].page = buf->page;
		b[n].offset = buf->offset;
		b[n].len = buf->len;
		if (buf->flags & PIPE_BUF_FLAG_PACKET)
			b[n].flags = CKPT_PIPE_BUF_PACKET;
		else if (!(buf->flags & PIPE_BUF_FLAG_CAN_MERGE))
			b[n].flags = CKPT_PIPE_BUF_NOMERGE;
		hp->bytes += buf->len;
		n++;
	}
	hp->nr_bufs = n;
out:
	pipe_unlock(pipe);
	*pb = b;
	return ret;
}

static int ckpt_pipe_bufs(struct ckpt_ctx *ctx, struct ckpt_pipe_buf *b,
			  unsigned int nr)
{
	struct ckpt_hdr_pipe_buf hb = {};
	unsigned int i;
	void *p;
	int ret;

	for (i = 0; i < nr; i++) {
		hb.len = b[i].len;
		hb.flags = b[i].flags;
		hb.offset = b[i].offset;
		ret = ckpt_write_obj(ctx, &hb.h, CKPT_HDR_PIPE_BUF, sizeof(hb),
				     hb.len);
		if (ret)
			return ret;
		p = kmap_local_page(b[i].page);
		ret = ckpt_write(ctx, p + b[i].offset, hb.len);
		kunmap_local(p);
		if (ret)
			return ret;
		ret = ckpt_write_pad(ctx, ALIGN(hb.len, CKPT_ALIGN) - hb.len);
		if (ret)
			return ret;
	}
	return 0;
}

/* The PIPE record of @file's pipe, which has objref @objref. */
static int ckpt_pipe(struct ckpt_ctx *ctx, struct file *file, int objref)
{
	struct pipe_inode_info *pipe = ckpt_pipe_info(file);
	struct ckpt_hdr_pipe hp = { .objref = objref };
	struct ckpt_pipe_buf *b;
	u64 extra;
	unsigned int i;
	int ret;

	if (ctx->file && file_inode(ctx->file) == file_inode(file))
		return ckpt_err(ctx, -EINVAL,
				"the image would be written into pipe objref %d, which it saves",
				objref);
	ret = ckpt_pipe_grab(ctx, pipe, &hp, &b);
	if (ret)
		goto out_put;
	extra = (u64)hp.nr_bufs * sizeof(struct ckpt_hdr_pipe_buf);
	for (i = 0; i < hp.nr_bufs; i++)
		extra += ALIGN(b[i].len, CKPT_ALIGN);
	ret = ckpt_write_obj(ctx, &hp.h, CKPT_HDR_PIPE, sizeof(hp), extra);
	if (ret)
		goto out_put;
	ret = ckpt_pipe_bufs(ctx, b, hp.nr_bufs);
out_put:
	for (i = 0; b && i < hp.nr_bufs; i++)
		put_page(b[i].page);
	kvfree(b);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

/*
 * F_SETPIPE_SZ, through fcntl() as the process would call it, with its
 * limits (pipe-max-size, the user's pipe pages).  The pipe is empty yet.
 */
static int rstr_pipe_resize(struct ckpt_ctx *ctx, struct file *holder,
			    unsigned int size)
{
	struct pipe_inode_info *pipe = holder->private_data;
	long ret;

	if (pipe->ring_size * PAGE_SIZE == size)
		return 0;
	ret = kapi_file_fcntl(holder, F_SETPIPE_SZ, size);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot size a pipe to %u bytes",
				size);
	if (ret != size)
		return ckpt_err(ctx, -EINVAL,
				"a pipe sized to %u bytes has %ld", size, ret);
	return 0;
}

static void rstr_set_flags(struct file *file, unsigned int set,
			   unsigned int clear)
{
	/* f_lock: f_flags, as fcntl(F_SETFL) changes them */
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~clear) | set;
	spin_unlock(&file->f_lock);
}

/*
 * The buffer just written holds its data at the start of a new page (a
 * write of at most a page into a buffer that had no room for it): put
 * it where it was in its page, so that what a later write may add to it
 * is what it was, and take away the right to add to it if it had none.
 */
static void rstr_pipe_buf_place(struct file *holder,
				const struct ckpt_hdr_pipe_buf *hb)
{
	struct pipe_inode_info *pipe = holder->private_data;
	struct pipe_buffer *buf;
	void *p;

	pipe_lock(pipe);
	buf = &pipe->bufs[(pipe->head - 1) & (pipe->ring_size - 1)];
	if (hb->offset && !buf->offset && buf->len == hb->len) {
		p = kmap_local_page(buf->page);
		memmove(p + hb->offset, p, hb->len);
		kunmap_local(p);
		buf->offset = hb->offset;
	}
	if (hb->flags & CKPT_PIPE_BUF_NOMERGE)
		buf->flags &= ~PIPE_BUF_FLAG_CAN_MERGE;
	pipe_unlock(pipe);
}

/* One PIPE_BUF, written in as one buffer: a packet if it was one. */
static int rstr_pipe_buf(struct ckpt_ctx *ctx, struct file *holder,
			 void *page, u32 *left)
{
	struct ckpt_hdr_pipe_buf hb;
	bool packet;
	loff_t pos = 0;
	ssize_t n;
	int ret;

	ret = ckpt_read_obj(ctx, &hb.h, CKPT_HDR_PIPE_BUF, sizeof(hb));
	if (ret < 0)
		return ret;
	if (!hb.len || hb.len > PAGE_SIZE || hb.len > *left ||
	    hb.offset > PAGE_SIZE - hb.len || hb.pad ||
	    hb.flags & ~CKPT_PIPE_BUF_FLAGS ||
	    hb.flags == CKPT_PIPE_BUF_FLAGS ||
	    hb.h.len != sizeof(hb) + ALIGN(hb.len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"PIPE_BUF record at offset %llu: %u bytes at %u (%u left in the pipe), flags %#x",
				ctx->hdr_pos, hb.len, hb.offset, *left,
				hb.flags);
	ret = ckpt_read(ctx, page, hb.len);
	if (ret)
		return ret;
	ret = ckpt_read_pad(ctx, hb.len);
	if (ret)
		return ret;
	packet = hb.flags & CKPT_PIPE_BUF_PACKET;
	rstr_set_flags(holder, packet ? O_DIRECT : 0, packet ? 0 : O_DIRECT);
	n = kernel_write(holder, page, hb.len, &pos);
	if (n != hb.len)
		return ckpt_err(ctx, n < 0 ? (int)n : -ENOSPC,
				"PIPE_BUF record at offset %llu does not fit in its pipe",
				ctx->hdr_pos);
	rstr_pipe_buf_place(holder, &hb);
	*left -= hb.len;
	return 0;
}

static int rstr_pipe_check(struct ckpt_ctx *ctx, struct ckpt_hdr_pipe *hp,
			   int objref)
{
	u64 slots = hp->size / PAGE_SIZE;

	if (hp->objref != objref || hp->pad ||
	    hp->size < PAGE_SIZE || hp->size > CKPT_PIPE_SIZE_MAX ||
	    !is_power_of_2(hp->size) || hp->nr_bufs > slots ||
	    hp->bytes > hp->size ||
	    hp->h.len < sizeof(*hp) +
			(u64)hp->nr_bufs * sizeof(struct ckpt_hdr_pipe_buf) +
			hp->bytes)
		return ckpt_err(ctx, -EINVAL,
				"PIPE record at offset %llu: objref %d (FILE names %d), size %u, %u buffers, %llu bytes",
				ctx->hdr_pos, hp->objref, objref, hp->size,
				hp->nr_bufs, hp->bytes);
	return 0;
}

/*
 * The refill is written through the pipe, and pipe_write() stamps a
 * FIFO's mtime and ctime as any write: put back what they were before,
 * the restart's writes being no change of the FIFO's.
 */
static void rstr_pipe_times(struct file *holder, const struct ckpt_cmtime *t)
{
	struct inode *inode = file_inode(holder);

	inode_lock(inode);
	ckpt_cmtime_set(inode, t);
	mark_inode_dirty_sync(inode);
	inode_unlock(inode);
}

/* The PIPE record after the first FILE of pipe @objref: fill @holder. */
static int rstr_pipe_fill(struct ckpt_ctx *ctx, struct file *holder,
			  int objref)
{
	struct ckpt_hdr_pipe hp;
	struct ckpt_cmtime times;
	u64 end, parent;
	void *page;
	u32 left, i;
	int ret;

	ret = ckpt_read_obj(ctx, &hp.h, CKPT_HDR_PIPE, sizeof(hp));
	if (ret)
		return ret;
	ret = rstr_pipe_check(ctx, &hp, objref);
	if (ret)
		return ret;
	ret = rstr_pipe_resize(ctx, holder, hp.size);
	if (ret)
		return ret;
	page = (void *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	end = ctx->hdr_pos + hp.h.len;
	parent = ctx->limit;
	ctx->limit = end;
	left = hp.bytes;
	ckpt_cmtime_get(file_inode(holder), &times);
	for (i = 0; i < hp.nr_bufs && !ret; i++)
		ret = rstr_pipe_buf(ctx, holder, page, &left);
	if (hp.nr_bufs)
		rstr_pipe_times(holder, &times);
	ctx->limit = parent;
	free_page((unsigned long)page);
	rstr_set_flags(holder, 0, O_DIRECT);
	if (!ret && (left || ctx->pos != end))
		ret = ckpt_err(ctx, -EINVAL,
			       "PIPE record at offset %llu: its buffers hold %llu bytes, not %llu",
			       ctx->hdr_pos, hp.bytes - left, hp.bytes);
	return ret;
}

/* A new anonymous pipe, seen through its holder. */
static struct file *rstr_pipe_new(struct ckpt_ctx *ctx)
{
	struct file *res[2], *holder;
	int ret;

	ret = kapi_create_pipe_files(res, 0);
	if (ret < 0) {
		ckpt_err(ctx, ret, "cannot create a pipe");
		return ERR_PTR(ret);
	}
	holder = dentry_open(&res[0]->f_path, O_RDWR | O_NONBLOCK,
			     current_cred());
	fput(res[0]);
	fput(res[1]);
	return holder;
}

/*
 * A FIFO's holder is opened as the process could open it: read-write if
 * it may write it, else read-only (then it holds no data to put back,
 * or the fill fails: writing needs write permission).
 */
static struct file *rstr_fifo_holder(struct ckpt_ctx *ctx, const char *name)
{
	struct file *holder;

	holder = filp_open(name, O_RDWR | O_NONBLOCK | O_NOFOLLOW, 0);
	if (PTR_ERR_OR_ZERO(holder) == -EACCES)
		holder = filp_open(name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW, 0);
	if (IS_ERR(holder)) {
		ckpt_err(ctx, (int)PTR_ERR(holder), "cannot open FIFO %s",
			 name);
		return holder;
	}
	if (ckpt_pipe_kind(holder) != CKPT_FILE_FIFO) {
		fput(holder);
		ckpt_err(ctx, -EINVAL, "%s is no longer a FIFO", name);
		return ERR_PTR(-EINVAL);
	}
	return holder;
}

/* The pipe of @hf: made and filled on its first FILE, then shared. */
static struct file *rstr_pipe_holder(struct ckpt_ctx *ctx,
				     const struct ckpt_hdr_file *hf,
				     const char *name)
{
	struct file *holder;
	int ret;

	holder = ckpt_obj_fetch(ctx, hf->obj_objref, CKPT_OBJ_PIPE);
	if (!IS_ERR(holder))
		return get_file(holder);
	holder = hf->kind == CKPT_FILE_PIPE ? rstr_pipe_new(ctx) :
		 rstr_fifo_holder(ctx, name);
	if (IS_ERR(holder))
		return holder;
	ret = ckpt_obj_insert(ctx, holder, hf->obj_objref, CKPT_OBJ_PIPE);
	if (ret) {
		ret = ckpt_err(ctx, ret,
			       "FILE record at offset %llu: objref %d is no pipe",
			       ctx->hdr_pos, hf->obj_objref);
		goto out_put;
	}
	ret = rstr_pipe_fill(ctx, holder, hf->obj_objref);
	if (ret)
		goto out_put;
	return holder;

out_put:
	fput(holder);
	return ERR_PTR(ret);
}

/*
 * A pipe end of a FILE record.  The holder keeps a reader (and a writer,
 * if it could open one) on the pipe; opened non-blocking, an end never
 * waits for a partner, and gets its own blocking mode after.  O_DIRECT,
 * which open() refuses on a pipe, is set as pipe2() sets it.
 */
static struct file *rstr_pipe_open(struct ckpt_ctx *ctx,
				   const struct ckpt_hdr_file *hf, char *name)
{
	unsigned int flags = (hf->f_flags & ~O_DIRECT) | O_NONBLOCK;
	struct file *holder, *file;

	if (hf->obj_objref <= 0 ||
	    (hf->kind == CKPT_FILE_FIFO && hf->f_flags & O_DIRECT)) {
		ckpt_err(ctx, -EINVAL,
			 "FILE record at offset %llu: pipe objref %d, flags %#x",
			 ctx->hdr_pos, hf->obj_objref, hf->f_flags);
		return ERR_PTR(-EINVAL);
	}
	holder = rstr_pipe_holder(ctx, hf, name);
	if (IS_ERR(holder))
		return holder;
	if (ckpt_pipe_kind(holder) != hf->kind) {
		ckpt_err(ctx, -EINVAL,
			 "FILE record at offset %llu: pipe objref %d is not a %s",
			 ctx->hdr_pos, hf->obj_objref,
			 hf->kind == CKPT_FILE_FIFO ? "FIFO" : "pipe");
		file = ERR_PTR(-EINVAL);
		goto out;
	}
	if (hf->kind == CKPT_FILE_FIFO)
		file = filp_open(name, flags | O_NOFOLLOW, 0);
	else
		file = dentry_open(&holder->f_path, flags, current_cred());
	if (IS_ERR(file)) {
		ckpt_err(ctx, (int)PTR_ERR(file), "cannot open %s", name);
		goto out;
	}
	if (file_inode(file) != file_inode(holder)) {
		fput(file);
		ckpt_err(ctx, -EINVAL, "%s is no longer the FIFO it was", name);
		file = ERR_PTR(-EINVAL);
		goto out;
	}
	rstr_set_flags(file, hf->f_flags & (O_DIRECT | O_NONBLOCK),
		       O_NONBLOCK);
	rstr_file_nofollow(file, hf->f_flags);
out:
	fput(holder);
	return file;
}

/*
 * A FIFO is opened again by its path; a pipe is the tree's, or at fds
 * 0-2 the caller's if an end is held outside the tree (INHERIT).
 */
static int ckpt_pipe_match(struct ckpt_ctx *ctx,
			   const struct ckpt_file_desc *d)
{
	int kind = ckpt_pipe_kind(d->file), outside, ret;

	if (kind == CKPT_FILE_FIFO && d_unlinked(d->file->f_path.dentry))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d fd %d: %s is an unlinked FIFO: not supported",
				task_pid_vnr(ctx->target), d->fd, d->name);
	if (kind != CKPT_FILE_PIPE)
		return kind;
	outside = ckpt_pipe_outside(ctx, d->file);
	if (outside <= 0)
		return outside ?: kind;
	if (ckpt_file_stdio(d))
		return CKPT_FILE_INHERIT;
	/*
	 * Not in the tables, an end may still be in flight in a socket of
	 * the tree: checked once every section is written.
	 */
	ret = ckpt_pipe_defer_check(ctx, d->file, d->fd);
	return ret < 0 ? ret : kind;
}

static int ckpt_pipe_file(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d)
{
	return ckpt_pipe(ctx, d->file, d->hf->obj_objref);
}

const struct ckpt_file_ops ckpt_pipe_file_ops = {
	.name = "pipe",
	.kinds = BIT(CKPT_FILE_PIPE) | BIT(CKPT_FILE_FIFO),
	.by_path = BIT(CKPT_FILE_FIFO),
	.match = ckpt_pipe_match,
	.obj = ckpt_file_inode_obj,
	.checkpoint = ckpt_pipe_file,
	.restart = rstr_pipe_open,
};
