// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: the stream, HEADER, TREE, TASK and the sections.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int __printf(3, 4)
rd_err(struct ckpt_reader *r, __u64 off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_off = off;
	return -1;
}

/* Read up to @len bytes; returns how many (short only at end of stream). */
static ssize_t rd_raw(struct ckpt_reader *r, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(r->fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rd_err(r, r->pos + done, "read error (%s)",
				      strerror(errno));
		if (n == 0)
			break;
		done += n;
	}
	ckpt_xxh64_update(&r->sum, buf, done);
	r->pos += done;
	return done;
}

/* Read exactly @len bytes of the record at @rec_off. */
int rd_need(struct ckpt_reader *r, void *buf, size_t len,
		   const struct ckpt_rec *rec)
{
	ssize_t n = rd_raw(r, buf, len);

	if (n < 0)
		return -1;
	if ((size_t)n < len)
		return rd_err(r, rec->off, "truncated %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

/* Read the rest of the fixed part of @rec, @size bytes in all. */
int rd_body(struct ckpt_reader *r, struct ckpt_rec *rec, size_t size)
{
	return rd_need(r, (char *)&rec->u + sizeof(struct ckpt_hdr),
		       size - sizeof(struct ckpt_hdr), rec);
}

/* Read @len bytes of data into the bounce buffer, then zero padding. */
int rd_data(struct ckpt_reader *r, size_t len, struct ckpt_rec *rec)
{
	size_t pad = CKPT_ALIGN_UP(len) - len;
	size_t i;

	if (len + pad > r->buf_size)
		return rd_err(r, rec->off, "%s record too large",
			      ckpt_type_name(rec->u.h.type));
	if (rd_need(r, r->buf, len + pad, rec))
		return -1;
	for (i = 0; i < pad; i++) {
		if (r->buf[len + i])
			return rd_err(r, r->pos - pad + i, "nonzero padding");
	}
	return 0;
}

int rd_len(struct ckpt_reader *r, const struct ckpt_rec *rec,
		  __u64 want)
{
	if (rec->u.h.len != want)
		return rd_err(r, rec->off, "bad %s record length %u (want %llu)",
			      ckpt_type_name(rec->u.h.type), rec->u.h.len,
			      (unsigned long long)want);
	return 0;
}

static int rd_header(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_header *h = &rec->u.header;

	if (rd_len(r, rec, sizeof(*h)) || rd_body(r, rec, sizeof(*h)))
		return -1;
	if (ckpt_header_rules(h, RD_PAGE_SIZE, r->err, sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	r->page_size = h->page_size;
	r->xstate_size = h->xstate_size;
	r->xstate_features = h->xstate_features;
	r->state = RD_TREE;
	return 0;
}

/* The TREE record: its entries are kept to match the sections. */
static int rd_tree(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_tree *t = &rec->u.tree;
	__u64 size;

	if (rec->u.h.len < sizeof(*t))
		return rd_len(r, rec, sizeof(*t));
	if (rd_body(r, rec, sizeof(*t)))
		return -1;
	if (ckpt_tree_count_rule(t->nr_tasks, ckpt_pid_max(), r->err,
			     sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	size = (__u64)t->nr_tasks * sizeof(*r->tasks);
	if (rd_len(r, rec, sizeof(*t) + CKPT_ALIGN_UP(size)))
		return -1;
	r->tasks = malloc(CKPT_ALIGN_UP(size));
	r->objrefs = calloc(t->nr_tasks, sizeof(*r->objrefs));
	if (!r->tasks || !r->objrefs)
		return rd_err(r, rec->off, "out of memory");
	if (rd_need(r, r->tasks, CKPT_ALIGN_UP(size), rec))
		return -1;
	r->nr_tasks = t->nr_tasks;
	if (ckpt_check_tree(t, r->tasks, ckpt_pid_max(), r->err,
			    sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	r->section = -1;
	r->zombie = -1;
	r->state = RD_TASK;
	return 0;
}

/* SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU (the same on every arch we read) */
static int rd_stop_signal(int sig)
{
	return sig == 19 || sig == 20 || sig == 21 || sig == 22;
}

/* Scheduling and prctl() attributes, in range. */
static int rd_task_attrs(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	int rt = t->policy == RD_SCHED_FIFO || t->policy == RD_SCHED_RR;

	if (t->nice < -20 || t->nice > 19 || t->policy > RD_SCHED_IDLE ||
	    t->policy == RD_SCHED_ISO ||
	    (rt && (t->rt_priority < 1 || t->rt_priority > 99)) ||
	    (!rt && t->rt_priority))
		return rd_err(r, rec->off,
			      "bad TASK nice %d policy %u priority %u",
			      t->nice, t->policy, t->rt_priority);
	if (t->flags & CKPT_TASK_STOPPED ?
	    !rd_stop_signal(t->stop_signal) ||
	    (t->stop_code && t->stop_code != t->stop_signal) :
	    t->stop_signal || t->stop_code)
		return rd_err(r, rec->off,
			      "bad TASK stop signal %d code %d (flags %#x)",
			      t->stop_signal, t->stop_code, t->flags);
	if (t->flags & ~CKPT_TASK_FLAGS_ALL || t->dumpable > 2 ||
	    t->pdeath_signal < 0 || t->pdeath_signal > RD_NSIG)
		return rd_err(r, rec->off,
			      "bad TASK flags %#x dumpable %u pdeath signal %d",
			      t->flags, t->dumpable, t->pdeath_signal);
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TASK padding");
	return 0;
}

/* ---- sections: one per live TREE entry, in order ---- */

static const char * const obj_kind_names[CKPT_OBJ_NR_KINDS] = {
	[CKPT_OBJ_KIND_MM] = "mm",
	[CKPT_OBJ_KIND_FILES] = "files",
	[CKPT_OBJ_KIND_FS] = "fs",
	[CKPT_OBJ_KIND_SIGHAND] = "sighand",
	[CKPT_OBJ_KIND_SIGNAL] = "signal",
};

static size_t refset_hash(__s32 ref, size_t size)
{
	return ((__u32)ref * 2654435761U) & (size - 1);
}

int rd_refset_has(const struct ckpt_refset *s, __s32 ref)
{
	size_t i;

	if (!s->size)
		return 0;
	for (i = refset_hash(ref, s->size); s->slot[i];
	     i = (i + 1) & (s->size - 1)) {
		if (s->slot[i] == ref)
			return 1;
	}
	return 0;
}

static void refset_put(struct ckpt_refset *s, __s32 ref)
{
	size_t i = refset_hash(ref, s->size);

	while (s->slot[i])
		i = (i + 1) & (s->size - 1);
	s->slot[i] = ref;
	s->used++;
}

/* Add @ref (> 0, not yet in @s); -1 if out of memory. */
int rd_refset_add(struct ckpt_refset *s, __s32 ref)
{
	struct ckpt_refset bigger = { 0 };
	size_t i;

	if (2 * (s->used + 1) > s->size) {
		bigger.size = s->size ? 2 * s->size : 64;
		bigger.slot = calloc(bigger.size, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -1;
		for (i = 0; i < s->size; i++) {
			if (s->slot[i])
				refset_put(&bigger, s->slot[i]);
		}
		free(s->slot);
		*s = bigger;
	}
	refset_put(s, ref);
	return 0;
}

int rd_file_known(const struct ckpt_reader *r, __s32 objref)
{
	return rd_refset_has(&r->files, objref);
}

/* The pty of objref @objref, if its PTY record was read. */
struct ckpt_pty_seen *rd_pty_find(const struct ckpt_reader *r,
					 __s32 objref)
{
	size_t i;

	for (i = 0; i < r->nr_ptys; i++) {
		if (r->ptys[i].objref == objref)
			return &r->ptys[i];
	}
	return NULL;
}

/*
 * What already has the objref @ref, or NULL: the kernel keeps every
 * object in one objhash, so an objref names one object of one type.
 */
const char *rd_objref_owner(const struct ckpt_reader *r, __s32 ref)
{
	int k;

	if (rd_file_known(r, ref))
		return "file";
	if (rd_refset_has(&r->pipes, ref))
		return rd_refset_has(&r->fifos, ref) ? "fifo" : "pipe";
	if (rd_refset_has(&r->socks, ref))
		return "socket";
	if (rd_refset_has(&r->inodes, ref))
		return "unlinked inode";
	if (rd_pty_find(r, ref))
		return "pty";
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		if (rd_refset_has(&r->seen[k], ref))
			return obj_kind_names[k];
	}
	return NULL;
}

/* The next entry that has a section (is not a zombie), or nr_tasks. */
static long rd_next_live(const struct ckpt_reader *r, long i)
{
	for (i++; i < (long)r->nr_tasks; i++) {
		if (!(r->tasks[i].flags & CKPT_TREE_ZOMBIE))
			return i;
	}
	return i;
}

/* The entry of the process @pid (a parent, or a thread's process). */
static long rd_find_process(const struct ckpt_reader *r, long before,
			    __s32 pid)
{
	long i;

	for (i = before - 1; i >= 0; i--) {
		if (r->tasks[i].pid == pid)
			return i;
	}
	return -1;
}

/*
 * What the section of entry @i must share with an earlier one: a thread
 * its process's mm, handlers and signal state, and with SHARE_FILES or
 * SHARE_FS its fd table or fs; a process's signal state is its own.
 */
static int rd_sharing(struct ckpt_reader *r, const struct ckpt_rec *rec,
		      long i)
{
	const struct ckpt_tree_task *e = &r->tasks[i];
	const __s32 *mine = r->objrefs[i], *other;
	int thread = e->pid != e->tgid, k;
	long o = rd_find_process(r, i, thread ? e->tgid : e->ppid);

	if (!thread && r->sec_new[CKPT_OBJ_KIND_SIGNAL] == 0)
		return rd_err(r, rec->off,
			      "process %d shares signal objref %d with another",
			      e->pid, mine[CKPT_OBJ_KIND_SIGNAL]);
	if (o < 0 || r->tasks[o].flags & CKPT_TREE_ZOMBIE)
		return 0;	/* the root, or a thread of a zombie */
	other = r->objrefs[o];
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		int must = thread && (k == CKPT_OBJ_KIND_MM ||
				      k == CKPT_OBJ_KIND_SIGHAND ||
				      k == CKPT_OBJ_KIND_SIGNAL);

		if (k == CKPT_OBJ_KIND_FILES)
			must = e->flags & CKPT_TREE_SHARE_FILES;
		if (k == CKPT_OBJ_KIND_FS)
			must = e->flags & CKPT_TREE_SHARE_FS;
		if (must && mine[k] != other[k])
			return rd_err(r, rec->off,
				      "task %d has %s objref %d, not %d of task %d it shares it with",
				      e->pid, obj_kind_names[k], mine[k],
				      other[k], r->tasks[o].pid);
	}
	return 0;
}

/* The next zombie entry after @i, or nr_tasks. */
static long rd_next_zombie(const struct ckpt_reader *r, long i)
{
	for (i++; i < (long)r->nr_tasks; i++) {
		if (r->tasks[i].flags & CKPT_TREE_ZOMBIE)
			return i;
	}
	return i;
}

/*
 * The zombies' sections come first, in TREE order: TASK (no objrefs, no
 * user pointers, not stopped), CRED, RLIMITS.
 */
static int rd_zombie_task(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	long i = rd_next_zombie(r, r->zombie);

	if (t->pid != r->tasks[i].pid || t->tgid != r->tasks[i].tgid)
		return rd_err(r, rec->off,
			      "TASK %d (tgid %d) where the section of zombie %d (TREE entry %ld) belongs",
			      t->pid, t->tgid, r->tasks[i].pid, i);
	if (t->mm_objref || t->files_objref || t->fs_objref ||
	    t->sighand_objref || t->signal_objref || t->set_child_tid ||
	    t->clear_child_tid || t->robust_list || t->robust_list_len ||
	    t->rseq || t->rseq_len || t->rseq_sig ||
	    t->flags & CKPT_TASK_STOPPED)
		return rd_err(r, rec->off,
			      "TASK of zombie %d: objrefs, user pointers or flags %#x",
			      t->pid, t->flags);
	if (!ckpt_zombie_status_ok(r->tasks[i].exit_code))
		return rd_err(r, rec->off,
			      "zombie %d: a process cannot end with wait status %#x",
			      t->pid, r->tasks[i].exit_code);
	r->zombie = i;
	r->saw_cred = r->saw_rlimits = 0;
	r->state = RD_ZCRED;
	return 0;
}

/* A TASK record opens the section of the next live TREE entry. */
static int rd_section(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	const __s32 refs[CKPT_OBJ_NR_KINDS] = {
		t->mm_objref, t->files_objref, t->fs_objref,
		t->sighand_objref, t->signal_objref,
	};
	long i = rd_next_live(r, r->section);
	const char *owner;
	int k;

	if (i >= (long)r->nr_tasks)
		return rd_err(r, rec->off,
			      "TASK %d after the sections of every TREE task",
			      t->pid);
	if (t->flags & CKPT_TASK_ZOMBIE_ONLY)
		return rd_err(r, rec->off,
			      "TASK %d: flags %#x of a zombie in a live section",
			      t->pid, t->flags);
	if (t->pid != r->tasks[i].pid || t->tgid != r->tasks[i].tgid)
		return rd_err(r, rec->off,
			      "TASK %d (tgid %d) where TREE entry %ld has pid %d tgid %d",
			      t->pid, t->tgid, i, r->tasks[i].pid,
			      r->tasks[i].tgid);
	r->section = i;
	r->saw_fs = r->saw_files = r->saw_sighand = r->saw_signal = 0;
	r->saw_restart_block = r->saw_cred = r->saw_rlimits = 0;
	r->saw_cgroup = 0;
	memset(r->std_queued, 0, sizeof(r->std_queued));
	r->nr_siginfo = r->nr_timers = 0;
	r->sec_mm = 0;
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		if (refs[k] <= 0)
			return rd_err(r, rec->off, "TASK %d: bad %s objref %d",
				      t->pid, obj_kind_names[k], refs[k]);
		r->objrefs[i][k] = refs[k];
		r->sec_new[k] = !rd_refset_has(&r->seen[k], refs[k]);
		if (!r->sec_new[k])
			continue;
		owner = rd_objref_owner(r, refs[k]);
		if (owner)
			return rd_err(r, rec->off,
				      "TASK %d: %s objref %d is already taken (%s)",
				      t->pid, obj_kind_names[k], refs[k], owner);
		if (rd_refset_add(&r->seen[k], refs[k]))
			return rd_err(r, rec->off, "out of memory");
	}
	return rd_sharing(r, rec, i);
}

/* The TAIL: every live TREE entry had its section. */
static int rd_sections_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	long i = rd_next_live(r, r->section);

	if (i < (long)r->nr_tasks)
		return rd_err(r, rec->off,
			      "no section for task %d (TREE entry %ld)",
			      r->tasks[i].pid, i);
	return 0;
}

/* A record of the object @kind appears only where it is new. */
int rd_obj_record(struct ckpt_reader *r, const struct ckpt_rec *rec,
			 int kind, __s32 objref)
{
	const __s32 *mine = r->objrefs[r->section];

	if (objref != mine[kind] || !r->sec_new[kind])
		return rd_err(r, rec->off,
			      "%s record of objref %d in the section of task %d, whose %s objref %d %s",
			      ckpt_type_name(rec->u.h.type), objref,
			      r->tasks[r->section].pid, obj_kind_names[kind],
			      mine[kind],
			      r->sec_new[kind] ? "it is not" :
						 "an earlier section brought");
	return 0;
}

static int rd_task(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_task *t = &rec->u.task;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
		return -1;
	if (t->set_child_tid >= RD_TASK_SIZE ||
	    t->clear_child_tid >= RD_TASK_SIZE ||
	    t->robust_list >= RD_TASK_SIZE || t->rseq >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "TASK user pointer outside user space");
	if (t->robust_list && t->robust_list_len != RD_ROBUST_LIST_LEN)
		return rd_err(r, rec->off, "bad robust list length %llu",
			      (unsigned long long)t->robust_list_len);
	if (t->rseq && (t->rseq_len < RD_RSEQ_MIN_LEN ||
			t->rseq % RD_RSEQ_MIN_LEN))
		return rd_err(r, rec->off, "bad rseq area %#llx length %u",
			      (unsigned long long)t->rseq, t->rseq_len);
	if (t->personality == RD_PERSONALITY_BAD)
		return rd_err(r, rec->off, "bad personality");
	if (rd_task_attrs(r, rec))
		return -1;
	if (r->section < 0 &&
	    rd_next_zombie(r, r->zombie) < (long)r->nr_tasks)
		return rd_zombie_task(r, rec);
	if (rd_section(r, rec))
		return -1;
	r->mm_objref = t->mm_objref;
	r->state = RD_CRED;
	return 0;
}

/* The mm's own addresses: in user space, no range inverted. */
static const rd_fn rd_extra[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_CRED] = rd_cred,
	[CKPT_HDR_RLIMITS] = rd_rlimits,
	[CKPT_HDR_FS] = rd_fs,
	[CKPT_HDR_FILE] = rd_file,
	[CKPT_HDR_FILE_DATA] = rd_file_data,
	[CKPT_HDR_FILES] = rd_files,
	[CKPT_HDR_SIGHAND] = rd_sighand,
	[CKPT_HDR_SIGNAL] = rd_signal,
	[CKPT_HDR_SIGINFO] = rd_siginfo,
	[CKPT_HDR_POSIX_TIMER] = rd_posix_timer,
	[CKPT_HDR_RESTART_BLOCK] = rd_restart_block,
	[CKPT_HDR_LOCK] = rd_lock,
	[CKPT_HDR_CGROUP] = rd_cgroup,
};

/* Check @rec's generic header against the stream's state. */
static int rd_check_hdr(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr *h = &rec->u.h;
	const struct ckpt_rec_desc *d = ckpt_rec_desc(h->type);
	const char *name = ckpt_type_name(h->type);

	if (!d)
		return rd_err(r, rec->off, "unknown record type %u", h->type);
	/* from here on, a type indexes what is sized by CKPT_HDR_MAX_TYPE */
	if (h->len < sizeof(*h) || h->len % CKPT_ALIGN ||
	    h->len > ckpt_rec_max_len(h->type, RD_PAGE_SIZE))
		return rd_err(r, rec->off, "bad %s record length %u",
			      name, h->len);
	if ((r->state == RD_VMA || r->state == RD_COW) &&
	    rec->off + h->len > r->mm_end)
		return rd_err(r, rec->off,
			      "%s record runs past its MM record", name);
	if (r->state == RD_FD && rec->off + h->len > r->files_end)
		return rd_err(r, rec->off,
			      "%s record runs past its FILES record", name);
	if (r->state == RD_PIPE_BUF && rec->off + h->len > r->pipe_end)
		return rd_err(r, rec->off,
			      "%s record runs past its PIPE record", name);
	if (r->state == RD_EPOLL_ITEM && rec->off + h->len > r->epoll_end)
		return rd_err(r, rec->off,
			      "%s record runs past its EPOLL record", name);
	if (r->state == RD_UNIX_SKB && rec->off + h->len > r->unix_end)
		return rd_err(r, rec->off,
			      "%s record runs past its UNIX record", name);
	if ((r->state == RD_INOTIFY_EVENT || r->state == RD_INOTIFY_WATCH) &&
	    rec->off + h->len > r->ino_end)
		return rd_err(r, rec->off,
			      "%s record runs past its INOTIFY record", name);
	/* an unlinked file's data comes whole, before anything else */
	if (r->data_objref && h->type != CKPT_HDR_FILE_DATA)
		return rd_err(r, rec->off,
			      "%s record where %llu more bytes of FILE_DATA of FILE objref %d belong",
			      name, (unsigned long long)r->data_left,
			      r->data_objref);
	if (h->type == rd_expected(r))
		return 0;
	if ((r->state == RD_PAGES || r->state == RD_EXTRA) &&
	    (h->type == CKPT_HDR_TAIL || h->type == CKPT_HDR_TASK))
		return 0;
	if (r->state == RD_EXTRA && rd_extra[h->type])
		return 0;
	if (r->state == RD_VMA || r->state == RD_COW)
		return rd_err(r, rec->off, "%s record inside MM", name);
	if (r->state == RD_FD)
		return rd_err(r, rec->off, "%s record inside FILES", name);
	if (r->state == RD_PIPE_BUF)
		return rd_err(r, rec->off, "%s record inside PIPE", name);
	if (r->state == RD_EPOLL_ITEM)
		return rd_err(r, rec->off, "%s record inside EPOLL", name);
	if (r->state == RD_UNIX_SKB)
		return rd_err(r, rec->off, "%s record inside UNIX", name);
	if ((r->state == RD_INOTIFY_EVENT || r->state == RD_INOTIFY_WATCH) &&
	    h->type != CKPT_HDR_INOTIFY_EVENT &&
	    h->type != CKPT_HDR_INOTIFY_WATCH)
		return rd_err(r, rec->off, "%s record inside INOTIFY", name);
	if (r->state == RD_PIPE)
		return rd_err(r, rec->off,
			      "%s record where the PIPE of pipe %d, first named by FILE objref %d, belongs",
			      name, r->pipe_objref, r->pipe_file);
	if (r->state == RD_ANON)
		return rd_err(r, rec->off,
			      "%s record where the %s of FILE objref %d belongs",
			      name, ckpt_type_name(r->anon_type), r->anon_file);
	if (r->state == RD_PTY)
		return rd_err(r, rec->off,
			      "%s record where the PTY of pty %d, first named by FILE objref %d, belongs",
			      name, r->pty_first.obj_objref,
			      r->pty_first.objref);
	if (r->state == RD_UNIX && r->unix_first)
		return rd_err(r, rec->off,
			      "%s record where the UNIX of socket %d, peer of socket %d, belongs",
			      name, r->unix_objref, r->unix_first);
	if (r->state == RD_UNIX)
		return rd_err(r, rec->off,
			      "%s record where the UNIX of socket %d, first named by FILE objref %d, belongs",
			      name, r->unix_objref, r->unix_file);
	if (h->type == CKPT_HDR_PIPE)
		return rd_err(r, rec->off,
			      "PIPE record not right after the first FILE of its pipe");
	if (h->type == CKPT_HDR_PIPE_BUF)
		return rd_err(r, rec->off, "PIPE_BUF record outside PIPE");
	if (h->type == CKPT_HDR_EVENTFD || h->type == CKPT_HDR_SIGNALFD ||
	    h->type == CKPT_HDR_TIMERFD || h->type == CKPT_HDR_EPOLL ||
	    h->type == CKPT_HDR_INOTIFY || h->type == CKPT_HDR_UNLINKED)
		return rd_err(r, rec->off,
			      "%s record not right after its FILE", name);
	if ((h->type == CKPT_HDR_INOTIFY_EVENT ||
	     h->type == CKPT_HDR_INOTIFY_WATCH) &&
	    r->state != RD_INOTIFY_EVENT && r->state != RD_INOTIFY_WATCH)
		return rd_err(r, rec->off, "%s record outside INOTIFY", name);
	if (h->type == CKPT_HDR_EPOLL_ITEM)
		return rd_err(r, rec->off, "EPOLL_ITEM record outside EPOLL");
	if (h->type == CKPT_HDR_UNIX)
		return rd_err(r, rec->off,
			      "UNIX record not right after the first FILE of its socket, nor after its peer's UNIX");
	if (h->type == CKPT_HDR_UNIX_SKB)
		return rd_err(r, rec->off, "UNIX_SKB record outside UNIX");
	if (h->type == CKPT_HDR_PTY)
		return rd_err(r, rec->off,
			      "PTY record not right after the first FILE of its pty");
	return rd_err(r, rec->off, "unexpected %s record (want %s)", name,
		      ckpt_type_name(rd_expected(r)));
}

/*
 * A record where it may stand: its fixed part, as the record table says
 * (checked after its place, which says more of a misplaced one), and
 * whether it is nested.
 */
static int rd_check_size(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_rec_desc *d = ckpt_rec_desc(rec->u.h.type);
	__u32 len = rec->u.h.len;

	if (len < d->size || (d->fixed && len != d->size))
		return rd_err(r, rec->off, "bad %s record length %u (want %s%u)",
			      d->name, len, d->fixed ? "" : "at least ",
			      d->size);
	rec->depth = d->parent != 0;
	return 0;
}

/* After the tail: nothing may follow. */
static int rd_end(struct ckpt_reader *r)
{
	char c;
	ssize_t n = rd_raw(r, &c, 1);

	if (n < 0)
		return -1;
	if (n)
		return rd_err(r, r->pos - 1, "data after the tail");
	r->state = RD_DONE;
	return 0;
}

static int rd_record(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	switch (rec->u.h.type) {
	case CKPT_HDR_HEADER:
		return rd_header(r, rec);
	case CKPT_HDR_TREE:
		return rd_tree(r, rec);
	case CKPT_HDR_TASK:
		if (r->state == RD_EXTRA && rd_extra_done(r, rec))
			return -1;
		return rd_task(r, rec);
	case CKPT_HDR_CRED:
		if (r->state == RD_ZCRED) {
			r->state = RD_ZRLIMITS;
			return rd_cred(r, rec);
		}
		if (r->state != RD_CRED)
			return rd_cred(r, rec);
		if (rd_cred(r, rec))
			return -1;
		r->state = r->sec_new[CKPT_OBJ_KIND_MM] ? RD_MM : RD_CPU;
		return 0;
	case CKPT_HDR_MM:
		return rd_mm(r, rec);
	case CKPT_HDR_VMA:
		return rd_vma(r, rec);
	case CKPT_HDR_COW:
		return rd_cow(r, rec);
	case CKPT_HDR_CPU:
		return rd_cpu(r, rec);
	case CKPT_HDR_FD:
		return rd_fd(r, rec);
	case CKPT_HDR_PIPE:
		return rd_pipe(r, rec);
	case CKPT_HDR_PIPE_BUF:
		return rd_pipe_buf(r, rec);
	case CKPT_HDR_EVENTFD:
		return rd_eventfd(r, rec);
	case CKPT_HDR_SIGNALFD:
		return rd_signalfd(r, rec);
	case CKPT_HDR_TIMERFD:
		return rd_timerfd(r, rec);
	case CKPT_HDR_EPOLL:
		return rd_epoll(r, rec);
	case CKPT_HDR_EPOLL_ITEM:
		return rd_epoll_item(r, rec);
	case CKPT_HDR_UNIX:
		return rd_unix(r, rec);
	case CKPT_HDR_UNIX_SKB:
		return rd_unix_skb(r, rec);
	case CKPT_HDR_INOTIFY:
		return rd_inotify(r, rec);
	case CKPT_HDR_INOTIFY_EVENT:
		return rd_inotify_event(r, rec);
	case CKPT_HDR_INOTIFY_WATCH:
		return rd_inotify_watch(r, rec);
	case CKPT_HDR_PTY:
		return rd_pty(r, rec);
	case CKPT_HDR_UNLINKED:
		return rd_unlinked(r, rec);
	case CKPT_HDR_PAGES:
		if (r->state == RD_EXTRA && rd_extra_done(r, rec))
			return -1;
		if (!r->sec_mm)
			return rd_err(r, rec->off,
				      "PAGES record in the section of task %d, which shares an earlier mm",
				      r->tasks[r->section].pid);
		r->state = RD_PAGES;
		return rd_pages(r, rec);
	default:
		return rd_extra[rec->u.h.type](r, rec);
	}
}

int ckpt_reader_next(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_xxh64 before = r->sum;
	ssize_t n;

	if (r->state == RD_DONE)
		return 0;
	if (r->state == RD_END)
		return rd_end(r);

	memset(&rec->u, 0, sizeof(rec->u));
	rec->off = r->pos;
	rec->sum = 0;
	n = rd_raw(r, &rec->u.h, sizeof(rec->u.h));
	if (n < 0)
		return -1;
	if (n == 0 && r->state == RD_HEADER)
		return rd_err(r, rec->off, "empty image");
	if (n == 0)
		return rd_err(r, rec->off, "missing %s record",
			      r->state != RD_PAGES && r->state != RD_EXTRA ?
			      ckpt_type_name(rd_expected(r)) :
			      rd_next_live(r, r->section) < (long)r->nr_tasks ?
			      "TASK" : "TAIL");
	if (n < (ssize_t)sizeof(rec->u.h))
		return rd_err(r, rec->off, "truncated record header");
	if (rd_check_hdr(r, rec))
		return -1;
	if (rd_check_size(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && r->state == RD_EXTRA &&
	    rd_extra_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && rd_sections_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL)
		return rd_tail(r, rec, &before) ? -1 : 1;
	if (rd_record(r, rec))
		return -1;
	r->nr_records++;
	return 1;
}

int ckpt_reader_init(struct ckpt_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ckpt_xxh64_init(&r->sum);
	r->state = RD_HEADER;
	r->buf_size = RD_BUF_SIZE;
	r->buf = malloc(r->buf_size);
	if (!r->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void ckpt_reader_fini(struct ckpt_reader *r)
{
	int k;

	free(r->buf);
	free(r->vmas);
	free(r->files.slot);
	free(r->tasks);
	free(r->objrefs);
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		free(r->seen[k].slot);
		r->seen[k].slot = NULL;
	}
	free(r->pipes.slot);
	free(r->fifos.slot);
	r->pipes.slot = NULL;
	r->fifos.slot = NULL;
	free(r->socks.slot);
	free(r->closed_socks.slot);
	free(r->inodes.slot);
	r->inodes.slot = NULL;
	free(r->ptys);
	r->socks.slot = NULL;
	r->closed_socks.slot = NULL;
	r->tasks = NULL;
	r->objrefs = NULL;
	r->buf = NULL;
	r->vmas = NULL;
	r->files.slot = NULL;
}
