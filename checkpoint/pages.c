// SPDX-License-Identifier: GPL-2.0
/*
 * The page path of the address space.
 *
 * Checkpoint writes PAGES records with the contents that are not
 * elsewhere: present, nonzero pages of anonymous mappings, and the
 * copied-on-write pages of private file mappings (the rest of those
 * comes back from the file, as all of a shared file mapping does).  Page
 * tables are consulted so that holes cost nothing: a 1 GiB mapping with
 * one touched page saves one page.  Restart reads them straight into the
 * pages of the mappings memory.c rebuilt.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/capability.h>
#include <linux/hugetlb.h>
#include <linux/shmem_fs.h>
#include <linux/dcache.h>
#include <linux/pkeys.h>
#include <linux/auxvec.h>
#include <linux/pgtable.h>
#include <linux/ktime.h>
#include <asm/prctl.h>
#include <asm/vdso.h>

#include <linux/membarrier.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/memory.h>
#include <checkpoint/kapi.h>

/* ---------------------------------------------------------------------- */
/* checkpoint */

/*
 * Move *@addr to the first address in [*@addr, @end) under @pmd that is
 * mapped (true), or to the end of what @pmd covers (false).  Only a hint
 * for the caller's get_user_pages(), which decides.
 *
 * This is __pte_offset_map()'s protocol, which is not exported (nor is
 * walk_page_range()): the pmd is read once, a none, bad or huge one is
 * not followed, and the PTE table is found from that snapshot and read
 * under RCU without its lock.  6.12 frees a PTE table (a collapsed file
 * THP's, retract_page_tables()) with no mmap lock at all, through
 * pte_free_defer(), after an RCU grace period; 6.1 frees them only under
 * the mmap lock held for writing, and the RCU section costs nothing.  x86
 * has no HIGHPTE, so there is nothing to kmap: pte_offset_kernel() is
 * what pte_offset_map() does.
 */
static bool ckpt_next_pte(pmd_t *pmd, unsigned long *addr, unsigned long end)
{
	unsigned long a = *addr;
	bool found = true;
	pmd_t pmdval;
	pte_t *pte;

	end = pmd_addr_end(a, end);
	rcu_read_lock();
	pmdval = READ_ONCE(*pmd);
	if (pmd_none(pmdval)) {
		a = end;
		found = false;
	} else if (!pmd_bad(pmdval) && !pmd_trans_huge(pmdval)) {
		pte = pte_offset_kernel(&pmdval, a);
		while (a < end && pte_none(ptep_get(pte))) {
			a += PAGE_SIZE;
			pte++;
		}
		found = a < end;
	}
	rcu_read_unlock();
	*addr = a;
	return found;
}

/* ckpt_next_populated() within one VMA's [addr, end) */
static unsigned long ckpt_next_in_vma(struct mm_struct *mm,
				      unsigned long addr, unsigned long end)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	while (addr < end) {
		pgd = pgd_offset(mm, addr);
		if (pgd_none(READ_ONCE(*pgd))) {
			addr = pgd_addr_end(addr, end);
			continue;
		}
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(READ_ONCE(*p4d))) {
			addr = p4d_addr_end(addr, end);
			continue;
		}
		pud = pud_offset(p4d, addr);
		if (pud_none(READ_ONCE(*pud))) {
			addr = pud_addr_end(addr, end);
			continue;
		}
		if (pud_trans_huge(READ_ONCE(*pud)))
			return addr;
		if (ckpt_next_pte(pmd_offset(pud, addr), &addr, end))
			return addr;
	}
	return end;
}

/*
 * The first address in [addr, end) that a page table maps anything at;
 * ranges without page tables or entries hold no pages worth saving, and
 * a sparse mapping must not cost a get_user_pages() call per hole.
 *
 * The caller's mmap lock keeps the upper levels in place, but only where
 * a VMA found under it covers them (walk_page_range()'s rule): munmap()
 * frees the tables of the range it detached after downgrading to the
 * read lock.  Where no VMA is, get_user_pages() would fail as well.
 */
static unsigned long ckpt_next_populated(struct mm_struct *mm,
					 unsigned long addr, unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long stop;

	ckpt_mmap_assert_locked(mm);
	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start >= end)
			return end;
		addr = max(addr, vma->vm_start);
		stop = min(end, vma->vm_end);
		addr = ckpt_next_in_vma(mm, addr, stop);
		if (addr < stop)
			return addr;
	}
	return end;
}

/* The header of a PAGES record; its @nr pages of data follow. */
static int ckpt_write_pages_hdr(struct ckpt_ctx *ctx, unsigned long addr,
				unsigned int nr)
{
	struct ckpt_hdr_pages hp = { .addr = addr, .nr_pages = nr };

	return ckpt_write_obj(ctx, &hp.h, CKPT_HDR_PAGES, sizeof(hp),
			      (size_t)nr * PAGE_SIZE);
}

void ckpt_put_pages(struct page **pages, long nr)
{
	while (nr-- > 0)
		put_page(pages[nr]);
}

/* Write pages[first..first+nr) as one PAGES record starting at @addr. */
static int ckpt_write_run(struct ckpt_ctx *ctx, unsigned long addr,
			  struct page **pages, unsigned int nr)
{
	int ret;

	if (!nr)
		return 0;
	ret = ckpt_write_pages_hdr(ctx, addr, nr);
	if (ret >= 0)
		ret = ckpt_write_pages(ctx, pages, nr);
	return ret;
}

static bool ckpt_page_is_zero(struct page *page)
{
	void *kaddr = kmap_local_page(page);
	bool zero = !memchr_inv(kaddr, 0, PAGE_SIZE);

	kunmap_local(kaddr);
	return zero;
}

/*
 * Whether a present page holds anything a restart could not recreate.
 * A private file mapping's pages that were never written come back from
 * the file.  An anonymous page of zeroes comes back by itself: these are
 * common, since touching one byte of a THP-backed region populates 2 MiB.
 */
static bool ckpt_page_needed(struct page *page, bool file)
{
	if (file)
		return PageAnon(page);
	return !ckpt_page_is_zero(page);
}

/* How the pages of one mapping are saved. */
struct ckpt_save {
	bool file;			/* a private file mapping's */
	struct ckpt_cow_runs *cow;	/* pages its parent has: not saved */
};

/* Save what is needed of pages[0..nr), mapped from @addr, in runs. */
static int ckpt_save_batch(struct ckpt_ctx *ctx, unsigned long addr,
			   struct page **pages, unsigned int nr, void *arg)
{
	struct ckpt_save *save = arg;
	unsigned int i, run = 0;
	int ret = 0;

	for (i = 0; i < nr && ret >= 0; i++) {
		if (ckpt_page_needed(pages[i], save->file) &&
		    !(save->cow && ckpt_cow_covers(save->cow,
						   addr + i * PAGE_SIZE))) {
			run++;
			continue;
		}
		ret = ckpt_write_run(ctx, addr + (i - run) * PAGE_SIZE,
				     pages + i - run, run);
		run = 0;
	}
	if (ret >= 0)
		ret = ckpt_write_run(ctx, addr + (nr - run) * PAGE_SIZE,
				     pages + nr - run, run);
	return ret;
}

/*
 * Hand the present pages of [@addr, @end) in @mm to @fn, at most
 * CKPT_PAGES_MAX at a time, skipping holes and the zero page; @pages
 * has room for a batch.  The mmap lock is not held while @fn runs.
 */
int ckpt_walk_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
		    unsigned long addr, unsigned long end, struct page **pages,
		    ckpt_pages_fn fn, void *arg)
{
	unsigned long nr;
	long got;
	int ret;
	u64 t;

	while (addr < end) {
		t = ktime_get_ns();
		mmap_read_lock(mm);
		addr = ckpt_next_populated(mm, addr, end);
		if (addr >= end) {
			mmap_read_unlock(mm);
			break;
		}
		nr = min((end - addr) >> PAGE_SHIFT, (unsigned long)CKPT_PAGES_MAX);
		/* FOLL_DUMP: a hole or the zero page ends the batch */
		got = ckpt_gup_remote(mm, addr, nr, FOLL_DUMP | FOLL_FORCE, pages);
		mmap_read_unlock(mm);
		ctx->pstats.find_ns += ktime_get_ns() - t;
		if (got == -EFAULT) {		/* a hole: skip it */
			addr += PAGE_SIZE;
			continue;
		}
		if (got < 0)
			return ckpt_err(ctx, (int)got, "cannot read memory at %#lx",
					addr);
		ret = fn(ctx, addr, pages, got, arg);
		ckpt_put_pages(pages, got);
		if (ret < 0)
			return ret;
		addr += got << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static int ckpt_vma_pages(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm,
			  struct ckpt_vma_info *vi, struct page **pages)
{
	struct ckpt_save save = {
		.file = vi->v.kind == CKPT_VMA_FILE,
		.cow = vi->v.flags & CKPT_VMA_COW ? &cmm->cow : NULL,
	};

	return ckpt_walk_pages(ctx, cmm->mm, vi->v.start, vi->v.end, pages,
			       ckpt_save_batch, &save);
}

/* A shared file mapping's data is in the file: only private ones have pages. */
static bool ckpt_vma_has_pages(const struct ckpt_hdr_vma *v)
{
	if (v->kind == CKPT_VMA_SHMEM)
		return true;
	return (v->kind == CKPT_VMA_ANON || v->kind == CKPT_VMA_FILE) &&
	       !(v->flags & CKPT_VMA_SHARED);
}

#define CKPT_SHMEM_RUN	16	/* pages read from a shmem object at once */

static int ckpt_shmem_run(struct ckpt_ctx *ctx, unsigned long addr,
			  const void *buf, unsigned int nr)
{
	int ret;

	if (!nr)
		return 0;
	ret = ckpt_write_pages_hdr(ctx, addr, nr);
	if (ret >= 0)
		ret = ckpt_write(ctx, buf, (size_t)nr * PAGE_SIZE);
	return ret;
}

/*
 * A shmem object's pages under one of its mappings, read from the object
 * itself: pages that no page table of the process maps yet are data too.
 * Holes read as zeroes, and pages of zeroes are left out.
 */
static int ckpt_shmem_pages(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi,
			    void *buf)
{
	struct ckpt_hdr_vma *v = &vi->v;
	unsigned long addr = v->start, run_addr = addr;
	unsigned int run = 0;
	loff_t pos = v->pgoff << PAGE_SHIFT;
	void *page;
	ssize_t n;
	int ret = 0;

	for (; addr < v->end && pos < v->file_size && ret >= 0;
	     addr += PAGE_SIZE) {
		page = buf + run * PAGE_SIZE;
		memset(page, 0, PAGE_SIZE);
		n = kernel_read(vi->file, page, PAGE_SIZE, &pos);
		if (n < 0)
			return ckpt_err(ctx, (int)n,
					"cannot read shared memory at %#lx",
					addr);
		if (!memchr_inv(page, 0, PAGE_SIZE)) {
			ret = ckpt_shmem_run(ctx, run_addr, buf, run);
			run = 0;
			run_addr = addr + PAGE_SIZE;
		} else if (++run == CKPT_SHMEM_RUN) {
			ret = ckpt_shmem_run(ctx, run_addr, buf, run);
			run = 0;
			run_addr = addr + PAGE_SIZE;
		}
		if (n < PAGE_SIZE)
			break;
	}
	if (ret >= 0)
		ret = ckpt_shmem_run(ctx, run_addr, buf, run);
	return ret;
}

/* Pages worth saving, mapping by mapping, in address order. */
static int ckpt_pages(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm)
{
	struct ckpt_vma_info *vi = cmm->vmas;
	unsigned int nr = cmm->nr;
	struct page **pages;
	unsigned int i;
	void *buf;
	int ret = 0;

	pages = kmalloc_array(CKPT_PAGES_MAX, sizeof(*pages), GFP_KERNEL);
	buf = kvmalloc(CKPT_SHMEM_RUN * PAGE_SIZE, GFP_KERNEL);
	if (!pages || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr && ret >= 0; i++)
		if (vi[i].v.kind == CKPT_VMA_SHMEM)
			ret = ckpt_shmem_pages(ctx, &vi[i], buf);
		else if (ckpt_vma_has_pages(&vi[i].v))
			ret = ckpt_vma_pages(ctx, cmm, &vi[i], pages);
out:
	kvfree(buf);
	kfree(pages);
	return ret;
}

/* The PAGES records of the layout ckpt_mm() wrote. */
int ckpt_mm_pages(struct ckpt_ctx *ctx)
{
	return ckpt_pages(ctx, ckpt_mm_state(ctx));
}

/* ---------------------------------------------------------------------- */
/* restart */

static struct ckpt_hdr_vma *rstr_find_vma(struct ckpt_rstr_mm *rmm, u64 addr)
{
	int lo = 0, hi = rmm->nr - 1, mid;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < rmm->vmas[mid].v.start)
			hi = mid - 1;
		else if (addr >= rmm->vmas[mid].v.end)
			lo = mid + 1;
		else
			return &rmm->vmas[mid].v;
	}
	return NULL;
}

/* Read page data straight into the restored task's pages. */
static int rstr_fill_pages(struct ckpt_ctx *ctx, unsigned long addr,
			   unsigned int nr, struct page **pages)
{
	struct mm_struct *mm = current->mm;
	u64 t = ktime_get_ns();
	unsigned int i;
	long got;
	int ret = 0;

	mmap_read_lock(mm);
	/* FOLL_FORCE: read-only text is written the way ptrace would */
	got = ckpt_gup_remote(mm, addr, nr, FOLL_WRITE | FOLL_FORCE, pages);
	mmap_read_unlock(mm);
	ctx->pstats.find_ns += ktime_get_ns() - t;
	if (got != nr) {
		ckpt_put_pages(pages, got);
		return ckpt_err(ctx, got < 0 ? (int)got : -EFAULT,
				"cannot populate memory at %#lx", addr);
	}
	ret = ckpt_read_pages(ctx, pages, nr);
	for (i = 0; i < nr; i++)
		set_page_dirty_lock(pages[i]);
	ckpt_put_pages(pages, nr);
	return ret;
}

/*
 * Into a shmem object, through the object: its mapping may be read-only,
 * and the pages go where any other mapping of it sees them.
 */
static int rstr_fill_shmem(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi,
			   unsigned long addr, unsigned int nr)
{
	loff_t pos = (vi->v.pgoff << PAGE_SHIFT) + (addr - vi->v.start);
	void *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	size_t len;
	ssize_t n;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (; nr-- && ret >= 0; addr += PAGE_SIZE) {
		ret = ckpt_read(ctx, buf, PAGE_SIZE);
		if (ret < 0 || pos >= vi->v.file_size) {
			ret = ret < 0 ? ret :
			      ckpt_err(ctx, -EINVAL,
				       "PAGES record at offset %llu: %#lx is past the end of %s",
				       ctx->hdr_pos, addr, vi->path);
			break;
		}
		/* a partial last page: the object keeps its size */
		len = min_t(u64, PAGE_SIZE, vi->v.file_size - pos);
		n = kernel_write(vi->file, buf, len, &pos);
		if (n != len)
			ret = ckpt_err(ctx, n < 0 ? (int)n : -EIO,
				       "cannot fill shared memory at %#lx", addr);
	}
	kfree(buf);
	return ret;
}

/* @h was read by ckpt_read_hdr() and is a PAGES record. */
int rstr_pages(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_hdr_pages hp;
	struct ckpt_hdr_vma *v;
	struct page **pages;
	u64 end;
	int ret;

	hp.h = *h;
	ret = ckpt_read_payload(ctx, &hp.h, sizeof(hp));
	if (ret < 0)
		return ret;
	end = hp.addr + (u64)hp.nr_pages * PAGE_SIZE;
	if (!hp.nr_pages || hp.nr_pages > CKPT_PAGES_MAX || hp.pad ||
	    hp.h.len != sizeof(hp) + (u64)hp.nr_pages * PAGE_SIZE)
		return ckpt_err(ctx, -EINVAL,
				"PAGES record at offset %llu: %u pages, length %u",
				ctx->hdr_pos, hp.nr_pages, hp.h.len);
	v = rstr_find_vma(rstr_mm_state(ctx), hp.addr);
	if (!PAGE_ALIGNED(hp.addr) || !v || end > v->end ||
	    !ckpt_vma_has_pages(v))
		return ckpt_err(ctx, -EINVAL,
				"PAGES record at offset %llu: %#llx-%#llx is not inside one saved mapping",
				ctx->hdr_pos, hp.addr, end);
	if (v->kind == CKPT_VMA_SHMEM)
		return rstr_fill_shmem(ctx, container_of(v, struct ckpt_vma_info, v),
				       hp.addr, hp.nr_pages);
	pages = kmalloc_array(hp.nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = rstr_fill_pages(ctx, hp.addr, hp.nr_pages, pages);
	kfree(pages);
	return ret;
}
