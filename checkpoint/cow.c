// SPDX-License-Identifier: GPL-2.0
/*
 * Pages a forked process still shares with its parent.
 *
 * fork() leaves parent and child with the same private pages, copy on
 * write, until one of them writes.  Saved as two copies and restored as
 * two, a server's forked workers would need their memory twice over
 * after a restart.  So checkpoint looks, in each anonymous mapping of a
 * child, for the pages that are the very pages its parent has at the
 * same address (the parent is saved earlier in the image), and writes
 * their ranges as COW records instead of their data.
 *
 * Restart builds such a mapping the way fork() does, from the parent's
 * mapping restored just before: a mapping of the same range and
 * protection, anon_vma_fork() to link it to the parent's anon_vmas so
 * that rmap finds the shared pages in both, copy_page_range() to share
 * them write-protected, the parent's TLB flushed.  Then it cuts the
 * mapping to the child's bounds, drops the pages the child no longer
 * shared and gives it the child's protection; the child's PAGES records
 * fill in the rest as usual.  Where
 * the kernel does not let the module call those steps (IBT), or with the
 * cow_share module parameter off, the shared pages are copied from the
 * parent instead: the same contents, not the same memory.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/moduleparam.h>
#include <asm/tlbflush.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/memory.h>
#include <checkpoint/kapi.h>

static bool cow_share = true;
module_param(cow_share, bool, 0644);
MODULE_PARM_DESC(cow_share,
		 "restart shares a forked child's unwritten pages with its parent, as fork() left them (else copies them)");

/* What a mapping made by fork() has of its parent's, and keeps. */
#define CKPT_COW_SAME	(CKPT_VMA_GROWSDOWN | CKPT_VMA_NORESERVE)
#define CKPT_COW_PROT	(CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_EXEC)

/* Longest run in one COW record: its page count is 32 bits. */
#define CKPT_COW_RUN_MAX	(1U << 30)

static u64 ckpt_cow_end(const struct ckpt_hdr_cow *run)
{
	return run->addr + ((u64)run->nr_pages << PAGE_SHIFT);
}

void ckpt_cow_free(struct ckpt_cow_runs *cow)
{
	kvfree(cow->run);
	cow->run = NULL;
	cow->nr = 0;
}

/* The parent's mapping a child's mapping was forked from. */
struct ckpt_cow_pvma {
	unsigned long start, end;
	u32 flags;			/* CKPT_VMA_* */
};

/*
 * Whether a mapping made by fork() from the parent's @p, then given the
 * protection of @flags by mprotect(), is the child's as @flags has it:
 * the same growth and reservation, and charged for the commit if the
 * parent's writable mapping was (mprotect() does not uncharge).
 */
static bool ckpt_cow_fits(const struct ckpt_cow_pvma *p, u32 flags)
{
	if ((p->flags & CKPT_COW_SAME) != (flags & CKPT_COW_SAME))
		return false;
	return !(p->flags & CKPT_VMA_WRITE) || (p->flags & CKPT_VMA_NORESERVE) ||
	       (flags & CKPT_VMA_ACCOUNT);
}

/*
 * The private anonymous mapping of @src that [@start, @end) lies in, if
 * a fork could have made the child's mapping with @flags from it.
 */
static bool ckpt_cow_parent_vma(struct mm_struct *src, u64 start, u64 end,
				u32 flags, struct ckpt_cow_pvma *p)
{
	struct vm_area_struct *pvma;
	bool ok;

	/* mmap_lock: the parent's VMA, looked at only */
	mmap_read_lock(src);
	pvma = find_vma(src, start);
	ok = pvma && pvma->vm_start <= start && pvma->vm_end >= end &&
	     vma_is_anonymous(pvma) && !(pvma->vm_flags & VM_MAYSHARE) &&
	     !is_vm_hugetlb_page(pvma);
	if (ok) {
		p->start = pvma->vm_start;
		p->end = pvma->vm_end;
		p->flags = ckpt_vma_flags(pvma);
	}
	mmap_read_unlock(src);
	return ok && ckpt_cow_fits(p, flags);
}

/* ---------------------------------------------------------------------- */
/* checkpoint */

/* The mm of the task's parent process, when saved earlier in the image. */
static struct mm_struct *ckpt_cow_parent(struct ckpt_ctx *ctx,
					 struct mm_struct *mm)
{
	struct ckpt_ctx *root = ctx->parent, *p;
	s32 ppid;
	u32 i;

	if (!root || !root->tree || ctx->index < 0 ||
	    (u32)ctx->index >= root->nr_tree)
		return NULL;
	ppid = root->tree[ctx->index].e.ppid;
	for (i = 0; ppid && i < (u32)ctx->index; i++) {
		p = root->tree[i].ctx;
		if (root->tree[i].e.tgid == ppid && p && p->mm && p->mm != mm)
			return p->mm;
	}
	return NULL;
}

/*
 * Add the page at @addr to the runs, joining the last one if adjacent
 * and of the same mapping (from run @first on).
 */
static int ckpt_cow_add(struct ckpt_cow_runs *cow, unsigned int first,
			unsigned long addr)
{
	struct ckpt_hdr_cow *last = cow->nr > first ? &cow->run[cow->nr - 1] :
						       NULL;
	struct ckpt_hdr_cow *run;
	unsigned int size;

	if (last && ckpt_cow_end(last) == addr &&
	    last->nr_pages < CKPT_COW_RUN_MAX) {
		last->nr_pages++;
		return 0;
	}
	if (cow->nr == CKPT_MM_COW_MAX)
		return 0;	/* saved as data: the same, not shared */
	if (cow->nr == cow->size) {
		size = min(max(64U, cow->size * 2), CKPT_MM_COW_MAX);
		run = kvmalloc_array(size, sizeof(*run), GFP_KERNEL);
		if (!run)
			return -ENOMEM;
		if (cow->nr)
			memcpy(run, cow->run, cow->nr * sizeof(*run));
		kvfree(cow->run);
		cow->run = run;
		cow->size = size;
	}
	cow->run[cow->nr++] = (struct ckpt_hdr_cow){ .addr = addr, .nr_pages = 1 };
	return 0;
}

struct ckpt_cow_scan {
	struct ckpt_cow_runs *cow;
	unsigned int first;		/* the mapping's first run */
	struct mm_struct *src;
	struct page **spages;		/* the parent's, a batch */
};

/*
 * The child's pages[0..nr) at @addr against the parent's at the same
 * addresses.  Only a page mapped more than once can be the parent's:
 * the parent's page tables are consulted for those only.
 */
static int ckpt_cow_batch(struct ckpt_ctx *ctx, unsigned long addr,
			  struct page **pages, unsigned int nr, void *arg)
{
	struct ckpt_cow_scan *s = arg;
	unsigned int i = 0, n;
	int ret = 0;
	long got;

	while (i < nr && !ret) {
		if (!PageAnon(pages[i]) || !ckpt_page_maybe_shared(pages[i])) {
			i++;
			continue;
		}
		/* mmap_lock: the parent's VMAs, while its pages are taken */
		mmap_read_lock(s->src);
		got = ckpt_gup_remote(s->src, addr + i * PAGE_SIZE, nr - i,
				      FOLL_DUMP | FOLL_FORCE, s->spages);
		mmap_read_unlock(s->src);
		if (got == -EFAULT) {		/* the parent has none there */
			i++;
			continue;
		}
		if (got < 0)
			return ckpt_err(ctx, (int)got,
					"cannot read the parent's memory at %#lx",
					addr + i * PAGE_SIZE);
		for (n = 0; n < got && !ret; n++)
			if (s->spages[n] == pages[i + n])
				ret = ckpt_cow_add(s->cow, s->first,
						   addr + (i + n) * PAGE_SIZE);
		ckpt_put_pages(s->spages, got);
		i += got;
	}
	return ret;
}

/*
 * Which pages of the frozen child's anonymous mappings are its parent's
 * too: the runs, and CKPT_VMA_COW on the mappings that have any.  Both
 * are frozen, so this holds until the pages are written.
 */
int ckpt_cow_scan(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm)
{
	struct ckpt_cow_scan s = { .cow = &cmm->cow };
	struct ckpt_cow_pvma p;
	struct ckpt_hdr_vma *v;
	struct page **pages;
	unsigned int i;
	int ret = 0;

	s.src = ckpt_cow_parent(ctx, cmm->mm);
	if (!s.src)
		return 0;
	cmm->cow_objref = ckpt_obj_lookup(ctx, s.src, CKPT_OBJ_MM);
	if (cmm->cow_objref <= 0)
		return 0;
	pages = kmalloc_array(2 * CKPT_PAGES_MAX, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	s.spages = pages + CKPT_PAGES_MAX;
	for (i = 0; i < cmm->nr && !ret; i++) {
		v = &cmm->vmas[i].v;
		if (v->kind != CKPT_VMA_ANON ||
		    !ckpt_cow_parent_vma(s.src, v->start, v->end, v->flags, &p))
			continue;
		s.first = s.cow->nr;
		ret = ckpt_walk_pages(ctx, cmm->mm, v->start, v->end, pages,
				      ckpt_cow_batch, &s);
		if (s.cow->nr != s.first)
			v->flags |= CKPT_VMA_COW;
	}
	kfree(pages);
	if (!s.cow->nr)
		cmm->cow_objref = 0;
	return ret;
}

/* Whether the page at @addr is in a run; asked in address order. */
bool ckpt_cow_covers(struct ckpt_cow_runs *cow, unsigned long addr)
{
	while (cow->next < cow->nr && ckpt_cow_end(&cow->run[cow->next]) <= addr)
		cow->next++;
	return cow->next < cow->nr && cow->run[cow->next].addr <= addr;
}

size_t ckpt_cow_len(struct ckpt_ckpt_mm *cmm)
{
	return (size_t)cmm->cow.nr * sizeof(struct ckpt_hdr_cow);
}

int ckpt_cow_write(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm)
{
	struct ckpt_hdr_cow run;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < cmm->cow.nr && ret >= 0; i++) {
		run = cmm->cow.run[i];
		ret = ckpt_write_obj(ctx, &run.h, CKPT_HDR_COW, sizeof(run), 0);
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* restart */

static bool rstr_cow_shares(void)
{
	return READ_ONCE(cow_share) && kapi_cow_available();
}

/* The MM's cow_objref: an address space restored before this one. */
static int rstr_cow_source(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	const struct ckpt_hdr_mm *m = &rmm->mm;
	struct mm_struct *src;
	unsigned int i;

	if (!m->cow_objref) {
		for (i = 0; i < rmm->nr; i++)
			if (rmm->vmas[i].v.flags & CKPT_VMA_COW)
				break;
		if (!m->nr_cow && i == rmm->nr)
			return 0;
		return ckpt_err(ctx, -EINVAL,
				"MM record: pages shared with no other address space");
	}
	if (m->nr_cow > CKPT_MM_COW_MAX || m->cow_objref == m->objref)
		return ckpt_err(ctx, -EINVAL,
				"MM record: %u COW records shared with objref %d",
				m->nr_cow, m->cow_objref);
	src = ckpt_obj_fetch(ctx, m->cow_objref, CKPT_OBJ_MM);
	if (IS_ERR(src) || src == current->mm)
		return ckpt_err(ctx, -EINVAL,
				"MM record: objref %d to share pages with is no address space restored before",
				m->cow_objref);
	rmm->cow_src = src;
	return 0;
}

/*
 * One COW record: whole pages after the previous run, inside one
 * CKPT_VMA_COW mapping; *@v walks the mappings along with the runs.
 */
static int rstr_cow_run_read(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm,
			     struct ckpt_hdr_cow *run, unsigned int *v,
			     u64 prev_end)
{
	const struct ckpt_hdr_vma *vma;
	u64 end;
	int ret;

	ret = ckpt_read_obj(ctx, &run->h, CKPT_HDR_COW, sizeof(*run));
	if (ret < 0)
		return ret;
	end = ckpt_cow_end(run);
	if (run->h.len != sizeof(*run) || run->pad || !run->nr_pages ||
	    !PAGE_ALIGNED(run->addr) || run->addr < prev_end)
		return ckpt_err(ctx, -EINVAL,
				"COW record at offset %llu: %u pages at %#llx, length %u",
				ctx->hdr_pos, run->nr_pages, run->addr,
				run->h.len);
	while (*v < rmm->nr && rmm->vmas[*v].v.end <= run->addr)
		(*v)++;
	vma = *v < rmm->nr ? &rmm->vmas[*v].v : NULL;
	if (!vma || vma->start > run->addr || end > vma->end ||
	    !(vma->flags & CKPT_VMA_COW))
		return ckpt_err(ctx, -EINVAL,
				"COW record at offset %llu: %#llx-%#llx is not inside one shared anonymous mapping",
				ctx->hdr_pos, run->addr, end);
	return 0;
}

/* The COW records after the VMA records, checked against them. */
int rstr_cow_read(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	struct ckpt_cow_runs *cow = &rmm->cow;
	unsigned int i, v = 0;
	u64 prev_end = 0;
	int ret;

	ret = rstr_cow_source(ctx, rmm);
	if (ret < 0 || !rmm->mm.nr_cow)
		return ret;
	cow->run = kvmalloc_array(rmm->mm.nr_cow, sizeof(*cow->run),
				  GFP_KERNEL);
	if (!cow->run)
		return -ENOMEM;
	for (i = 0; i < rmm->mm.nr_cow; i++) {
		ret = rstr_cow_run_read(ctx, rmm, &cow->run[i], &v, prev_end);
		if (ret < 0)
			return ret;
		cow->nr++;
		prev_end = ckpt_cow_end(&cow->run[i]);
	}
	return 0;
}

/*
 * fork()'s steps for the parent's mapping [@start, @end): the same
 * range in current's mm, mapped afresh, linked to the parent's anon_vmas
 * and given the parent's pages, write-protected in both.  Both mmap locks
 * are taken as fork() takes them; the parent's tasks are all inside the
 * restart, so nothing of theirs runs meanwhile.
 */
static int rstr_cow_fork(struct ckpt_ctx *ctx, struct mm_struct *src,
			 const struct ckpt_cow_pvma *p)
{
	unsigned long flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	unsigned long start = p->start, end = p->end, addr;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma, *pvma;
	int ret = -EINVAL;

	if (p->flags & CKPT_VMA_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (p->flags & CKPT_VMA_NORESERVE)
		flags |= MAP_NORESERVE;
	addr = vm_mmap(NULL, start, end - start, rstr_prot(p->flags), flags, 0);
	if (IS_ERR_VALUE(addr))
		return ckpt_err(ctx, (int)addr, "cannot map %#lx-%#lx",
				start, end);
	/* both mmap locks, parent first: no VMA of either changes meanwhile */
	mmap_write_lock(src);
	mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING);
	pvma = find_vma(src, start);
	vma = find_vma(mm, start);
	/* fresh, not merged with a neighbour, indexed as the parent's */
	if (pvma && vma && pvma->vm_start == start && pvma->vm_end == end &&
	    vma->vm_start == start && vma->vm_end == end && !vma->anon_vma &&
	    vma->vm_pgoff == pvma->vm_pgoff) {
		ckpt_vma_start_write(pvma);
		ckpt_vma_start_write(vma);
		ret = kapi_cow_vma(vma, pvma);
	}
	mmap_write_unlock(mm);
	kapi_cow_flush(src);
	mmap_write_unlock(src);
	if (ret)
		return ckpt_err(ctx, ret,
				"cannot share the pages of %#lx-%#lx with the parent",
				start, end);
	return 0;
}

static int rstr_cow_unmap(struct ckpt_ctx *ctx, unsigned long start,
			  unsigned long end)
{
	int ret = start < end ? vm_munmap(start, end - start) : 0;

	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot unmap %#lx-%#lx", start, end);
	return 0;
}

static int rstr_cow_drop(struct ckpt_ctx *ctx, unsigned long start,
			 unsigned long end)
{
	long ret = 0;

	if (start < end)
		ret = kapi_madvise(start, end - start, MADV_DONTNEED);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"cannot drop the pages of %#lx-%#lx", start, end);
	return 0;
}

/* Of the parent's pages in mapping @v, drop those not in a run. */
static int rstr_cow_keep(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm,
			 const struct ckpt_hdr_vma *v)
{
	struct ckpt_cow_runs *cow = &rmm->cow;
	unsigned long pos = v->start;
	int ret = 0;

	for (; cow->next < cow->nr && cow->run[cow->next].addr < v->end &&
	       !ret; cow->next++) {
		ret = rstr_cow_drop(ctx, pos, cow->run[cow->next].addr);
		pos = ckpt_cow_end(&cow->run[cow->next]);
	}
	return ret ?: rstr_cow_drop(ctx, pos, v->end);
}

/*
 * The COW mappings that lie in one parent mapping, from vmas[*@i] on:
 * fork it once, cut it to them, keep the runs.  Mappings of other kinds
 * in between are mapped later, in the holes cut here.
 */
static int rstr_cow_group(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm,
			  unsigned int *i)
{
	const struct ckpt_hdr_vma *v = &rmm->vmas[*i].v, *w;
	unsigned int j, first = *i;
	struct ckpt_cow_pvma p;
	unsigned long pos;
	int ret;

	if (!ckpt_cow_parent_vma(rmm->cow_src, v->start, v->end, v->flags, &p))
		goto bad;
	for (j = first; j < rmm->nr && rmm->vmas[j].v.start < p.end; j++) {
		w = &rmm->vmas[j].v;
		if ((w->flags & CKPT_VMA_COW) &&
		    (w->end > p.end || !ckpt_cow_fits(&p, w->flags))) {
			v = w;
			goto bad;
		}
	}
	*i = j;
	ret = rstr_cow_fork(ctx, rmm->cow_src, &p);
	if (ret)
		return ret;
	for (pos = p.start, j = first; j < *i; j++) {
		w = &rmm->vmas[j].v;
		if (!(w->flags & CKPT_VMA_COW))
			continue;
		ret = rstr_cow_unmap(ctx, pos, w->start);
		if (ret)
			return ret;
		ret = rstr_cow_keep(ctx, rmm, w);
		if (ret)
			return ret;
		pos = w->end;
	}
	return rstr_cow_unmap(ctx, pos, p.end);
bad:
	return ckpt_err(ctx, -EINVAL,
			"pid %d: mapping %#llx-%#llx shares pages with objref %d, which has no such mapping",
			ctx->ts.task.pid, v->start, v->end,
			rmm->mm.cow_objref);
}

/* Before the other mappings: the ones fork() would have made. */
int rstr_cow_map(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	unsigned int i = 0;
	int ret = 0;

	rmm->cow_shared = rmm->cow_src && rstr_cow_shares();
	if (!rmm->cow_shared)
		return 0;
	while (i < rmm->nr && !ret) {
		if (rmm->vmas[i].v.flags & CKPT_VMA_COW)
			ret = rstr_cow_group(ctx, rmm, &i);
		else
			i++;
	}
	return ret;
}

/*
 * A mapping rstr_cow_map() made with its parent's protection, given the
 * child's as the child did, by mprotect(): charged for the commit if it
 * was (writable once), with its advice and locks.
 */
int rstr_cow_finish(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	struct ckpt_hdr_vma *v = &vi->v;
	unsigned long prot = rstr_prot(v->flags), len = v->end - v->start;
	long ret;

	if ((v->flags & CKPT_VMA_ACCOUNT) && !(prot & PROT_WRITE)) {
		ret = kapi_mprotect(v->start, len, prot | PROT_WRITE);
		if (ret)
			goto out_err;
	}
	ret = kapi_mprotect(v->start, len, prot);
	if (ret)
		goto out_err;
	return rstr_vma_advise(ctx, v);

out_err:
	return ckpt_err(ctx, (int)ret, "cannot protect %#llx-%#llx as it was",
			v->start, v->end);
}

/* One page of a run, copied from the parent's; none there: zeroes. */
static int rstr_cow_copy_page(struct ckpt_ctx *ctx, struct mm_struct *src,
			      unsigned long addr)
{
	struct page *from, *to;
	long got;

	mmap_read_lock(src);
	got = ckpt_gup_remote(src, addr, 1, FOLL_DUMP | FOLL_FORCE, &from);
	mmap_read_unlock(src);
	if (got == -EFAULT)
		return 0;
	if (got != 1)
		goto fail;
	mmap_read_lock(current->mm);
	got = ckpt_gup_remote(current->mm, addr, 1, FOLL_WRITE | FOLL_FORCE,
			      &to);
	mmap_read_unlock(current->mm);
	if (got == 1) {
		copy_highpage(to, from);
		set_page_dirty_lock(to);
		put_page(to);
	}
	put_page(from);
	if (got == 1)
		return 0;
fail:
	return ckpt_err(ctx, got < 0 ? (int)got : -EFAULT,
			"cannot copy the parent's page at %#lx", addr);
}

/* Without sharing: the runs' contents, copied from the parent. */
int rstr_cow_fill(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	const struct ckpt_hdr_cow *run;
	unsigned long addr;
	unsigned int i;
	int ret;

	if (!rmm->cow_src || rmm->cow_shared)
		return 0;
	for (i = 0; i < rmm->cow.nr; i++) {
		run = &rmm->cow.run[i];
		for (addr = run->addr; addr < ckpt_cow_end(run);
		     addr += PAGE_SIZE) {
			ret = rstr_cow_copy_page(ctx, rmm->cow_src, addr);
			if (ret)
				return ret;
		}
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}
