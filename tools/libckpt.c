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

/* Read the record of @type and at most @max bytes at @buf; its length. */
static ssize_t read_record(int fd, unsigned char *buf, __u32 type,
			   size_t min, size_t max)
{
	struct ckpt_hdr h;
	ssize_t n = read_full(fd, buf, sizeof(h));

	if (n < (ssize_t)sizeof(h))
		return n;
	memcpy(&h, buf, sizeof(h));
	if (h.type != type || h.len < min || h.len > max)
		return n;
	n = read_full(fd, buf + sizeof(h), h.len - sizeof(h));
	return n < 0 ? n : n + (ssize_t)sizeof(h);
}

ssize_t ckpt_read_task_prefix(int fd, void *buf, pid_t *pid)
{
	const size_t hlen = sizeof(struct ckpt_hdr_header);
	struct ckpt_hdr_task task;
	unsigned char *p = buf;
	ssize_t n, m;

	*pid = 0;
	n = read_record(fd, p, CKPT_HDR_HEADER, hlen, hlen);
	if (n != (ssize_t)hlen)
		return n;
	m = read_record(fd, p + n, CKPT_HDR_TASK, sizeof(task),
			CKPT_PREFIX_MAX - n);
	if (m < 0)
		return m;
	if (m >= (ssize_t)sizeof(task)) {
		memcpy(&task, p + n, sizeof(task));
		*pid = task.pid;
	}
	return n + m;
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

static int rd_header(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_header *h = &rec->u.header;

	if (rd_len(r, rec, sizeof(*h)) || rd_body(r, rec, sizeof(*h)))
		return -1;
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		return rd_err(r, rec->off, "bad magic (not a checkpoint image)");
	if (h->version != CKPT_VERSION)
		return rd_err(r, rec->off, "unsupported image version %u",
			      h->version);
	if (h->arch != CKPT_ARCH_X86_64)
		return rd_err(r, rec->off, "unsupported architecture %u",
			      h->arch);
	if (h->page_size != RD_PAGE_SIZE)
		return rd_err(r, rec->off, "bad page size %u", h->page_size);
	if (!h->xstate_size || h->xstate_size > CKPT_HDR_MAX / 2)
		return rd_err(r, rec->off, "bad xstate size %u",
			      h->xstate_size);
	r->page_size = h->page_size;
	r->xstate_size = h->xstate_size;
	r->xstate_features = h->xstate_features;
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
	r->mm_objref = t->mm_objref;
	r->state = RD_MM;
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
	if (f->umask & ~0777U || f->pad)
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

	if (rd_data_done(r, rec))
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
	if (!r->saw_fs || !r->saw_files)
		return rd_err(r, rec->off, "no %s record before the contents",
			      r->saw_fs ? "FILES" : "FS");
	if (!r->saw_sighand || !r->saw_signal)
		return rd_err(r, rec->off, "no %s record before the contents",
			      r->saw_sighand ? "SIGNAL" : "SIGHAND");
	return 0;
}

/*
 * Records that may stand, in any order, between the CPU record and the
 * first PAGES record: each type's check, as the kernel's restart does it.
 */
typedef int (*rd_fn)(struct ckpt_reader *r, struct ckpt_rec *rec);

/* ---- identity: CRED and RLIMITS ---- */

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
	if (rd_body(r, rec, sizeof(*c)))
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

static int rd_rlimits(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_rlimit *rl = rec->u.rlimits.rlim;
	int i;

	if (rd_len(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_body(r, rec, sizeof(rec->u.rlimits)))
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

static int rd_once(struct ckpt_reader *r, const struct ckpt_rec *rec,
		   int *seen)
{
	if ((*seen)++)
		return rd_err(r, rec->off, "second %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

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
	    rd_once(r, rec, &r->saw_sighand))
		return -1;
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

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
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
	    h->type == CKPT_HDR_TAIL)
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
	case CKPT_HDR_TASK:
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
			      r->state == RD_PAGES || r->state == RD_EXTRA ?
			      "TAIL" :
			      ckpt_type_name(rd_expect[r->state]));
	if (n < (ssize_t)sizeof(rec->u.h))
		return rd_err(r, rec->off, "truncated record header");
	if (rd_check_hdr(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && r->state == RD_EXTRA &&
	    rd_extra_done(r, rec))
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
	free(r->buf);
	free(r->vmas);
	free(r->file_refs);
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
