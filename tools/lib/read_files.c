// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: FS, FILE, FILE_DATA, UNLINKED, PIPE, FILES, FD, LOCK.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- files: FS, FILE, FILE_DATA, FILES and its FDs ---- */

/* A NUL-terminated string of @len bytes (and padding) into rec->path. */
int rd_string(struct ckpt_reader *r, struct ckpt_rec *rec, __u32 len,
		     int absolute)
{
	if (len < 2 || len > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad %s string length %u",
			      ckpt_type_name(rec->u.h.type), len);
	if (rd_data(r, len, rec))
		return -1;
	memcpy(rec->path, r->buf, len);
	if (strnlen(rec->path, len) != len - 1 ||
	    (absolute && rec->path[0] != '/'))
		return rd_err(r, rec->off, "malformed %s path",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

int rd_fs(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_fs *f = &rec->u.fs;
	char cwd[CKPT_PATH_MAX];

	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)))
		return -1;
	if (r->saw_fs++)
		return rd_err(r, rec->off, "second FS record");
	if (rd_obj_record(r, rec, CKPT_OBJ_KIND_FS, f->objref))
		return -1;
	if (f->umask & ~0777U)
		return rd_err(r, rec->off, "bad umask %#o", f->umask);
	if (f->cwd_len > CKPT_PATH_MAX || f->root_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*f) + CKPT_ALIGN_UP(f->cwd_len) +
		   CKPT_ALIGN_UP(f->root_len)))
		return rd_err(r, rec->off, "bad FS path lengths");
	if (rd_string(r, rec, f->cwd_len, 1))
		return -1;
	memcpy(cwd, rec->path, f->cwd_len);
	if (rd_string(r, rec, f->root_len, 1))
		return -1;
	memcpy(rec->path, cwd, f->cwd_len);
	return 0;
}

static int rd_data_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (r->data_objref)
		return rd_err(r, rec->off,
			      "unlinked file objref %d lacks %llu bytes of data",
			      r->data_objref,
			      (unsigned long long)r->data_left);
	return 0;
}

/* Open files come with the section that brings its fd table. */
static int rd_with_files(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (!r->sec_new[CKPT_OBJ_KIND_FILES])
		return rd_err(r, rec->off,
			      "%s record in the section of task %d, whose fd table an earlier section brought",
			      ckpt_type_name(rec->u.h.type),
			      r->tasks[r->section].pid);
	return 0;
}

static int rd_is_pipe(__u32 kind)
{
	return kind == CKPT_FILE_PIPE || kind == CKPT_FILE_FIFO;
}

/* Kinds whose FILE names an object of its own by obj_objref. */
static int rd_has_obj(__u32 kind)
{
	return rd_is_pipe(kind) || kind == CKPT_FILE_UNIX ||
	       kind == CKPT_FILE_PTY || kind == CKPT_FILE_UNLINKED;
}

/* Kinds opened again by their path; the others' path only describes it. */
static int rd_by_path(__u32 kind)
{
	return kind == CKPT_FILE_REG || kind == CKPT_FILE_DIR ||
	       kind == CKPT_FILE_CHR || kind == CKPT_FILE_UNLINKED ||
	       kind == CKPT_FILE_FIFO;
}

/* The record that comes right after a FILE of @kind and has its state. */
static __u32 rd_anon_type(__u32 kind)
{
	switch (kind) {
	case CKPT_FILE_EVENTFD:
		return CKPT_HDR_EVENTFD;
	case CKPT_FILE_SIGNALFD:
		return CKPT_HDR_SIGNALFD;
	case CKPT_FILE_TIMERFD:
		return CKPT_HDR_TIMERFD;
	case CKPT_FILE_EPOLL:
		return CKPT_HDR_EPOLL;
	case CKPT_FILE_INOTIFY:
		return CKPT_HDR_INOTIFY;
	}
	return 0;
}

static int rd_file_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	int inherit = f->kind == CKPT_FILE_INHERIT;
	const char *owner;

	if (f->objref <= 0)
		return rd_err(r, rec->off, "bad FILE objref %d", f->objref);
	owner = rd_objref_owner(r, f->objref);
	if (owner)
		return rd_err(r, rec->off, "FILE objref %d is already taken (%s)",
			      f->objref, owner);
	if (f->kind < CKPT_FILE_REG || f->kind > CKPT_FILE_MAX_KIND)
		return rd_err(r, rec->off, "bad FILE kind %u", f->kind);
	if (f->f_flags & ~CKPT_FILE_FLAGS_ALL)
		return rd_err(r, rec->off, "bad FILE flags %#x", f->f_flags);
	/* a new epoll gets only the O_NONBLOCK of these */
	if (f->kind == CKPT_FILE_EPOLL && f->f_flags & ~RD_EPOLL_FILE_FLAGS)
		return rd_err(r, rec->off, "epoll FILE objref %d with flags %#o",
			      f->objref, f->f_flags);
	if (f->kind == CKPT_FILE_INOTIFY &&
	    f->f_flags & ~RD_INOTIFY_FILE_FLAGS)
		return rd_err(r, rec->off,
			      "inotify FILE objref %d with flags %#o",
			      f->objref, f->f_flags);
	if (rd_has_obj(f->kind) ? f->obj_objref <= 0 : f->obj_objref != 0)
		return rd_err(r, rec->off,
			      "%s FILE objref %d with %s objref %d",
			      ckpt_file_kind_name(f->kind), f->objref,
			      f->kind == CKPT_FILE_UNIX ? "socket" :
			      f->kind == CKPT_FILE_PTY ? "pty" :
			      f->kind == CKPT_FILE_UNLINKED ? "inode" : "pipe",
			      f->obj_objref);
	/* packets are for anonymous pipes: open() refuses O_DIRECT on a FIFO */
	if (f->kind == CKPT_FILE_FIFO && f->f_flags & RD_O_DIRECT)
		return rd_err(r, rec->off, "fifo FILE objref %d with O_DIRECT",
			      f->objref);
	if (inherit ? f->inherit_fd < 0 : f->inherit_fd != -1)
		return rd_err(r, rec->off, "bad FILE inherit fd %d",
			      f->inherit_fd);
	if (f->pos > RD_MAX_FILE || f->size > RD_MAX_FILE)
		return rd_err(r, rec->off, "bad FILE offset or size");
	return 0;
}

/*
 * A PIPE or FIFO file names its pipe: the first to name it is followed
 * by the pipe's PIPE record, later ones only name it.  A pipe is
 * anonymous or a FIFO, and its objref is its own.
 */
static int rd_file_pipe(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	int fifo = f->kind == CKPT_FILE_FIFO;
	const char *owner;

	if (rd_refset_has(&r->pipes, f->obj_objref)) {
		if (rd_refset_has(&r->fifos, f->obj_objref) == fifo)
			return 0;
		return rd_err(r, rec->off,
			      "%s FILE objref %d names pipe %d, which is %s",
			      ckpt_file_kind_name(f->kind), f->objref,
			      f->obj_objref,
			      fifo ? "an anonymous pipe" : "a FIFO");
	}
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: pipe objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (rd_refset_add(&r->pipes, f->obj_objref) ||
	    (fifo && rd_refset_add(&r->fifos, f->obj_objref)))
		return rd_err(r, rec->off, "out of memory");
	r->pipe_objref = f->obj_objref;
	r->pipe_file = f->objref;
	r->state = RD_PIPE;
	return 0;
}

/*
 * A UNIX file names its socket the same way: the first FILE naming it
 * is followed by the socket's UNIX record (and a new peer's), later
 * ones only name it - but none may name a socket whose record said it
 * has no FILE (PEER_CLOSED).  A socket's objref is its own.
 */
static int rd_file_unix(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	const char *owner;

	if (rd_refset_has(&r->socks, f->obj_objref)) {
		if (!rd_refset_has(&r->closed_socks, f->obj_objref))
			return 0;
		return rd_err(r, rec->off,
			      "unix FILE objref %d names socket %d, whose UNIX record says it has no file (PEER_CLOSED)",
			      f->objref, f->obj_objref);
	}
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: socket objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (rd_refset_add(&r->socks, f->obj_objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_objref = f->obj_objref;
	r->unix_file = f->objref;
	r->unix_first = 0;
	r->state = RD_UNIX;
	return 0;
}

/*
 * An UNLINKED file names its inode: the first FILE naming it is followed
 * by the inode's UNLINKED record (and its data), later ones only name it.
 * An inode's objref is its own.
 */
static int rd_file_unlinked(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	const char *owner;

	if (rd_refset_has(&r->inodes, f->obj_objref))
		return 0;
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: inode objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (rd_refset_add(&r->inodes, f->obj_objref))
		return rd_err(r, rec->off, "out of memory");
	r->inode_objref = f->obj_objref;
	r->anon_type = CKPT_HDR_UNLINKED;
	r->anon_file = f->objref;
	r->state = RD_ANON;
	return 0;
}

int rd_file(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file *f = &rec->u.file;

	if (rd_data_done(r, rec) || rd_with_files(r, rec))
		return -1;
	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)) || rd_file_check(r, rec))
		return -1;
	/* an INHERIT, PIPE or anonymous file's "path" only describes it */
	if (f->path_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*f) + CKPT_ALIGN_UP(f->path_len)) ||
	    rd_string(r, rec, f->path_len, rd_by_path(f->kind)))
		return -1;
	if (rd_refset_add(&r->files, f->objref))
		return rd_err(r, rec->off, "out of memory");
	r->anon_type = rd_anon_type(f->kind);
	if (r->anon_type) {
		r->anon_file = f->objref;
		r->state = RD_ANON;
	}
	if (rd_is_pipe(f->kind))
		return rd_file_pipe(r, rec);
	if (f->kind == CKPT_FILE_PTY)
		return rd_file_pty(r, rec);
	if (f->kind == CKPT_FILE_UNLINKED)
		return rd_file_unlinked(r, rec);
	return f->kind == CKPT_FILE_UNIX ? rd_file_unix(r, rec) : 0;
}

/*
 * The UNLINKED record of an inode: a regular file's mode, an owner the
 * checkpointer could name, no more data than its size.  Its FILE_DATA
 * records come right after it.
 */
int rd_unlinked(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unlinked *u = &rec->u.unlinked;

	if (rd_len(r, rec, sizeof(*u)) || rd_body(r, rec, sizeof(*u)))
		return -1;
	if (u->objref != r->inode_objref)
		return rd_err(r, rec->off,
			      "UNLINKED objref %d after FILE objref %d of inode %d",
			      u->objref, r->anon_file, r->inode_objref);
	if ((u->mode & 0170000) != 0100000 || u->mode & ~0177777U)
		return rd_err(r, rec->off, "UNLINKED mode %#o: no regular file",
			      u->mode);
	if (u->uid == (__u32)-1 || u->gid == (__u32)-1)
		return rd_err(r, rec->off, "bad UNLINKED owner %u:%u", u->uid,
			      u->gid);
	if (u->size > RD_MAX_FILE || u->data > u->size)
		return rd_err(r, rec->off,
			      "UNLINKED of size %llu with %llu bytes of data",
			      (unsigned long long)u->size,
			      (unsigned long long)u->data);
	if (u->atime_nsec >= 1000000000U || u->mtime_nsec >= 1000000000U)
		return rd_err(r, rec->off, "bad UNLINKED nanoseconds %u %u",
			      u->atime_nsec, u->mtime_nsec);
	r->data_objref = u->data ? r->anon_file : 0;
	r->data_off = 0;
	r->data_size = u->size;
	r->data_left = u->data;
	r->state = RD_EXTRA;
	return 0;
}

/*
 * A PIPE record: the pipe's size and how its nr_bufs buffers, which
 * follow nested, fill it.  What the counts allow is checked here, so
 * that a record that cannot add up fails at its start; the buffers are
 * checked against them as they come.
 */
int rd_pipe(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pipe *p = &rec->u.pipe;
	__u64 base;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)))
		return -1;
	if (p->objref != r->pipe_objref)
		return rd_err(r, rec->off,
			      "PIPE objref %d after FILE objref %d of pipe %d",
			      p->objref, r->pipe_file, r->pipe_objref);
	if (p->pad)
		return rd_err(r, rec->off, "nonzero PIPE padding");
	/* a power of two no smaller than a page is a whole number of them */
	if (p->size < r->page_size || p->size > CKPT_PIPE_SIZE_MAX ||
	    p->size & (p->size - 1))
		return rd_err(r, rec->off, "bad PIPE size %u", p->size);
	if (p->bytes > p->size)
		return rd_err(r, rec->off, "PIPE bytes %llu above its size %u",
			      (unsigned long long)p->bytes, p->size);
	if (p->nr_bufs > p->size / r->page_size)
		return rd_err(r, rec->off,
			      "PIPE of %u buffers, more than its size %u holds",
			      p->nr_bufs, p->size);
	/* each buffer holds 1 to page_size bytes */
	if (p->bytes < p->nr_bufs ||
	    p->bytes > (__u64)p->nr_bufs * r->page_size)
		return rd_err(r, rec->off,
			      "PIPE of %u buffers cannot hold %llu bytes",
			      p->nr_bufs, (unsigned long long)p->bytes);
	/* each buffer's data is padded by 0 to CKPT_ALIGN - 1 bytes */
	base = sizeof(*p) + (__u64)p->nr_bufs *
	       sizeof(struct ckpt_hdr_pipe_buf) + p->bytes;
	if (rec->u.h.len < base ||
	    rec->u.h.len > base + (__u64)p->nr_bufs * (CKPT_ALIGN - 1))
		return rd_err(r, rec->off,
			      "bad PIPE record length %u for %u buffers of %llu bytes",
			      rec->u.h.len, p->nr_bufs,
			      (unsigned long long)p->bytes);
	r->pipe_objref = 0;
	r->pipe_off = rec->off;
	r->pipe_end = rec->off + rec->u.h.len;
	r->pipe_bytes = p->bytes;
	r->pipe_data = 0;
	r->bufs_left = r->nr_bufs = p->nr_bufs;
	r->state = p->nr_bufs ? RD_PIPE_BUF : RD_EXTRA;
	return 0;
}

int rd_pipe_buf(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pipe_buf *b = &rec->u.pipe_buf;

	if (rec->u.h.len < sizeof(*b))
		return rd_len(r, rec, sizeof(*b));
	if (rd_body(r, rec, sizeof(*b)))
		return -1;
	if (!b->len || b->len > r->page_size)
		return rd_err(r, rec->off, "bad PIPE_BUF length %u", b->len);
	if (b->flags & ~CKPT_PIPE_BUF_FLAGS ||
	    b->flags == CKPT_PIPE_BUF_FLAGS)
		return rd_err(r, rec->off, "unknown PIPE_BUF flags %#x",
			      b->flags);
	if (b->offset > r->page_size - b->len)
		return rd_err(r, rec->off,
			      "PIPE_BUF of %u bytes at offset %u runs past its page",
			      b->len, b->offset);
	if (b->pad)
		return rd_err(r, rec->off, "nonzero PIPE_BUF padding");
	if (rd_len(r, rec, sizeof(*b) + CKPT_ALIGN_UP(b->len)))
		return -1;
	if (b->len > r->pipe_bytes - r->pipe_data)
		return rd_err(r, rec->off,
			      "PIPE_BUF data past the %llu bytes of its PIPE",
			      (unsigned long long)r->pipe_bytes);
	if (rd_data(r, b->len, rec))
		return -1;
	r->pipe_data += b->len;
	r->bufs_left--;
	if (!r->bufs_left && r->pos != r->pipe_end)
		return rd_err(r, r->pipe_off,
			      "PIPE record has %llu bytes after its %u buffers",
			      (unsigned long long)(r->pipe_end - r->pos),
			      r->nr_bufs);
	if (r->bufs_left && r->pos == r->pipe_end)
		return rd_err(r, r->pipe_off,
			      "PIPE record ends after %u of its %u buffers",
			      r->nr_bufs - r->bufs_left, r->nr_bufs);
	if (!r->bufs_left && r->pipe_data != r->pipe_bytes)
		return rd_err(r, r->pipe_off,
			      "PIPE buffers hold %llu bytes, not its %llu",
			      (unsigned long long)r->pipe_data,
			      (unsigned long long)r->pipe_bytes);
	if (!r->bufs_left)
		r->state = RD_EXTRA;
	return 0;
}

int rd_file_data(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file_data *d = &rec->u.file_data;
	__u64 left;
	size_t n;

	if (rec->u.h.len < sizeof(*d))
		return rd_len(r, rec, sizeof(*d));
	if (rd_body(r, rec, sizeof(*d)))
		return -1;
	if (!r->data_objref || d->objref != r->data_objref ||
	    !d->len || d->len > CKPT_FILE_DATA_MAX || d->len > r->data_left)
		return rd_err(r, rec->off,
			      "FILE_DATA does not continue an unlinked file");
	if (d->offset < r->data_off || d->offset > r->data_size ||
	    d->len > r->data_size - d->offset)
		return rd_err(r, rec->off,
			      "FILE_DATA of %u bytes at %llu overlaps the one before (ending at %llu) or runs past the size %llu",
			      d->len, (unsigned long long)d->offset,
			      (unsigned long long)r->data_off,
			      (unsigned long long)r->data_size);
	if (rd_len(r, rec, sizeof(*d) + CKPT_ALIGN_UP(d->len)))
		return -1;
	for (left = CKPT_ALIGN_UP(d->len); left; left -= n) {
		n = left < r->buf_size ? left : r->buf_size;
		if (rd_need(r, r->buf, n, rec))
			return -1;
	}
	r->data_off = d->offset + d->len;
	r->data_left -= d->len;
	if (!r->data_left)
		r->data_objref = 0;
	return 0;
}

int rd_files(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_files *f = &rec->u.files;

	if (rd_data_done(r, rec))
		return -1;
	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)))
		return -1;
	if (r->saw_files++)
		return rd_err(r, rec->off, "second FILES record");
	if (rd_obj_record(r, rec, CKPT_OBJ_KIND_FILES, f->objref))
		return -1;
	if (f->objref <= 0 || f->nr_fds > RD_MAX_FDS)
		return rd_err(r, rec->off, "bad FILES objref %d or count %u",
			      f->objref, f->nr_fds);
	if (rd_len(r, rec, sizeof(*f) +
		   (__u64)f->nr_fds * sizeof(struct ckpt_hdr_fd)))
		return -1;
	r->files_off = rec->off;
	r->files_end = rec->off + rec->u.h.len;
	r->fds_left = f->nr_fds;
	r->last_fd = -1;
	if (f->nr_fds)
		r->state = RD_FD;
	return 0;
}

int rd_fd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_fd *f = &rec->u.fd;

	if (rd_len(r, rec, sizeof(*f)) || rd_body(r, rec, sizeof(*f)))
		return -1;
	if (f->fd <= r->last_fd || f->flags & ~CKPT_FD_CLOEXEC || f->pad)
		return rd_err(r, rec->off, "bad FD %d (after %d) flags %#x",
			      f->fd, r->last_fd, f->flags);
	if (!rd_file_known(r, f->file_objref))
		return rd_err(r, rec->off, "FD %d names unknown file objref %d",
			      f->fd, f->file_objref);
	r->last_fd = f->fd;
	if (--r->fds_left == 0)
		r->state = RD_EXTRA;
	return 0;
}

/* What restart requires before the contents. */
int rd_extra_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (rd_data_done(r, rec))
		return -1;
	const char *missing = NULL;

	if (r->sec_new[CKPT_OBJ_KIND_FS] && !r->saw_fs)
		missing = "FS";
	else if (r->sec_new[CKPT_OBJ_KIND_FILES] && !r->saw_files)
		missing = "FILES";
	else if (r->sec_new[CKPT_OBJ_KIND_SIGHAND] && !r->saw_sighand)
		missing = "SIGHAND";
	else if (!r->saw_signal)
		missing = "SIGNAL";
	else if (!r->saw_cred)
		missing = "CRED";
	else if (r->sec_new[CKPT_OBJ_KIND_SIGNAL] && !r->saw_rlimits)
		missing = "RLIMITS";
	if (missing)
		return rd_err(r, rec->off,
			      "no %s record in the section of task %d",
			      missing, r->tasks[r->section].pid);
	return 0;
}

/* Is @pid a live process of the TREE? */
static int rd_tree_process(const struct ckpt_reader *r, __s32 pid)
{
	__u32 i;

	for (i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].pid == pid && r->tasks[i].tgid == pid &&
		    !(r->tasks[i].flags & CKPT_TREE_ZOMBIE))
			return 1;
	return 0;
}

/*
 * A file lock: a POSIX one after the FILES of the table owning it, an
 * OFD or flock one after the FILE owning it.
 */
int rd_lock(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_lock *l = &rec->u.lock;
	__s32 files = r->objrefs[r->section][CKPT_OBJ_KIND_FILES];
	int posix;

	if (rd_data_done(r, rec) || rd_with_files(r, rec) ||
	    rd_len(r, rec, sizeof(*l)) || rd_body(r, rec, sizeof(*l)))
		return -1;
	posix = l->kind == CKPT_LOCK_POSIX;
	if (l->kind < CKPT_LOCK_POSIX || l->kind > CKPT_LOCK_FLOCK ||
	    l->type > 1 || l->pad)
		return rd_err(r, rec->off, "bad LOCK kind %u type %u",
			      l->kind, l->type);
	if (l->start > l->end || l->end > CKPT_LOCK_EOF ||
	    (l->kind == CKPT_LOCK_FLOCK &&
	     (l->start || l->end != CKPT_LOCK_EOF)))
		return rd_err(r, rec->off, "bad LOCK range %llu-%llu",
			      (unsigned long long)l->start,
			      (unsigned long long)l->end);
	if (!rd_file_known(r, l->file_objref) ||
	    (posix ? l->owner_objref != files || !r->saw_files :
		     l->owner_objref != l->file_objref))
		return rd_err(r, rec->off,
			      "LOCK owner %d through file %d: not a %s",
			      l->owner_objref, l->file_objref,
			      posix ? "FILES read before it, through a FILE of it" :
			      "FILE before it, its own owner");
	if (posix ? !rd_tree_process(r, l->pid) : l->pid != 0)
		return rd_err(r, rec->off, "bad LOCK pid %d", l->pid);
	return 0;
}
