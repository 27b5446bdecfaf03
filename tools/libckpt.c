// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: checkpoint()/restart() on top of /dev/checkpoint, crc32c, and a
 * streaming image reader that checks what the kernel's restart checks.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libckpt.h"

/* ---------------------------------------------------------------------- */
/* the two operations */

static int ckpt_ioctl(unsigned long cmd, pid_t pid, int fd,
		      unsigned long flags, int logfd, const void *prefix,
		      size_t prefix_len)
{
	struct ckpt_args args;
	int dev, ret, err;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -1;

	memset(&args, 0, sizeof(args));
	args.size = sizeof(args);
	args.pid = pid;
	args.fd = fd;
	args.logfd = logfd;
	args.flags = flags;
	args.prefix = (unsigned long)prefix;
	args.prefix_len = prefix_len;
	ret = ioctl(dev, cmd, &args);

	err = errno;
	close(dev);
	errno = err;
	return ret < 0 ? -1 : 0;
}

int checkpoint(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_CHECKPOINT, pid, fd, flags, logfd, NULL, 0);
}

int restart(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, pid, fd, flags, logfd, NULL, 0);
}

int restart_prefix(int fd, unsigned long flags, int logfd,
		   const void *prefix, size_t len)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, 0, fd, flags, logfd, prefix, len);
}

int restart_prepare(int dev, int fd, int logfd, const void *prefix,
		    size_t len)
{
	struct ckpt_args args = {
		.size = sizeof(args),
		.fd = fd,
		.logfd = logfd,
		.prefix = (unsigned long)prefix,
		.prefix_len = len,
	};

	return ioctl(dev, CKPT_IOC_RESTART_PREPARE, &args) < 0 ? -1 : 0;
}

int restart_wait(int dev, struct ckpt_restart_status *status)
{
	int ret;

	memset(status, 0, sizeof(*status));
	do {
		ret = ioctl(dev, CKPT_IOC_RESTART_WAIT, status);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

int restart_abort(int dev, int err)
{
	return ioctl(dev, CKPT_IOC_RESTART_ABORT, (unsigned long)err) < 0 ?
	       -1 : 0;
}

/* Read all @len bytes, or up to end of file; how many, or -1. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* ---------------------------------------------------------------------- */
/* crc32c */

#define CRC32C_POLY	0x82f63b78U

static __u32 crc32c_table[256];

static void crc32c_init(void)
{
	__u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? CRC32C_POLY : 0);
		crc32c_table[i] = c;
	}
}

__u32 crc32c_update(__u32 crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!crc32c_table[1])
		crc32c_init();
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

__u32 crc32c(const void *buf, size_t len)
{
	return ~crc32c_update(~0U, buf, len);
}

/* ---------------------------------------------------------------------- */
/* names */

static const char * const type_names[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_HEADER] = "HEADER",
	[CKPT_HDR_TASK] = "TASK",
	[CKPT_HDR_MM] = "MM",
	[CKPT_HDR_VMA] = "VMA",
	[CKPT_HDR_CPU] = "CPU",
	[CKPT_HDR_PAGES] = "PAGES",
	[CKPT_HDR_TAIL] = "TAIL",
	[CKPT_HDR_CRED] = "CRED",
	[CKPT_HDR_RLIMITS] = "RLIMITS",
	[CKPT_HDR_SIGHAND] = "SIGHAND",
	[CKPT_HDR_SIGNAL] = "SIGNAL",
	[CKPT_HDR_SIGINFO] = "SIGINFO",
	[CKPT_HDR_POSIX_TIMER] = "POSIX_TIMER",
	[CKPT_HDR_RESTART_BLOCK] = "RESTART_BLOCK",
	[CKPT_HDR_FS] = "FS",
	[CKPT_HDR_FILE] = "FILE",
	[CKPT_HDR_FILE_DATA] = "FILE_DATA",
	[CKPT_HDR_FILES] = "FILES",
	[CKPT_HDR_FD] = "FD",
	[CKPT_HDR_TREE] = "TREE",
};

const char *ckpt_type_name(__u32 type)
{
	if (type && type < CKPT_HDR_MAX_TYPE && type_names[type])
		return type_names[type];
	return "unknown";
}

const char *ckpt_vma_kind_name(__u32 kind)
{
	switch (kind) {
	case CKPT_VMA_ANON:
		return "anon";
	case CKPT_VMA_FILE:
		return "file";
	case CKPT_VMA_VDSO:
		return "vdso";
	case CKPT_VMA_VVAR:
		return "vvar";
	case CKPT_VMA_SHMEM:
		return "shmem";
	}
	return "unknown";
}

/* ---------------------------------------------------------------------- */
/* the reader */

enum {
	RD_HEADER,	/* nothing read yet */
	RD_TREE,
	RD_TASK,
	RD_MM,
	RD_VMA,		/* inside MM */
	RD_CPU,
	RD_EXTRA,	/* optional records in any order, PAGES or TAIL */
	RD_FD,		/* inside FILES */
	RD_PAGES,	/* PAGES or TAIL */
	RD_END,		/* after TAIL: the stream must end */
	RD_DONE,
};

/* What the x86-64 kernel's restart accepts. */
#define RD_BUF_SIZE		(64U << 10)
#define RD_PAGE_SIZE		4096U
#define RD_TASK_SIZE		0x7ffffffff000ULL	/* 4-level paging */
#define RD_MAX_VMAS		65536
#define RD_ROBUST_LIST_LEN	24	/* struct robust_list_head */
#define RD_RSEQ_MIN_LEN		32
#define RD_USER_CS		0x33
#define RD_USER_DS		0x2b
#define RD_PERSONALITY_BAD	0xffffffffU
#define RD_SCHED_FIFO		1
#define RD_SCHED_RR		2
#define RD_SCHED_ISO		4	/* reserved, never used */
#define RD_SCHED_IDLE		5
#define RD_NSIG			64
#define RD_CAP_VALID		((1ULL << 41) - 1)	/* up to CAP_CHECKPOINT_RESTORE */
#define RD_SECUREBITS_VALID	0xffU
#define RD_RLIMIT_CPU		0
#define RD_ERESTART_RESTARTBLOCK	516
#define XSAVE_HDR_OFFSET	512
#define XSAVE_HDR_SIZE		64
#define XSAVE_MIN		(XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE)
#define RD_MAX_PGOFF		(0x7fffffffffffffffULL / RD_PAGE_SIZE)

/* Record the first problem; always returns -1. */
static int __printf(3, 4)
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
	r->crc = crc32c_update(r->crc, buf, done);
	r->pos += done;
	return done;
}

/* Read exactly @len bytes of the record at @rec_off. */
static int rd_need(struct ckpt_reader *r, void *buf, size_t len,
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
static int rd_body(struct ckpt_reader *r, struct ckpt_rec *rec, size_t size)
{
	return rd_need(r, (char *)&rec->u + sizeof(struct ckpt_hdr),
		       size - sizeof(struct ckpt_hdr), rec);
}

/* Read @len bytes of data into the bounce buffer, then zero padding. */
static int rd_data(struct ckpt_reader *r, size_t len, struct ckpt_rec *rec)
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

static int rd_len(struct ckpt_reader *r, const struct ckpt_rec *rec,
		  __u64 want)
{
	if (rec->u.h.len != want)
		return rd_err(r, rec->off, "bad %s record length %u (want %llu)",
			      ckpt_type_name(rec->u.h.type), rec->u.h.len,
			      (unsigned long long)want);
	return 0;
}

/* Rules 1 and 2 on the number of tasks; 0 or -1 and @err. */
static int tree_count_check(__u32 nr, long pid_max, char *err, size_t errlen)
{
	if (nr && nr <= CKPT_TREE_MAX_TASKS && nr < pid_max)
		return 0;
	snprintf(err, errlen, "TREE of %u tasks (1..%u, and below pid_max %ld)",
		 nr, CKPT_TREE_MAX_TASKS, pid_max);
	return -1;
}

/* The HEADER's fields, as restart checks them; 0 or -1 and @err. */
static int header_check(const struct ckpt_hdr_header *h, char *err,
			size_t errlen)
{
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		snprintf(err, errlen, "bad magic (not a checkpoint image)");
	else if (h->version != CKPT_VERSION)
		snprintf(err, errlen, "unsupported image version %u",
			 h->version);
	else if (h->arch != CKPT_ARCH_X86_64)
		snprintf(err, errlen, "unsupported architecture %u", h->arch);
	else if (h->page_size != RD_PAGE_SIZE)
		snprintf(err, errlen, "bad page size %u", h->page_size);
	else if (!h->xstate_size || h->xstate_size > CKPT_HDR_MAX / 2)
		snprintf(err, errlen, "bad xstate size %u", h->xstate_size);
	else
		return 0;
	return -1;
}

static int rd_header(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_header *h = &rec->u.header;

	if (rd_len(r, rec, sizeof(*h)) || rd_body(r, rec, sizeof(*h)))
		return -1;
	if (header_check(h, r->err, sizeof(r->err))) {
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
	if (tree_count_check(t->nr_tasks, ckpt_pid_max(), r->err,
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
	r->state = RD_TASK;
	return 0;
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
	if (t->flags & ~CKPT_TASK_FLAGS_ALL || t->dumpable > 2 ||
	    t->pdeath_signal < 0 || t->pdeath_signal > RD_NSIG)
		return rd_err(r, rec->off,
			      "bad TASK flags %#x dumpable %u pdeath signal %d",
			      t->flags, t->dumpable, t->pdeath_signal);
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

static int refset_has(const struct ckpt_refset *s, __s32 ref)
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
static int refset_add(struct ckpt_refset *s, __s32 ref)
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

/* A TASK record opens the section of the next live TREE entry. */
static int rd_section(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	const __s32 refs[CKPT_OBJ_NR_KINDS] = {
		t->mm_objref, t->files_objref, t->fs_objref,
		t->sighand_objref, t->signal_objref,
	};
	long i = rd_next_live(r, r->section);
	int k;

	if (i >= (long)r->nr_tasks)
		return rd_err(r, rec->off,
			      "TASK %d after the sections of every TREE task",
			      t->pid);
	if (t->pid != r->tasks[i].pid || t->tgid != r->tasks[i].tgid)
		return rd_err(r, rec->off,
			      "TASK %d (tgid %d) where TREE entry %ld has pid %d tgid %d",
			      t->pid, t->tgid, i, r->tasks[i].pid,
			      r->tasks[i].tgid);
	r->section = i;
	r->saw_fs = r->saw_files = r->saw_sighand = r->saw_signal = 0;
	r->saw_restart_block = r->saw_cred = r->saw_rlimits = 0;
	memset(r->std_queued, 0, sizeof(r->std_queued));
	r->nr_siginfo = r->nr_timers = 0;
	r->sec_mm = 0;
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		if (refs[k] <= 0)
			return rd_err(r, rec->off, "TASK %d: bad %s objref %d",
				      t->pid, obj_kind_names[k], refs[k]);
		r->objrefs[i][k] = refs[k];
		r->sec_new[k] = !refset_has(&r->seen[k], refs[k]);
		if (r->sec_new[k] && refset_add(&r->seen[k], refs[k]))
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
static int rd_obj_record(struct ckpt_reader *r, const struct ckpt_rec *rec,
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
	if (rd_task_attrs(r, rec) || rd_section(r, rec))
		return -1;
	r->mm_objref = t->mm_objref;
	r->state = r->sec_new[CKPT_OBJ_KIND_MM] ? RD_MM : RD_CPU;
	return 0;
}

/* The mm's own addresses: in user space, no range inverted. */
static int rd_mm_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_mm *mm = &rec->u.mm;
	const __u64 f[] = {
		mm->start_code, mm->end_code, mm->start_data, mm->end_data,
		mm->start_brk, mm->brk, mm->start_stack, mm->arg_start,
		mm->arg_end, mm->env_start, mm->env_end,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i] >= RD_TASK_SIZE)
			return rd_err(r, rec->off,
				      "MM address %#llx outside user space",
				      (unsigned long long)f[i]);
	}
	if (mm->start_code > mm->end_code || mm->start_data > mm->end_data ||
	    mm->start_brk > mm->brk || mm->arg_start > mm->arg_end ||
	    mm->env_start > mm->env_end)
		return rd_err(r, rec->off, "inverted MM range");
	return 0;
}

/* (type, value) pairs up to AT_NULL, zeroes after. */
static int rd_auxv(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const __u64 *auxv = rec->u.mm.auxv;
	unsigned int i, j;

	for (i = 0; i < CKPT_AUXV_WORDS && auxv[i]; i += 2)
		;
	if (i >= CKPT_AUXV_WORDS)
		return rd_err(r, rec->off, "auxv without AT_NULL");
	for (j = i; j < CKPT_AUXV_WORDS; j++) {
		if (auxv[j])
			return rd_err(r, rec->off, "data after the auxv's AT_NULL");
	}
	return 0;
}

/* The executable's path, between the MM record's fixed part and VMAs. */
static int rd_exe_path(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.mm.exe_path_len;

	rec->path[0] = '\0';
	if (!n)
		return 0;
	if (n < 2 || n > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad executable path length %u", n);
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	if (rec->path[0] != '/' || strnlen(rec->path, n) != n - 1)
		return rd_err(r, rec->off, "bad executable path");
	return 0;
}

static int rd_mm(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_mm *mm = &rec->u.mm;
	__u64 need, fixed;

	if (rec->u.h.len < sizeof(*mm))
		return rd_len(r, rec, sizeof(*mm));
	if (rd_body(r, rec, sizeof(*mm)))
		return -1;
	if (mm->nr_vmas > RD_MAX_VMAS)
		return rd_err(r, rec->off, "too many VMAs (%u)", mm->nr_vmas);
	if ((mm->flags & ~CKPT_MM_FLAGS_ALL) ||
	    (mm->flags & (CKPT_MM_LOCK_FUTURE | CKPT_MM_LOCK_ONFAULT)) ==
	    CKPT_MM_LOCK_ONFAULT)
		return rd_err(r, rec->off, "bad MM flags %#x", mm->flags);
	fixed = sizeof(*mm) + CKPT_ALIGN_UP(mm->exe_path_len);
	need = fixed + (__u64)mm->nr_vmas * sizeof(struct ckpt_hdr_vma);
	if (need > rec->u.h.len)
		return rd_err(r, rec->off,
			      "MM record of length %u cannot hold %u VMAs",
			      rec->u.h.len, mm->nr_vmas);
	if (!mm->nr_vmas && rec->u.h.len != fixed)
		return rd_len(r, rec, fixed);
	if (mm->objref != r->mm_objref)
		return rd_err(r, rec->off,
			      "MM objref %d does not match the task's %d",
			      mm->objref, r->mm_objref);
	r->sec_mm = 1;
	if (rd_mm_fields(r, rec) || rd_auxv(r, rec) || rd_exe_path(r, rec))
		return -1;
	free(r->vmas);
	r->vmas = calloc(mm->nr_vmas ? mm->nr_vmas : 1, sizeof(*r->vmas));
	if (!r->vmas)
		return rd_err(r, rec->off, "out of memory");
	r->nr_vmas = 0;
	r->vmas_left = mm->nr_vmas;
	r->mm_off = rec->off;
	r->mm_end = rec->off + rec->u.h.len;
	r->state = mm->nr_vmas ? RD_VMA : RD_CPU;
	return 0;
}

static int rd_vma_path(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.vma.path_len;

	if (rec->u.vma.kind != CKPT_VMA_FILE &&
	    rec->u.vma.kind != CKPT_VMA_SHMEM) {
		if (n)
			return rd_err(r, rec->off, "path in a %s VMA",
				      ckpt_vma_kind_name(rec->u.vma.kind));
		rec->path[0] = '\0';
		return 0;
	}
	if (n < 2 || n > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad VMA path length %u", n);
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	/* a shmem object's name is no path */
	if ((rec->u.vma.kind == CKPT_VMA_FILE && rec->path[0] != '/') ||
	    strnlen(rec->path, n) != n - 1)
		return rd_err(r, rec->off, "bad VMA path");
	return 0;
}

/* Flags that do not go together, as the kernel's restart sees them. */
static int rd_vma_flags_bad(const struct ckpt_hdr_vma *v)
{
	__u32 f = v->flags;

	if ((f & CKPT_VMA_LOCKONFAULT) && !(f & CKPT_VMA_LOCKED))
		return 1;
	if ((f & CKPT_VMA_HUGEPAGE) && (f & CKPT_VMA_NOHUGEPAGE))
		return 1;
	if ((f & CKPT_VMA_MAYWRITE) && !(f & CKPT_VMA_SHARED))
		return 1;
	if ((f & CKPT_VMA_SHARED) && v->kind != CKPT_VMA_FILE &&
	    v->kind != CKPT_VMA_SHMEM)
		return 1;
	if (v->kind == CKPT_VMA_SHMEM &&
	    (f & (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE)) !=
	    (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE))
		return 1;
	if ((f & CKPT_VMA_WIPEONFORK) && v->kind != CKPT_VMA_ANON)
		return 1;
	return (f & CKPT_VMA_SHARED) && (f & CKPT_VMA_WRITE) &&
	       !(f & CKPT_VMA_MAYWRITE);
}

static int rd_vma_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;
	__u64 mask = r->page_size - 1;

	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_SHMEM)
		return rd_err(r, rec->off, "unknown VMA kind %u", v->kind);
	if (v->flags & ~CKPT_VMA_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown VMA flags %#x", v->flags);
	if (v->kind == CKPT_VMA_SHMEM ? v->objref <= 0 : v->objref != 0)
		return rd_err(r, rec->off, "bad VMA objref %d", v->objref);
	if (v->start >= v->end || (v->start & mask) || (v->end & mask) ||
	    v->end > RD_TASK_SIZE)
		return rd_err(r, rec->off, "bad VMA range %#llx-%#llx",
			      (unsigned long long)v->start,
			      (unsigned long long)v->end);
	if (r->nr_vmas && v->start < r->vmas[r->nr_vmas - 1].end)
		return rd_err(r, rec->off, "VMA %#llx-%#llx out of order",
			      (unsigned long long)v->start,
			      (unsigned long long)v->end);
	if ((v->flags & CKPT_VMA_GROWSDOWN) && v->kind != CKPT_VMA_ANON)
		return rd_err(r, rec->off, "growsdown %s VMA",
			      ckpt_vma_kind_name(v->kind));
	if (rd_vma_flags_bad(v))
		return rd_err(r, rec->off, "VMA flags %#x on a %s VMA", v->flags,
			      ckpt_vma_kind_name(v->kind));
	if ((v->kind == CKPT_VMA_FILE || v->kind == CKPT_VMA_SHMEM) &&
	    (v->pgoff > RD_MAX_PGOFF ||
	     v->pgoff + (v->end - v->start) / r->page_size > RD_MAX_PGOFF))
		return rd_err(r, rec->off, "VMA file offset %#llx out of range",
			      (unsigned long long)v->pgoff);
	return 0;
}

/* [vvar] mappings, then [vdso] right after them; both or neither. */
static int rd_vdso_check(struct ckpt_reader *r)
{
	const struct ckpt_range *v = r->vmas;
	size_t i, n = r->nr_vmas;
	long vdso = -1, vvar = -1;

	for (i = 0; i < n; i++) {
		if (v[i].kind == CKPT_VMA_VVAR && vvar < 0)
			vvar = i;
		if (v[i].kind != CKPT_VMA_VDSO)
			continue;
		if (vdso >= 0)
			return rd_err(r, r->mm_off, "two vdso VMAs");
		vdso = i;
	}
	if (vdso < 0 && vvar < 0)
		return 0;
	if (vdso < 0 || vvar < 0)
		return rd_err(r, r->mm_off, "vdso or vvar VMA alone");
	for (i = vvar; i < (size_t)vdso; i++) {
		if (v[i].kind != CKPT_VMA_VVAR || v[i].end != v[i + 1].start)
			return rd_err(r, r->mm_off,
				      "vvar VMA does not adjoin the vdso");
	}
	return 0;
}

static int rd_vma(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_vma *v = &rec->u.vma;
	struct ckpt_range *range;

	if (rec->u.h.len < sizeof(*v))
		return rd_len(r, rec, sizeof(*v));
	if (rd_body(r, rec, sizeof(*v)))
		return -1;
	if (rd_len(r, rec, sizeof(*v) + CKPT_ALIGN_UP(v->path_len)))
		return -1;
	if (rd_vma_check(r, rec) || rd_vma_path(r, rec))
		return -1;

	range = &r->vmas[r->nr_vmas++];
	range->start = v->start;
	range->end = v->end;
	range->kind = v->kind;
	range->flags = v->flags;
	r->vmas_left--;
	if (!r->vmas_left && r->pos != r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record has %llu bytes after its %zu VMAs",
			      (unsigned long long)(r->mm_end - r->pos),
			      r->nr_vmas);
	if (r->vmas_left && r->pos == r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record ends after %zu of its %zu VMAs",
			      r->nr_vmas, r->nr_vmas + r->vmas_left);
	if (r->vmas_left)
		return 0;
	r->state = RD_CPU;
	return rd_vdso_check(r);
}

/* The standard-format xsave header, as the kernel validates it. */
static int rd_xsave_check(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u64 hdr[XSAVE_HDR_SIZE / 8];
	unsigned int i;

	memcpy(hdr, r->buf + XSAVE_HDR_OFFSET, sizeof(hdr));
	if (hdr[0] & ~r->xstate_features)
		return rd_err(r, rec->off,
			      "xstate uses features %#llx not in the header",
			      (unsigned long long)(hdr[0] & ~r->xstate_features));
	for (i = 1; i < XSAVE_HDR_SIZE / 8; i++) {
		if (hdr[i])
			return rd_err(r, rec->off,
				      "bad xsave header (compacted or reserved bits)");
	}
	return 0;
}

static int rd_cpu(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_cpu *c = &rec->u.cpu;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)))
		return -1;
	if (c->xstate_size < XSAVE_MIN || c->xstate_size > r->xstate_size)
		return rd_err(r, rec->off, "bad CPU xstate size %u (header %u)",
			      c->xstate_size, r->xstate_size);
	if (c->pad)
		return rd_err(r, rec->off, "nonzero CPU padding");
	if (c->cs != RD_USER_CS || c->ss != RD_USER_DS)
		return rd_err(r, rec->off, "not a 64-bit task (cs %#llx ss %#llx)",
			      (unsigned long long)c->cs,
			      (unsigned long long)c->ss);
	if (c->ds || c->es || c->fs || c->gs)
		return rd_err(r, rec->off, "nonzero data segment selectors");
	if (c->rip >= RD_TASK_SIZE || c->fs_base >= RD_TASK_SIZE ||
	    c->gs_base >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "rip, fs or gs base outside user space");
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP(c->xstate_size)))
		return -1;
	if (rd_data(r, c->xstate_size, rec))
		return -1;
	if (rd_xsave_check(r, rec))
		return -1;
	r->in_restart_block = (__s64)c->orig_rax >= 0 &&
			      (__s64)c->rax == -RD_ERESTART_RESTARTBLOCK;
	r->state = RD_EXTRA;
	return 0;
}

/* The VMA containing @addr, or NULL. */
static const struct ckpt_range *rd_find_vma(struct ckpt_reader *r, __u64 addr)
{
	size_t lo = 0, hi = r->nr_vmas, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < r->vmas[mid].start)
			hi = mid;
		else if (addr >= r->vmas[mid].end)
			lo = mid + 1;
		else
			return &r->vmas[mid];
	}
	return NULL;
}

static int rd_pages_range(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	__u64 addr = rec->u.pages.addr;
	__u64 end = addr + (__u64)rec->u.pages.nr_pages * r->page_size;
	const struct ckpt_range *v;

	if (addr & (r->page_size - 1))
		return rd_err(r, rec->off, "bad PAGES address %#llx",
			      (unsigned long long)addr);
	v = rd_find_vma(r, addr);
	if (!v || end > v->end ||
	    (v->kind != CKPT_VMA_ANON && v->kind != CKPT_VMA_FILE &&
	     v->kind != CKPT_VMA_SHMEM) ||
	    (v->kind == CKPT_VMA_FILE && (v->flags & CKPT_VMA_SHARED)))
		return rd_err(r, rec->off,
			      "pages %#llx-%#llx not inside one anon or file VMA",
			      (unsigned long long)addr,
			      (unsigned long long)end);
	return 0;
}

static int rd_pages(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pages *p = &rec->u.pages;
	__u64 left;
	size_t n;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)))
		return -1;
	if (!p->nr_pages || p->nr_pages > CKPT_PAGES_MAX)
		return rd_err(r, rec->off, "bad PAGES count %u", p->nr_pages);
	if (p->pad)
		return rd_err(r, rec->off, "nonzero PAGES padding");
	left = (__u64)p->nr_pages * r->page_size;
	if (rd_len(r, rec, sizeof(*p) + left) || rd_pages_range(r, rec))
		return -1;
	while (left) {
		n = left < r->buf_size ? left : r->buf_size;
		if (rd_need(r, r->buf, n, rec))
			return -1;
		left -= n;
	}
	return 0;
}

static int rd_tail(struct ckpt_reader *r, struct ckpt_rec *rec, __u32 crc)
{
	struct ckpt_hdr_tail *t = &rec->u.tail;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
		return -1;
	rec->crc = ~crc;
	if (t->crc32c != rec->crc)
		return rd_err(r, rec->off,
			      "crc mismatch (image %08x, data %08x)",
			      t->crc32c, rec->crc);
	if (t->nr_records != r->nr_records)
		return rd_err(r, rec->off,
			      "record count mismatch (tail %u, image %u)",
			      t->nr_records, r->nr_records);
	r->state = RD_END;
	return 0;
}

static const __u32 rd_expect[] = {
	[RD_HEADER] = CKPT_HDR_HEADER,
	[RD_TREE] = CKPT_HDR_TREE,
	[RD_TASK] = CKPT_HDR_TASK,
	[RD_MM] = CKPT_HDR_MM,
	[RD_VMA] = CKPT_HDR_VMA,
	[RD_CPU] = CKPT_HDR_CPU,
	[RD_EXTRA] = CKPT_HDR_PAGES,
	[RD_FD] = CKPT_HDR_FD,
	[RD_PAGES] = CKPT_HDR_PAGES,
};

/* ---- files: FS, FILE, FILE_DATA, FILES and its FDs ---- */

#define RD_MAX_FILE	0x7fffffffffffffffULL
#define RD_MAX_FDS	(1U << 20)

/* A NUL-terminated string of @len bytes (and padding) into rec->path. */
static int rd_string(struct ckpt_reader *r, struct ckpt_rec *rec, __u32 len,
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

static int rd_fs(struct ckpt_reader *r, struct ckpt_rec *rec)
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
			      (unsigned long long)(r->data_size - r->data_off));
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

static int rd_file_known(const struct ckpt_reader *r, __s32 objref)
{
	size_t i;

	for (i = 0; i < r->nr_file_refs; i++) {
		if (r->file_refs[i] == objref)
			return 1;
	}
	return 0;
}

static int rd_file_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	int inherit = f->kind == CKPT_FILE_INHERIT;

	if (f->objref <= 0 || rd_file_known(r, f->objref))
		return rd_err(r, rec->off, "bad or repeated FILE objref %d",
			      f->objref);
	if (f->kind < CKPT_FILE_REG || f->kind > CKPT_FILE_INHERIT)
		return rd_err(r, rec->off, "bad FILE kind %u", f->kind);
	if (f->f_flags & ~CKPT_FILE_FLAGS_ALL || f->pad)
		return rd_err(r, rec->off, "bad FILE flags %#x", f->f_flags);
	if (inherit ? f->inherit_fd < 0 : f->inherit_fd != -1)
		return rd_err(r, rec->off, "bad FILE inherit fd %d",
			      f->inherit_fd);
	if (f->pos > RD_MAX_FILE || f->size > RD_MAX_FILE)
		return rd_err(r, rec->off, "bad FILE offset or size");
	return 0;
}

static int rd_file(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file *f = &rec->u.file;
	__s32 *refs;

	if (rd_data_done(r, rec) || rd_with_files(r, rec))
		return -1;
	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)) || rd_file_check(r, rec))
		return -1;
	if (f->path_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*f) + CKPT_ALIGN_UP(f->path_len)) ||
	    rd_string(r, rec, f->path_len, f->kind != CKPT_FILE_INHERIT))
		return -1;
	refs = realloc(r->file_refs, (r->nr_file_refs + 1) * sizeof(*refs));
	if (!refs)
		return rd_err(r, rec->off, "out of memory");
	r->file_refs = refs;
	r->file_refs[r->nr_file_refs++] = f->objref;
	if (f->kind == CKPT_FILE_UNLINKED && f->size) {
		r->data_objref = f->objref;
		r->data_off = 0;
		r->data_size = f->size;
	}
	return 0;
}

static int rd_file_data(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file_data *d = &rec->u.file_data;
	__u64 left;
	size_t n;

	if (rec->u.h.len < sizeof(*d))
		return rd_len(r, rec, sizeof(*d));
	if (rd_body(r, rec, sizeof(*d)))
		return -1;
	if (!r->data_objref || d->objref != r->data_objref ||
	    d->offset != r->data_off || !d->len ||
	    d->len > CKPT_FILE_DATA_MAX || d->len > r->data_size - r->data_off)
		return rd_err(r, rec->off,
			      "FILE_DATA does not continue an unlinked file");
	if (rd_len(r, rec, sizeof(*d) + CKPT_ALIGN_UP(d->len)))
		return -1;
	for (left = CKPT_ALIGN_UP(d->len); left; left -= n) {
		n = left < r->buf_size ? left : r->buf_size;
		if (rd_need(r, r->buf, n, rec))
			return -1;
	}
	r->data_off += d->len;
	if (r->data_off == r->data_size)
		r->data_objref = 0;
	return 0;
}

static int rd_files(struct ckpt_reader *r, struct ckpt_rec *rec)
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

static int rd_fd(struct ckpt_reader *r, struct ckpt_rec *rec)
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
static int rd_extra_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
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

/*
 * Records that may stand, in any order, between the CPU record and the
 * first PAGES record: each type's check, as the kernel's restart does it.
 */
typedef int (*rd_fn)(struct ckpt_reader *r, struct ckpt_rec *rec);

/* ---- identity: CRED and RLIMITS ---- */

static int rd_once(struct ckpt_reader *r, const struct ckpt_rec *rec,
		   int *seen)
{
	if ((*seen)++)
		return rd_err(r, rec->off, "second %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

static int rd_cred_groups(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.cred.ngroups, i, gid;

	if (rd_data(r, (size_t)n * sizeof(gid), rec))
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(&gid, r->buf + i * sizeof(gid), sizeof(gid));
		if (gid == (__u32)-1)
			return rd_err(r, rec->off, "CRED group id -1");
	}
	return 0;
}

/* (uid_t)-1 is no user: the kernel cannot map it. */
static int rd_cred_ids(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cred *c = &rec->u.cred;
	const __u32 ids[] = { c->uid, c->euid, c->suid, c->fsuid,
			      c->gid, c->egid, c->sgid, c->fsgid };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (ids[i] == (__u32)-1)
			return rd_err(r, rec->off, "CRED id -1");
	}
	return 0;
}

static int rd_cred(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_cred *c = &rec->u.cred;
	__u64 all;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)) || rd_once(r, rec, &r->saw_cred))
		return -1;
	if (c->ngroups > CKPT_NGROUPS_MAX)
		return rd_err(r, rec->off, "too many CRED groups (%u)",
			      c->ngroups);
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP((__u64)c->ngroups * 4)))
		return -1;
	if (rd_cred_ids(r, rec))
		return -1;
	all = c->cap_inheritable | c->cap_permitted | c->cap_effective |
	      c->cap_bset | c->cap_ambient;
	if (all & ~RD_CAP_VALID || c->securebits & ~RD_SECUREBITS_VALID ||
	    c->cap_effective & ~c->cap_permitted ||
	    c->cap_ambient & ~(c->cap_permitted & c->cap_inheritable))
		return rd_err(r, rec->off,
			      "bad CRED capability sets or securebits");
	return rd_cred_groups(r, rec);
}

/*
 * Process-wide state (RLIMITS, POSIX_TIMER, SIGINFO of the shared queue)
 * comes with the first section naming the signal objref.
 */
static int rd_process_wide(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (!r->sec_new[CKPT_OBJ_KIND_SIGNAL])
		return rd_err(r, rec->off,
			      "%s record in the section of task %d, whose process's signal state came earlier",
			      ckpt_type_name(rec->u.h.type),
			      r->tasks[r->section].pid);
	return 0;
}

static int rd_rlimits(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_rlimit *rl = rec->u.rlimits.rlim;
	int i;

	if (rd_len(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_body(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_once(r, rec, &r->saw_rlimits) || rd_process_wide(r, rec))
		return -1;
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		if (rl[i].cur > rl[i].max)
			return rd_err(r, rec->off,
				      "RLIMITS: limit %d soft above hard", i);
	}
	if (rl[RD_RLIMIT_CPU].cur != CKPT_RLIM_INFINITY)
		return rd_err(r, rec->off, "RLIMITS: finite CPU soft limit");
	return 0;
}

/* ---- signals: SIGHAND, SIGNAL, SIGINFO and RESTART_BLOCK ---- */

#define RD_SIGKILL		9
#define RD_SIGSTOP		19
#define RD_SIGRTMIN		32
#define RD_SIG_UNBLOCKABLE	((1ULL << (RD_SIGKILL - 1)) | \
				 (1ULL << (RD_SIGSTOP - 1)))
#define RD_SA_FLAGS		0xdc000807ULL	/* x86-64 UAPI_SA_FLAGS */
#define RD_SS_ONSTACK		1U
#define RD_SS_DISABLE		2U
#define RD_SS_AUTODISARM	(1U << 31)
#define RD_MINSIGSTKSZ		2048U
#define RD_KTIME_MAX		0x7fffffffffffffffULL
#define RD_MAX_SIGINFO		(64U << 10)
#define RD_SI_TIMER		(-2)
#define RD_SIGEV_SIGNAL		0
#define RD_SIGEV_NONE		1
#define RD_SIGEV_THREAD		2
#define RD_SIGEV_THREAD_ID	4
#define RD_MAX_TIMERS		(64U << 10)

static int rd_sigaction(struct ckpt_reader *r, const struct ckpt_rec *rec,
			int sig, const struct ckpt_sigaction *a)
{
	int kernel_only = sig == RD_SIGKILL || sig == RD_SIGSTOP;

	if (a->mask & RD_SIG_UNBLOCKABLE)
		return rd_err(r, rec->off,
			      "signal %d's mask holds SIGKILL or SIGSTOP", sig);
	if (a->handler >= RD_TASK_SIZE || a->restorer >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "signal %d's handler or restorer outside user space",
			      sig);
	if (a->flags & ~RD_SA_FLAGS)
		return rd_err(r, rec->off, "signal %d has unknown flags %#llx",
			      sig, (unsigned long long)a->flags);
	if (kernel_only && (a->handler || a->flags || a->restorer || a->mask))
		return rd_err(r, rec->off, "signal %d cannot have an action",
			      sig);
	return 0;
}

static int rd_sighand(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	int i;

	if (rd_len(r, rec, sizeof(rec->u.sighand)) ||
	    rd_body(r, rec, sizeof(rec->u.sighand)) ||
	    rd_once(r, rec, &r->saw_sighand) ||
	    rd_obj_record(r, rec, CKPT_OBJ_KIND_SIGHAND,
			  rec->u.sighand.objref))
		return -1;
	if (rec->u.sighand.pad)
		return rd_err(r, rec->off, "nonzero SIGHAND padding");
	for (i = 0; i < CKPT_NSIG; i++) {
		if (rd_sigaction(r, rec, i + 1, &rec->u.sighand.action[i]))
			return -1;
	}
	return 0;
}

static int rd_altstack(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;
	__u32 mode = s->altstack_flags & ~RD_SS_AUTODISARM;
	__u64 sp = s->altstack_sp, size = s->altstack_size;
	int ok;

	if (!size)
		ok = !sp;
	else
		ok = mode != RD_SS_DISABLE && size >= RD_MINSIGSTKSZ &&
		     sp < RD_TASK_SIZE && size <= RD_TASK_SIZE - sp;
	if (mode != 0 && mode != RD_SS_ONSTACK && mode != RD_SS_DISABLE)
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad alternate stack %#llx size %llu flags %#x",
			      (unsigned long long)sp, (unsigned long long)size,
			      s->altstack_flags);
	return 0;
}

static int rd_signal(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;

	if (rd_len(r, rec, sizeof(*s)) || rd_body(r, rec, sizeof(*s)) ||
	    rd_once(r, rec, &r->saw_signal))
		return -1;
	if (s->flags & ~CKPT_SIGNAL_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown SIGNAL flags %#x", s->flags);
	if (!(s->flags & CKPT_SIGNAL_RESTORE_SIGMASK) && s->saved_sigmask)
		return rd_err(r, rec->off, "saved mask without a sleep");
	if (s->real.value > RD_KTIME_MAX || s->real.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad ITIMER_REAL value or interval");
	if (s->virt.value > RD_KTIME_MAX || s->virt.interval > RD_KTIME_MAX ||
	    s->prof.value > RD_KTIME_MAX || s->prof.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off,
			      "bad ITIMER_VIRTUAL or ITIMER_PROF value or interval");
	if (s->next_timer_id > 0x7fffffffU || s->pad)
		return rd_err(r, rec->off, "bad next timer id %u",
			      s->next_timer_id);
	return rd_altstack(r, rec);
}

static int rd_siginfo(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_siginfo *si = &rec->u.siginfo;
	__u64 bit;

	if (rd_len(r, rec, sizeof(*si)) || rd_body(r, rec, sizeof(*si)))
		return -1;
	if (si->queue != CKPT_SIGQ_THREAD && si->queue != CKPT_SIGQ_PROCESS)
		return rd_err(r, rec->off, "unknown signal queue %u",
			      si->queue);
	if (si->queue == CKPT_SIGQ_PROCESS && rd_process_wide(r, rec))
		return -1;
	if (si->signo < 1 || si->signo > CKPT_NSIG ||
	    si->signo == RD_SIGKILL || si->signo == RD_SIGSTOP)
		return rd_err(r, rec->off, "bad pending signal number %d",
			      si->signo);
	if (si->si_code == RD_SI_TIMER)
		return rd_err(r, rec->off, "POSIX timer signal %d pending",
			      si->signo);
	bit = 1ULL << (si->signo - 1);
	if (si->signo < RD_SIGRTMIN &&
	    (r->std_queued[si->queue - 1] & bit))
		return rd_err(r, rec->off, "signal %d queued twice",
			      si->signo);
	r->std_queued[si->queue - 1] |= bit;
	if (++r->nr_siginfo > RD_MAX_SIGINFO)
		return rd_err(r, rec->off, "too many pending signals");
	return 0;
}

static int rd_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7 || clock == 11;
}

static int rd_restart_block(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_restart_block *b = &rec->u.restart_block;
	int ok = 0;

	if (rd_len(r, rec, sizeof(*b)) || rd_body(r, rec, sizeof(*b)) ||
	    rd_once(r, rec, &r->saw_restart_block))
		return -1;
	if (!r->in_restart_block)
		return rd_err(r, rec->off,
			      "RESTART_BLOCK without an interrupted call");
	if (b->kind == CKPT_RESTART_NANOSLEEP)
		ok = rd_clock_ok(b->clockid) && !b->nfds && !b->has_timeout &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_POLL)
		ok = !b->clockid && b->nfds <= 0x7fffffffU &&
		     b->has_timeout <= 1 && (b->has_timeout || !b->remaining) &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_FUTEX)
		ok = (b->clockid == 0 || b->clockid == 1) && !b->nfds &&
		     !b->has_timeout && b->bitset &&
		     !(b->futex_flags & ~CKPT_FUTEX_FLAGS_ALL) &&
		     !(b->uaddr & 3);
	if (!ok || b->pad || b->uaddr >= RD_TASK_SIZE ||
	    b->remaining > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad RESTART_BLOCK kind %u", b->kind);
	return 0;
}

/* CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME */
static int rd_timer_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7;
}

static int rd_posix_timer(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_posix_timer *t = &rec->u.posix_timer;
	int ok;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)) ||
	    rd_process_wide(r, rec))
		return -1;
	ok = t->id >= 0 && rd_timer_clock_ok(t->clockid) &&
	     t->it.value <= RD_KTIME_MAX && t->it.interval <= RD_KTIME_MAX;
	if (t->notify == RD_SIGEV_NONE)
		ok = ok && !t->signo;
	else if (t->notify == RD_SIGEV_SIGNAL ||
		 t->notify == RD_SIGEV_THREAD ||
		 t->notify == RD_SIGEV_THREAD_ID)
		ok = ok && t->signo >= 1 && t->signo <= CKPT_NSIG;
	else
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad POSIX timer %d: clock %d, notification %d, signal %d or time",
			      t->id, t->clockid, t->notify, t->signo);
	if (++r->nr_timers > RD_MAX_TIMERS)
		return rd_err(r, rec->off, "too many POSIX timers");
	return 0;
}

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
};

/* Check @rec's generic header against the stream's state. */
static int rd_check_hdr(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr *h = &rec->u.h;
	const char *name = ckpt_type_name(h->type);
	__u64 max = CKPT_HDR_MAX;

	if (!h->type || h->type >= CKPT_HDR_MAX_TYPE)
		return rd_err(r, rec->off, "unknown record type %u", h->type);
	if (h->type == CKPT_HDR_PAGES)
		max = sizeof(struct ckpt_hdr_pages) +
		      (__u64)CKPT_PAGES_MAX * RD_PAGE_SIZE;
	if (h->type == CKPT_HDR_FILE_DATA)
		max = sizeof(struct ckpt_hdr_file_data) + CKPT_FILE_DATA_MAX;
	if (h->type == CKPT_HDR_TREE)
		max = CKPT_PREFIX_MAX - sizeof(struct ckpt_hdr_header);
	if (h->len < sizeof(*h) || h->len % CKPT_ALIGN || h->len > max)
		return rd_err(r, rec->off, "bad %s record length %u",
			      name, h->len);
	if (r->state == RD_VMA && rec->off + h->len > r->mm_end)
		return rd_err(r, rec->off,
			      "%s record runs past its MM record", name);
	if (r->state == RD_FD && rec->off + h->len > r->files_end)
		return rd_err(r, rec->off,
			      "%s record runs past its FILES record", name);
	if (h->type == rd_expect[r->state])
		return 0;
	if ((r->state == RD_PAGES || r->state == RD_EXTRA) &&
	    (h->type == CKPT_HDR_TAIL || h->type == CKPT_HDR_TASK))
		return 0;
	if (r->state == RD_EXTRA && rd_extra[h->type])
		return 0;
	if (r->state == RD_VMA)
		return rd_err(r, rec->off, "%s record inside MM", name);
	if (r->state == RD_FD)
		return rd_err(r, rec->off, "%s record inside FILES", name);
	return rd_err(r, rec->off, "unexpected %s record (want %s)", name,
		      ckpt_type_name(rd_expect[r->state]));
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
	case CKPT_HDR_MM:
		return rd_mm(r, rec);
	case CKPT_HDR_VMA:
		return rd_vma(r, rec);
	case CKPT_HDR_CPU:
		return rd_cpu(r, rec);
	case CKPT_HDR_FD:
		return rd_fd(r, rec);
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
	__u32 crc = r->crc;
	ssize_t n;

	if (r->state == RD_DONE)
		return 0;
	if (r->state == RD_END)
		return rd_end(r);

	memset(&rec->u, 0, sizeof(rec->u));
	rec->off = r->pos;
	rec->depth = r->state == RD_VMA || r->state == RD_FD;
	rec->crc = 0;
	n = rd_raw(r, &rec->u.h, sizeof(rec->u.h));
	if (n < 0)
		return -1;
	if (n == 0 && r->state == RD_HEADER)
		return rd_err(r, rec->off, "empty image");
	if (n == 0)
		return rd_err(r, rec->off, "missing %s record",
			      r->state != RD_PAGES && r->state != RD_EXTRA ?
			      ckpt_type_name(rd_expect[r->state]) :
			      rd_next_live(r, r->section) < (long)r->nr_tasks ?
			      "TASK" : "TAIL");
	if (n < (ssize_t)sizeof(rec->u.h))
		return rd_err(r, rec->off, "truncated record header");
	if (rd_check_hdr(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && r->state == RD_EXTRA &&
	    rd_extra_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && rd_sections_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL)
		return rd_tail(r, rec, crc) ? -1 : 1;
	if (rd_record(r, rec))
		return -1;
	r->nr_records++;
	return 1;
}

int ckpt_reader_init(struct ckpt_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->crc = ~0U;
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
	free(r->file_refs);
	free(r->tasks);
	free(r->objrefs);
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		free(r->seen[k].slot);
		r->seen[k].slot = NULL;
	}
	r->tasks = NULL;
	r->objrefs = NULL;
	r->buf = NULL;
	r->vmas = NULL;
	r->file_refs = NULL;
}

/* A caller about to restart: default dispositions, nothing blocked. */
void ckpt_reset_signals(void)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---------------------------------------------------------------------- */
/* the tree, read and checked before anything is forked */

#define PID_MAX_LIMIT	(4L << 20)	/* the kernel's highest pid_max */

long ckpt_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long max = 0;

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 ? max : PID_MAX_LIMIT;
}

/* What the checks below need of the tree: the entry of a pid. */
struct tree_ctx {
	const struct ckpt_tree_task *tasks;
	__u32 nr;
	__u32 *by_pid;		/* entry indexes sorted by pid */
	__s32 *fork_pgid;	/* per process: its group when created */
	char *err;
	size_t errlen;
};

static const struct ckpt_tree_task *sort_tasks;

static int cmp_pid(const void *a, const void *b)
{
	__s32 x = sort_tasks[*(const __u32 *)a].pid;
	__s32 y = sort_tasks[*(const __u32 *)b].pid;

	return x < y ? -1 : x > y;
}

/* The indexes of @nr @tasks, sorted by pid (malloc'd), or NULL. */
static __u32 *tree_index(const struct ckpt_tree_task *tasks, __u32 nr)
{
	__u32 *by_pid = malloc((nr ? nr : 1) * sizeof(*by_pid));
	__u32 i;

	if (!by_pid)
		return NULL;
	for (i = 0; i < nr; i++)
		by_pid[i] = i;
	sort_tasks = tasks;
	qsort(by_pid, nr, sizeof(*by_pid), cmp_pid);
	return by_pid;
}

/* The entry whose pid is @pid, or -1. */
static long tree_lookup(const struct ckpt_tree_task *tasks,
			const __u32 *by_pid, __u32 nr, __s32 pid)
{
	size_t lo = 0, hi = nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tasks[by_pid[mid]].pid < pid)
			lo = mid + 1;
		else if (tasks[by_pid[mid]].pid > pid)
			hi = mid;
		else
			return by_pid[mid];
	}
	return -1;
}

static long tree_find(const struct tree_ctx *c, __s32 pid)
{
	return tree_lookup(c->tasks, c->by_pid, c->nr, pid);
}

long ckpt_tree_find(const struct ckpt_tree *t, __s32 pid)
{
	return tree_lookup(t->tasks, t->by_pid, t->tree->nr_tasks, pid);
}

static int __printf(3, 4)
tree_err(const struct tree_ctx *c, long i, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "TREE entry %ld (pid %d): ", i,
			 c->tasks[i].pid);
	va_list ap;

	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int is_process(const struct ckpt_tree_task *t)
{
	return t->pid == t->tgid;
}

/* Rule 8: a wait status, of an exit or of a signal. */
static int exit_code_ok(__s32 code)
{
	int sig = code & 0x7f;

	if (!(code & ~0xff00))
		return 1;
	return !(code & ~0xff) && sig >= 1 && sig <= CKPT_NSIG;
}

/* Rule 4: @i is a thread of the process at @proc. */
static int check_thread(const struct tree_ctx *c, long i, long proc)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p;

	if (proc < 0 || t->tgid != c->tasks[proc].pid)
		return tree_err(c, i,
				"thread of tgid %d does not follow its process",
				t->tgid);
	p = &c->tasks[proc];
	if (t->ppid != p->ppid || t->pgid != p->pgid || t->sid != p->sid)
		return tree_err(c, i,
				"thread's ppid %d pgid %d sid %d differ from its process's %d %d %d",
				t->ppid, t->pgid, t->sid, p->ppid, p->pgid,
				p->sid);
	if (t->exit_signal || t->flags & (CKPT_TREE_ZOMBIE |
					  CKPT_TREE_SUBREAPER))
		return tree_err(c, i,
				"thread with exit signal %d or flags %#x",
				t->exit_signal, t->flags);
	return 0;
}

/* Rule 6: the session. */
static int check_sid(const struct tree_ctx *c, long i, __s32 parent_sid)
{
	const struct ckpt_tree_task *t = &c->tasks[i];
	long l = t->sid ? tree_find(c, t->sid) : -1;

	if (t->sid && (l < 0 || !is_process(&c->tasks[l]) ||
		       c->tasks[l].sid != t->sid))
		return tree_err(c, i,
				"session %d has no leader in the tree", t->sid);
	if (t->sid != t->pid && t->sid != parent_sid)
		return tree_err(c, i,
				"session %d is neither its own nor its parent's (%d)",
				t->sid, parent_sid);
	if (t->sid == t->pid && t->pgid != t->pid)
		return tree_err(c, i, "session leader in process group %d",
				t->pgid);
	return 0;
}

/*
 * Rule 7: the process group.  A process is created in its parent's
 * group as it was then (@parent_pgid: the group the parent was created
 * in or made), or makes its own; it may join another one during the
 * restart, which a zombie cannot.
 */
static int check_pgid(const struct tree_ctx *c, long i, __s32 parent_pgid)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *l;
	long li;

	c->fork_pgid[i] = t->pgid == t->pid ? t->pid : parent_pgid;
	if (t->pgid == c->fork_pgid[i])
		return 0;
	if (t->flags & CKPT_TREE_ZOMBIE)
		return tree_err(c, i,
				"zombie in process group %d, neither its own nor its parent's (%d)",
				t->pgid, parent_pgid);
	li = t->pgid ? tree_find(c, t->pgid) : -1;
	l = li < 0 ? NULL : &c->tasks[li];
	if (!l || !is_process(l) || l->flags & CKPT_TREE_ZOMBIE ||
	    l->pgid != l->pid || l->sid != t->sid)
		return tree_err(c, i,
				"process group %d has no live leader in the tree and session %d",
				t->pgid, t->sid);
	return 0;
}

/* Rules 3, 5, 6, 7 and 8 for a process; @i 0 is the root. */
static int check_process(const struct tree_ctx *c, long i, __u32 tree_flags)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p = NULL;
	long pi = -1;
	int ret;

	if (t->exit_signal < 0 || t->exit_signal > CKPT_NSIG)
		return tree_err(c, i, "bad exit signal %d", t->exit_signal);
	if (!i && (t->ppid || t->flags & (CKPT_TREE_ZOMBIE |
					   CKPT_TREE_SHARE_FILES |
					   CKPT_TREE_SHARE_FS)))
		return tree_err(c, i, "root with parent %d or flags %#x",
				t->ppid, t->flags);
	if (!i && tree_flags & CKPT_TREE_PIDNS && t->pid != 1)
		return tree_err(c, i, "root of a pid namespace is not pid 1");
	if (i) {
		pi = tree_find(c, t->ppid);
		if (pi < 0 || pi >= i)
			return tree_err(c, i, "parent %d %s", t->ppid,
					pi < 0 ? "is not in the tree" :
						 "comes after its child");
		p = &c->tasks[pi];
		if (!is_process(p) || p->flags & CKPT_TREE_ZOMBIE)
			return tree_err(c, i, "parent %d is a %s", t->ppid,
					is_process(p) ? "zombie" : "thread");
	}
	ret = check_sid(c, i, p ? p->sid : 0);
	if (!ret)
		ret = check_pgid(c, i, p ? c->fork_pgid[pi] : 0);
	if (!ret && t->flags & CKPT_TREE_ZOMBIE && !exit_code_ok(t->exit_code))
		ret = tree_err(c, i, "zombie with bad exit status %#x",
			       t->exit_code);
	return ret;
}

/* Rules 1 and 2: counts, flags, pids. */
static int check_entries(struct tree_ctx *c, __u32 tree_flags, long pid_max)
{
	__u32 i;

	if (tree_flags & ~CKPT_TREE_FLAGS_ALL) {
		snprintf(c->err, c->errlen, "unknown TREE flags %#x",
			 tree_flags);
		return -EINVAL;
	}
	for (i = 0; i < c->nr; i++) {
		if (c->tasks[i].flags & ~CKPT_TREE_TASK_FLAGS_ALL)
			return tree_err(c, i, "unknown flags %#x",
					c->tasks[i].flags);
		if (c->tasks[i].pid < 1 || c->tasks[i].pid >= pid_max ||
		    c->tasks[i].tgid < 1)
			return tree_err(c, i, "tgid %d: pid or tgid outside 1..%ld",
					c->tasks[i].tgid, pid_max - 1);
		/*
		 * a thread has its process's parent: the root's threads
		 * have none either
		 */
		if (i && !c->tasks[i].ppid && is_process(&c->tasks[i]))
			return tree_err(c, i, "a second root (parent 0)");
	}
	c->by_pid = tree_index(c->tasks, c->nr);
	if (!c->by_pid) {
		snprintf(c->err, c->errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 1; i < c->nr; i++) {
		if (c->tasks[c->by_pid[i]].pid == c->tasks[c->by_pid[i - 1]].pid)
			return tree_err(c, c->by_pid[i], "pid twice in the tree");
	}
	return 0;
}

int ckpt_check_tree(const struct ckpt_hdr_tree *h,
		    const struct ckpt_tree_task *tasks, long pid_max,
		    char *err, size_t errlen)
{
	struct tree_ctx c = {
		.tasks = tasks, .nr = h->nr_tasks, .err = err,
		.errlen = errlen,
	};
	long i, proc = -1;
	int ret;

	if (tree_count_check(c.nr, pid_max, err, errlen))
		return -EINVAL;
	c.fork_pgid = malloc(c.nr * sizeof(*c.fork_pgid));
	if (!c.fork_pgid) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = check_entries(&c, h->flags, pid_max);
	if (!ret && !is_process(&tasks[0]))
		ret = tree_err(&c, 0, "root is a thread of %d", tasks[0].tgid);
	for (i = 0; !ret && i < (long)c.nr; i++) {
		if (!is_process(&tasks[i])) {
			ret = check_thread(&c, i, proc);
			continue;
		}
		proc = i;
		ret = check_process(&c, i, h->flags);
	}
	free(c.by_pid);
	free(c.fork_pgid);
	return ret;
}

/* Read the record of @type at @off in t->prefix; its length, or < 0. */
static ssize_t read_prefix_record(int fd, struct ckpt_tree *t, size_t off,
				  __u32 type, size_t min)
{
	struct ckpt_hdr h;
	ssize_t n = read_full(fd, t->prefix + off, sizeof(h));

	if (n < 0)
		return -errno;
	if (n == 0 && !off) {
		snprintf(t->err, sizeof(t->err), "empty image");
		return -EINVAL;
	}
	if (n < (ssize_t)sizeof(h)) {
		snprintf(t->err, sizeof(t->err), "truncated image: no %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	memcpy(&h, t->prefix + off, sizeof(h));
	if (h.type != type) {
		snprintf(t->err, sizeof(t->err),
			 "unexpected %s record at offset %zu (want %s)",
			 ckpt_type_name(h.type), off, ckpt_type_name(type));
		return -EINVAL;
	}
	if (h.len < min || h.len % CKPT_ALIGN || h.len > CKPT_PREFIX_MAX - off) {
		snprintf(t->err, sizeof(t->err), "bad %s record length %u",
			 ckpt_type_name(type), h.len);
		return -EINVAL;
	}
	n = read_full(fd, t->prefix + off + sizeof(h), h.len - sizeof(h));
	if (n < 0)
		return -errno;
	if (n < (ssize_t)(h.len - sizeof(h))) {
		snprintf(t->err, sizeof(t->err), "truncated %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	return h.len;
}

int ckpt_read_tree(int fd, struct ckpt_tree *t)
{
	const size_t hlen = sizeof(struct ckpt_hdr_header);
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->prefix = malloc(CKPT_PREFIX_MAX);
	if (!t->prefix) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -ENOMEM;
	}
	n = read_prefix_record(fd, t, 0, CKPT_HDR_HEADER, hlen);
	if (n >= 0 && n != (ssize_t)hlen) {
		snprintf(t->err, sizeof(t->err),
			 "bad HEADER record length %zd", n);
		n = -EINVAL;
	}
	if (n < 0)
		goto fail;
	t->header = (const struct ckpt_hdr_header *)t->prefix;
	if (header_check(t->header, t->err, sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	n = read_prefix_record(fd, t, hlen, CKPT_HDR_TREE,
			       sizeof(struct ckpt_hdr_tree));
	if (n < 0)
		goto fail;
	t->len = hlen + n;
	t->tree = (const struct ckpt_hdr_tree *)(t->prefix + hlen);
	t->tasks = (const struct ckpt_tree_task *)(t->tree + 1);
	if (tree_count_check(t->tree->nr_tasks, ckpt_pid_max(), t->err,
			     sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	if ((__u64)t->tree->nr_tasks * sizeof(*t->tasks) !=
	    n - sizeof(*t->tree)) {
		snprintf(t->err, sizeof(t->err),
			 "bad TREE record length %zd (want %zu)", n,
			 sizeof(*t->tree) +
			 t->tree->nr_tasks * sizeof(*t->tasks));
		n = -EINVAL;
		goto fail;
	}
	n = ckpt_check_tree(t->tree, t->tasks, ckpt_pid_max(), t->err,
			    sizeof(t->err));
	if (n)
		goto fail;
	t->by_pid = tree_index(t->tasks, t->tree->nr_tasks);
	if (t->by_pid)
		return 0;
	snprintf(t->err, sizeof(t->err), "out of memory");
	n = -ENOMEM;
fail:
	if (n < 0 && !t->err[0])
		snprintf(t->err, sizeof(t->err), "read error (%s)",
			 strerror(-n));
	return n;
}

void ckpt_tree_free(struct ckpt_tree *t)
{
	free(t->prefix);
	free(t->by_pid);
	memset(t, 0, sizeof(*t));
}
