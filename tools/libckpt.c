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
		      unsigned long flags, int logfd)
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
	ret = ioctl(dev, cmd, &args);

	err = errno;
	close(dev);
	errno = err;
	return ret < 0 ? -1 : 0;
}

int checkpoint(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_CHECKPOINT, pid, fd, flags, logfd);
}

int restart(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, pid, fd, flags, logfd);
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

static int rd_mm(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_mm *mm = &rec->u.mm;
	__u64 need;

	if (rec->u.h.len < sizeof(*mm))
		return rd_len(r, rec, sizeof(*mm));
	if (rd_body(r, rec, sizeof(*mm)))
		return -1;
	if (mm->nr_vmas > RD_MAX_VMAS)
		return rd_err(r, rec->off, "too many VMAs (%u)", mm->nr_vmas);
	need = sizeof(*mm) + (__u64)mm->nr_vmas * sizeof(struct ckpt_hdr_vma);
	if (need > rec->u.h.len)
		return rd_err(r, rec->off,
			      "MM record of length %u cannot hold %u VMAs",
			      rec->u.h.len, mm->nr_vmas);
	if (!mm->nr_vmas && rec->u.h.len != sizeof(*mm))
		return rd_len(r, rec, sizeof(*mm));
	if (mm->objref != r->mm_objref)
		return rd_err(r, rec->off,
			      "MM objref %d does not match the task's %d",
			      mm->objref, r->mm_objref);
	if (rd_mm_fields(r, rec))
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

	if (rec->u.vma.kind != CKPT_VMA_FILE) {
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
	if (rec->path[0] != '/' || strnlen(rec->path, n) != n - 1)
		return rd_err(r, rec->off, "bad VMA path");
	return 0;
}

static int rd_vma_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;
	__u64 mask = r->page_size - 1;

	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_VVAR)
		return rd_err(r, rec->off, "unknown VMA kind %u", v->kind);
	if (v->flags & ~CKPT_VMA_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown VMA flags %#x", v->flags);
	if (v->pad)
		return rd_err(r, rec->off, "nonzero VMA padding");
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
	if (v->kind == CKPT_VMA_FILE &&
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
	    (v->kind != CKPT_VMA_ANON && v->kind != CKPT_VMA_FILE))
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
	[RD_PAGES] = CKPT_HDR_PAGES,
};

/*
 * Records that may stand, in any order, between the CPU record and the
 * first PAGES record: each type's check, as the kernel's restart does it.
 */
typedef int (*rd_fn)(struct ckpt_reader *r, struct ckpt_rec *rec);

static const rd_fn rd_extra[CKPT_HDR_MAX_TYPE] = {
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
	if (h->len < sizeof(*h) || h->len % CKPT_ALIGN || h->len > max)
		return rd_err(r, rec->off, "bad %s record length %u",
			      name, h->len);
	if (r->state == RD_VMA && rec->off + h->len > r->mm_end)
		return rd_err(r, rec->off,
			      "%s record runs past its MM record", name);
	if (h->type == rd_expect[r->state])
		return 0;
	if ((r->state == RD_PAGES || r->state == RD_EXTRA) &&
	    h->type == CKPT_HDR_TAIL)
		return 0;
	if (r->state == RD_EXTRA && rd_extra[h->type])
		return 0;
	if (r->state == RD_VMA)
		return rd_err(r, rec->off, "%s record inside MM", name);
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
	case CKPT_HDR_PAGES:
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
	rec->depth = r->state == RD_VMA;
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
	r->buf = NULL;
	r->vmas = NULL;
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
