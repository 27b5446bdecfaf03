// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image reader: MM, VMA, COW, CPU, PAGES and TAIL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

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

int rd_mm(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_mm *mm = &rec->u.mm;
	__u64 need, fixed;

	if (rec->u.h.len < sizeof(*mm))
		return rd_len(r, rec, sizeof(*mm));
	if (rd_body(r, rec, sizeof(*mm)))
		return -1;
	if (mm->nr_vmas > CKPT_MM_VMAS_MAX)
		return rd_err(r, rec->off, "too many VMAs (%u)", mm->nr_vmas);
	if ((mm->flags & ~CKPT_MM_FLAGS_ALL) ||
	    (mm->flags & (CKPT_MM_LOCK_FUTURE | CKPT_MM_LOCK_ONFAULT)) ==
	    CKPT_MM_LOCK_ONFAULT)
		return rd_err(r, rec->off, "bad MM flags %#x", mm->flags);
	if (mm->nr_cow > CKPT_MM_COW_MAX || (mm->nr_cow && !mm->nr_vmas))
		return rd_err(r, rec->off, "bad number of COW records (%u)",
			      mm->nr_cow);
	fixed = sizeof(*mm) + CKPT_ALIGN_UP(mm->exe_path_len);
	need = fixed + (__u64)mm->nr_vmas * sizeof(struct ckpt_hdr_vma) +
	       (__u64)mm->nr_cow * sizeof(struct ckpt_hdr_cow);
	if (need > rec->u.h.len)
		return rd_err(r, rec->off,
			      "MM record of length %u cannot hold %u VMAs and %u COW records",
			      rec->u.h.len, mm->nr_vmas, mm->nr_cow);
	if (!mm->nr_vmas && rec->u.h.len != fixed)
		return rd_len(r, rec, fixed);
	if (mm->objref != r->mm_objref)
		return rd_err(r, rec->off,
			      "MM objref %d does not match the task's %d",
			      mm->objref, r->mm_objref);
	/* pages shared with an address space of an earlier section */
	if (mm->cow_objref &&
	    (mm->cow_objref == mm->objref ||
	     !rd_refset_has(&r->seen[CKPT_OBJ_KIND_MM], mm->cow_objref)))
		return rd_err(r, rec->off,
			      "MM shares pages with objref %d, no earlier address space",
			      mm->cow_objref);
	if (!mm->cow_objref && mm->nr_cow)
		return rd_err(r, rec->off,
			      "MM has COW records and no address space to share with");
	r->sec_mm = 1;
	if (rd_mm_fields(r, rec) || rd_auxv(r, rec) || rd_exe_path(r, rec))
		return -1;
	free(r->vmas);
	r->vmas = calloc(mm->nr_vmas ? mm->nr_vmas : 1, sizeof(*r->vmas));
	if (!r->vmas)
		return rd_err(r, rec->off, "out of memory");
	r->nr_vmas = 0;
	r->vmas_left = mm->nr_vmas;
	r->cow_left = mm->nr_cow;
	r->cow_objref = mm->cow_objref;
	r->cow_vma = 0;
	r->cow_end = 0;
	r->mm_off = rec->off;
	r->mm_end = rec->off + rec->u.h.len;
	r->state = mm->nr_vmas ? RD_VMA : RD_CPU;
	return 0;
}

static int rd_vma_path(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.vma.path_len;

	/* ckpt_vma_rules(): no path on any other kind */
	if (rec->u.vma.kind != CKPT_VMA_FILE &&
	    rec->u.vma.kind != CKPT_VMA_SHMEM) {
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

/* The kernel's own check of the record (format.c), as restart runs it. */
static int rd_vma_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;
	__u64 prev_end = r->nr_vmas ? r->vmas[r->nr_vmas - 1].end : 0;

	if (ckpt_vma_rules(v, prev_end, r->page_size, RD_TASK_SIZE, r->err,
			   sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
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

int rd_vma(struct ckpt_reader *r, struct ckpt_rec *rec)
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
	if ((v->flags & CKPT_VMA_COW) && !r->cow_objref)
		return rd_err(r, rec->off,
			      "VMA shares pages and its MM with no address space");
	if (!r->vmas_left && !r->cow_left && r->pos != r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record has %llu bytes after its %zu VMAs",
			      (unsigned long long)(r->mm_end - r->pos),
			      r->nr_vmas);
	if ((r->vmas_left || r->cow_left) && r->pos == r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record ends after %zu of its %zu VMAs",
			      r->nr_vmas, r->nr_vmas + r->vmas_left);
	if (r->vmas_left)
		return 0;
	r->state = r->cow_left ? RD_COW : RD_CPU;
	return rd_vdso_check(r);
}

/* A run of pages inside one COW mapping, after the previous run. */
int rd_cow(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cow *c = &rec->u.cow;
	const struct ckpt_range *v;
	__u64 end;

	if (rd_len(r, rec, sizeof(*c)) || rd_body(r, rec, sizeof(*c)))
		return -1;
	end = c->addr + (__u64)c->nr_pages * r->page_size;
	if (!c->nr_pages || c->pad || c->addr % r->page_size ||
	    c->addr < r->cow_end)
		return rd_err(r, rec->off, "bad COW run of %u pages at %#llx",
			      c->nr_pages, (unsigned long long)c->addr);
	while (r->cow_vma < r->nr_vmas && r->vmas[r->cow_vma].end <= c->addr)
		r->cow_vma++;
	v = r->cow_vma < r->nr_vmas ? &r->vmas[r->cow_vma] : NULL;
	if (!v || v->start > c->addr || end > v->end ||
	    !(v->flags & CKPT_VMA_COW))
		return rd_err(r, rec->off,
			      "COW run %#llx-%#llx is not inside one shared anonymous VMA",
			      (unsigned long long)c->addr,
			      (unsigned long long)end);
	r->cow_end = end;
	if (--r->cow_left && r->pos == r->mm_end)
		return rd_err(r, r->mm_off, "MM record ends before its COW records");
	if (!r->cow_left && r->pos != r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record has %llu bytes after its COW records",
			      (unsigned long long)(r->mm_end - r->pos));
	if (!r->cow_left)
		r->state = RD_CPU;
	return 0;
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

int rd_cpu(struct ckpt_reader *r, struct ckpt_rec *rec)
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

int rd_pages(struct ckpt_reader *r, struct ckpt_rec *rec)
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

/* @before: the running hash as it was before the TAIL's header. */
int rd_tail(struct ckpt_reader *r, struct ckpt_rec *rec,
		   const struct ckpt_xxh64 *before)
{
	struct ckpt_hdr_tail *t = &rec->u.tail;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
		return -1;
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TAIL padding");
	rec->sum = ckpt_xxh64_digest(before);
	if (t->xxh64 != rec->sum)
		return rd_err(r, rec->off,
			      "xxh64 mismatch (image %016llx, data %016llx)",
			      (unsigned long long)t->xxh64,
			      (unsigned long long)rec->sum);
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
	[RD_ZCRED] = CKPT_HDR_CRED,
	[RD_ZRLIMITS] = CKPT_HDR_RLIMITS,
	[RD_CRED] = CKPT_HDR_CRED,
	[RD_MM] = CKPT_HDR_MM,
	[RD_VMA] = CKPT_HDR_VMA,
	[RD_COW] = CKPT_HDR_COW,
	[RD_CPU] = CKPT_HDR_CPU,
	[RD_EXTRA] = CKPT_HDR_PAGES,
	[RD_FD] = CKPT_HDR_FD,
	[RD_PAGES] = CKPT_HDR_PAGES,
	[RD_PIPE] = CKPT_HDR_PIPE,
	[RD_PIPE_BUF] = CKPT_HDR_PIPE_BUF,
	[RD_EPOLL_ITEM] = CKPT_HDR_EPOLL_ITEM,
	[RD_UNIX] = CKPT_HDR_UNIX,
	[RD_UNIX_SKB] = CKPT_HDR_UNIX_SKB,
	[RD_INOTIFY_EVENT] = CKPT_HDR_INOTIFY_EVENT,
	[RD_INOTIFY_WATCH] = CKPT_HDR_INOTIFY_WATCH,
	[RD_PTY] = CKPT_HDR_PTY,
};

/* The record type that must come next; RD_ANON's depends on its FILE. */
__u32 rd_expected(const struct ckpt_reader *r)
{
	return r->state == RD_ANON ? r->anon_type : rd_expect[r->state];
}
