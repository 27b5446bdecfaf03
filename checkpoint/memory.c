// SPDX-License-Identifier: GPL-2.0
/*
 * The address space: its layout, the mm's own fields and page contents.
 *
 * Checkpoint writes an MM record (the mm's bounds, auxv, executable,
 * mlockall() and THP-disable state) with one VMA record per mapping
 * nested in it, then PAGES
 * records with the contents that are not elsewhere: present, nonzero
 * pages of anonymous mappings, and the copied-on-write pages of private
 * file mappings (the rest of those comes back from the file, as all of
 * a shared file mapping does).  Page tables are consulted so that holes
 * cost nothing: a 1 GiB mapping with one touched page saves one page.
 *
 * Restart reads and checks the whole layout before it destroys anything,
 * opening every file it needs, then replaces the caller's address space
 * and fills it.  Advice and locks are given again through madvise() and
 * mlock2(), which split mappings and account for them as they did.
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


static void ckpt_vma_infos_free(struct ckpt_vma_info *vi, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		kfree(vi[i].path);
		if (vi[i].file)
			fput(vi[i].file);
	}
}

/* ---------------------------------------------------------------------- */
/* checkpoint */

/*
 * A file no path leads to: deleted, or never linked anywhere (shared
 * anonymous memory, memfds, other pseudo files, whose d_path() only
 * looks like a path).
 */
static bool ckpt_nameless(struct file *file)
{
	return d_unhashed(file->f_path.dentry);
}

/*
 * A shmem object used as plain memory: shared anonymous memory, a memfd.
 * SysV shared memory is shmem too, behind file operations of its own.
 */
static bool ckpt_shmem_object(struct file *file)
{
	return shmem_file(file) && file->f_op == file_inode(file)->i_fop;
}

static int ckpt_vma_kind(struct ckpt_ctx *ctx, struct vm_area_struct *vma)
{
	const char *name = NULL;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (name && !strcmp(name, "[vdso]"))
		return CKPT_VMA_VDSO;
	if (name && !strncmp(name, "[vvar", 5))
		return CKPT_VMA_VVAR;
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx maps device memory",
				vma->vm_start, vma->vm_end);
	if (is_vm_hugetlb_page(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is hugetlbfs: not supported yet",
				vma->vm_start, vma->vm_end);
	if (vma_pkey(vma))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx has protection key %d: not supported yet",
				vma->vm_start, vma->vm_end, vma_pkey(vma));
	/*
	 * Shared anonymous memory and memfds are files with no name: their
	 * data goes into the image.  A tmpfs file that has one is a file
	 * like any other.
	 */
	if (vma->vm_file && ckpt_nameless(vma->vm_file) &&
	    (vma->vm_flags & VM_MAYSHARE)) {
		if (ckpt_shmem_object(vma->vm_file))
			return CKPT_VMA_SHMEM;
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is SysV shared memory or of a deleted file: not supported yet",
				vma->vm_start, vma->vm_end);
	}
	if ((vma->vm_flags & VM_MAYSHARE) &&
	    (!vma->vm_file || !S_ISREG(file_inode(vma->vm_file)->i_mode)))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is shared and not of a regular file",
				vma->vm_start, vma->vm_end);
	if (vma->vm_file)
		return CKPT_VMA_FILE;
	if (vma_is_anonymous(vma))
		return CKPT_VMA_ANON;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"mapping %#lx-%#lx (%s) is a special mapping",
			vma->vm_start, vma->vm_end, name ? name : "?");
}

u32 ckpt_vma_flags(struct vm_area_struct *vma)
{
	u32 flags = 0;

	if (vma->vm_flags & VM_READ)
		flags |= CKPT_VMA_READ;
	if (vma->vm_flags & VM_WRITE)
		flags |= CKPT_VMA_WRITE;
	if (vma->vm_flags & VM_EXEC)
		flags |= CKPT_VMA_EXEC;
	if (vma->vm_flags & VM_GROWSDOWN)
		flags |= CKPT_VMA_GROWSDOWN;
	if (vma->vm_flags & VM_NORESERVE)
		flags |= CKPT_VMA_NORESERVE;
	if (vma->vm_flags & VM_LOCKED)
		flags |= CKPT_VMA_LOCKED;
	if (vma->vm_flags & VM_LOCKONFAULT)
		flags |= CKPT_VMA_LOCKONFAULT;
	if (vma->vm_flags & VM_HUGEPAGE)
		flags |= CKPT_VMA_HUGEPAGE;
	if (vma->vm_flags & VM_NOHUGEPAGE)
		flags |= CKPT_VMA_NOHUGEPAGE;
	if (vma->vm_flags & VM_DONTDUMP)
		flags |= CKPT_VMA_DONTDUMP;
	if (vma->vm_flags & VM_DONTCOPY)
		flags |= CKPT_VMA_DONTFORK;
	if (vma->vm_flags & VM_WIPEONFORK)
		flags |= CKPT_VMA_WIPEONFORK;
	if (vma->vm_flags & VM_MERGEABLE)
		flags |= CKPT_VMA_MERGEABLE;
	if (vma->vm_flags & VM_RAND_READ)
		flags |= CKPT_VMA_RANDOM;
	if (vma->vm_flags & VM_SEQ_READ)
		flags |= CKPT_VMA_SEQUENTIAL;
	if (vma->vm_flags & VM_ACCOUNT)
		flags |= CKPT_VMA_ACCOUNT;
	if (vma->vm_flags & VM_MAYSHARE)
		flags |= CKPT_VMA_SHARED;
	/* a shared mapping without VM_MAYWRITE: the file was open read-only */
	if ((vma->vm_flags & (VM_MAYSHARE | VM_MAYWRITE)) ==
	    (VM_MAYSHARE | VM_MAYWRITE))
		flags |= CKPT_VMA_MAYWRITE;
	return flags;
}

static int ckpt_vma_path(struct ckpt_ctx *ctx, struct vm_area_struct *vma,
			 struct ckpt_vma_info *vi)
{
	struct file *file = vma->vm_file;
	char *name;

	if (ckpt_nameless(file))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx: its file was deleted or has no name",
				vma->vm_start, vma->vm_end);
	name = ckpt_abs_path_name(&file->f_path, &vi->v.path_len);
	if (IS_ERR(name))
		return ckpt_err(ctx, (int)PTR_ERR(name),
				"mapping %#lx-%#lx: no path from the checkpointer's root to its file",
				vma->vm_start, vma->vm_end);
	vi->path = name;
	vi->v.file_size = i_size_read(file_inode(file));
	return 0;
}

/*
 * A shmem mapping names its object by objref, so that two mappings of it
 * share one again, and by the name the object had.
 */
static int ckpt_vma_shmem(struct ckpt_ctx *ctx, struct vm_area_struct *vma,
			  struct ckpt_vma_info *vi)
{
	struct file *file = vma->vm_file;
	struct name_snapshot name;
	bool first;
	int objref;

	if (SHMEM_I(file_inode(file))->seals & ~F_SEAL_SEAL)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is a sealed memfd: not supported yet",
				vma->vm_start, vma->vm_end);
	objref = ckpt_obj_lookup_add(ctx, file, CKPT_OBJ_SHMEM, &first);
	if (objref < 0)
		return ckpt_err(ctx, objref,
				"mapping %#lx-%#lx: no objref for its memory",
				vma->vm_start, vma->vm_end);
	take_dentry_name_snapshot(&name, file->f_path.dentry);
	vi->path = kstrdup(name.name.name, GFP_KERNEL);
	release_dentry_name_snapshot(&name);
	if (!vi->path)
		return -ENOMEM;
	vi->v.path_len = strlen(vi->path) + 1;
	vi->v.objref = objref;
	vi->v.file_size = i_size_read(file_inode(file));
	vi->file = get_file(file);
	return 0;
}

/* Check before freezing that every mapping is of a kind we can save. */
int ckpt_mm_check(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	int ret = 0;

	/* a refusal is logged once mmap_lock is dropped */
	ckpt_log_hold(ctx);
	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		ret = ckpt_vma_kind(ctx, vma);
		if (ret < 0)
			break;
	}
	mmap_read_unlock(mm);
	ckpt_log_release(ctx);
	return ret < 0 ? ret : 0;
}

static int ckpt_collect_vmas(struct ckpt_ctx *ctx, struct mm_struct *mm,
			     struct ckpt_vma_info **pvi, unsigned int *pnr)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct ckpt_vma_info *vi;
	struct vm_area_struct *vma;
	unsigned int nr = 0, i = 0;
	int ret = 0;

	ckpt_log_hold(ctx);
	mmap_read_lock(mm);
	for_each_vma(vmi, vma)
		nr++;
	vi = kvcalloc(nr ?: 1, sizeof(*vi), GFP_KERNEL);
	if (!vi) {
		ret = -ENOMEM;
		goto out;
	}
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma) {
		ret = ckpt_vma_kind(ctx, vma);
		if (ret < 0)
			break;
		vi[i].v.kind = ret;
		vi[i].v.flags = ckpt_vma_flags(vma);
		vi[i].v.start = vma->vm_start;
		vi[i].v.end = vma->vm_end;
		vi[i].v.pgoff = vma->vm_pgoff;
		ret = 0;
		if (vi[i].v.kind == CKPT_VMA_FILE)
			ret = ckpt_vma_path(ctx, vma, &vi[i]);
		else if (vi[i].v.kind == CKPT_VMA_SHMEM)
			ret = ckpt_vma_shmem(ctx, vma, &vi[i]);
		i++;
		if (ret < 0)
			break;
	}
out:
	mmap_read_unlock(mm);
	ckpt_log_release(ctx);
	if (ret < 0 && vi) {
		ckpt_vma_infos_free(vi, i);
		kvfree(vi);
		return ret;
	}
	*pvi = vi;
	*pnr = nr;
	return ret;
}

static size_t ckpt_vma_len(struct ckpt_vma_info *vi)
{
	return sizeof(vi->v) + ALIGN(vi->v.path_len, CKPT_ALIGN);
}

static int ckpt_write_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	int ret;

	ret = ckpt_write_obj(ctx, &vi->v.h, CKPT_HDR_VMA, sizeof(vi->v),
			     vi->v.path_len);
	if (ret < 0 || !vi->v.path_len)
		return ret;
	ret = ckpt_write(ctx, vi->path, vi->v.path_len);
	if (ret < 0)
		return ret;
	return ckpt_write_pad(ctx, ALIGN(vi->v.path_len, CKPT_ALIGN) -
				   vi->v.path_len);
}

/*
 * Move *@addr to the first address in [*@addr, @end) under @pmd that is
 * mapped (true), or to the end of what @pmd covers (false).  Only a hint
 * for the caller's get_user_pages(), which decides: the page table is
 * read without its lock, under RCU, since newer kernels may free one (a
 * collapsed file THP's) with the mmap lock held only for reading.
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

/*
 * The first address in [addr, end) that a page table maps anything at;
 * ranges without page tables or entries hold no pages worth saving, and
 * a sparse mapping must not cost a get_user_pages() call per hole.
 * Called with the mmap lock held, which keeps the upper levels in place.
 */
static unsigned long ckpt_next_populated(struct mm_struct *mm,
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

static void ckpt_mm_free(void *ptr)
{
	struct ckpt_ckpt_mm *cmm = ptr;

	kfree(cmm->exe_path);
	ckpt_cow_free(&cmm->cow);
	ckpt_vma_infos_free(cmm->vmas, cmm->nr);
	kvfree(cmm->vmas);
	kfree(cmm);
}

/* The layout ckpt_mm() saved, for ckpt_mm_pages(). */
static struct ckpt_ckpt_mm *ckpt_mm_state(struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_CKPT_MM);
}

/* The path of the mm's executable (/proc/PID/exe), if it has one. */
static int ckpt_exe_path(struct ckpt_ctx *ctx, struct mm_struct *mm,
			 struct ckpt_ckpt_mm *cmm)
{
	struct file *exe;
	char *path;
	int ret = 0;

	/*
	 * The target is frozen and alone in its mm, and we hold the mm:
	 * nothing can replace or drop exe_file meanwhile.
	 */
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe)
		get_file(exe);
	rcu_read_unlock();
	if (!exe)
		return 0;
	if (ckpt_nameless(exe)) {
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: its executable was deleted or has no name",
			       task_pid_vnr(ctx->target));
		goto out;
	}
	path = ckpt_abs_path_name(&exe->f_path, &cmm->exe_len);
	if (IS_ERR(path))
		ret = ckpt_err(ctx, (int)PTR_ERR(path),
			       "pid %d: no path from the checkpointer's root to its executable",
			       task_pid_vnr(ctx->target));
	else
		cmm->exe_path = path;
out:
	fput(exe);
	return ret;
}

/*
 * The auxiliary vector up to its AT_NULL pair; prctl(PR_SET_MM_AUXV) may
 * have left stale words after it, which are not part of it.
 */
static void ckpt_auxv(struct ckpt_hdr_mm *hm, struct mm_struct *mm)
{
	unsigned int i, n = ARRAY_SIZE(mm->saved_auxv);

	BUILD_BUG_ON(ARRAY_SIZE(mm->saved_auxv) > CKPT_AUXV_WORDS);
	for (i = 0; i + 1 < n; i += 2) {
		hm->auxv[i] = mm->saved_auxv[i];
		hm->auxv[i + 1] = mm->saved_auxv[i + 1];
		if (mm->saved_auxv[i] == AT_NULL)
			break;
	}
}

/* membarrier() commands, each with the mm's state it leaves, and our flag */
static const struct {
	u32 flag;
	int cmd;
	unsigned int ready;
} ckpt_membarrier_cmds[] = {
	{ CKPT_MM_MB_PRIVATE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_READY },
	{ CKPT_MM_MB_GLOBAL, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
	  MEMBARRIER_STATE_GLOBAL_EXPEDITED_READY },
	{ CKPT_MM_MB_SYNC_CORE,
	  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_SYNC_CORE_READY },
	{ CKPT_MM_MB_RSEQ, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ,
	  MEMBARRIER_STATE_PRIVATE_EXPEDITED_RSEQ_READY },
};

/* The registrations membarrier() made for @mm. */
static u32 ckpt_membarrier(struct mm_struct *mm)
{
	unsigned int state = 0, i;
	u32 flags = 0;

#ifdef CONFIG_MEMBARRIER
	state = atomic_read(&mm->membarrier_state);
#endif
	for (i = 0; i < ARRAY_SIZE(ckpt_membarrier_cmds); i++)
		if (state & ckpt_membarrier_cmds[i].ready)
			flags |= ckpt_membarrier_cmds[i].flag;
	return flags;
}

/*
 * The MM record with its VMA records.  The layout is kept for the PAGES
 * records, which come last in the image: everything restart must check
 * before it destroys anything comes first.  The task is frozen and shares
 * its mm with nobody, so the layout cannot change in between.
 */
int ckpt_mm(struct ckpt_ctx *ctx, struct mm_struct *mm, int objref)
{
	struct ckpt_hdr_mm hm = {};
	struct ckpt_ckpt_mm *cmm;
	struct ckpt_vma_info *vi;
	unsigned int nr, i;
	size_t extra = 0;
	int ret;

	cmm = kzalloc(sizeof(*cmm), GFP_KERNEL);
	if (!cmm)
		return -ENOMEM;
	ckpt_state_set(ctx, CKPT_STATE_CKPT_MM, cmm, ckpt_mm_free);
	ret = ckpt_collect_vmas(ctx, mm, &vi, &nr);
	if (ret < 0)
		return ret;
	if (nr > CKPT_MM_VMAS_MAX) {
		ckpt_vma_infos_free(vi, nr);
		kvfree(vi);
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: %u mappings, more than the %u an image holds",
				task_pid_vnr(ctx->target), nr, CKPT_MM_VMAS_MAX);
	}
	cmm->mm = mm;
	cmm->vmas = vi;
	cmm->nr = nr;
	ret = ckpt_exe_path(ctx, mm, cmm);
	if (!ret)
		ret = ckpt_cow_scan(ctx, cmm);
	if (ret < 0)
		return ret;

	hm.objref = objref;
	hm.nr_vmas = nr;
	hm.cow_objref = cmm->cow_objref;
	hm.nr_cow = cmm->cow.nr;
	hm.start_code = mm->start_code;
	hm.end_code = mm->end_code;
	hm.start_data = mm->start_data;
	hm.end_data = mm->end_data;
	hm.start_brk = mm->start_brk;
	hm.brk = mm->brk;
	hm.start_stack = mm->start_stack;
	hm.arg_start = mm->arg_start;
	hm.arg_end = mm->arg_end;
	hm.env_start = mm->env_start;
	hm.env_end = mm->env_end;
	ckpt_auxv(&hm, mm);
	hm.exe_path_len = cmm->exe_len;
	if (mm->def_flags & VM_LOCKED)
		hm.flags |= CKPT_MM_LOCK_FUTURE;
	if (mm->def_flags & VM_LOCKONFAULT)
		hm.flags |= CKPT_MM_LOCK_ONFAULT;
	if (test_bit(MMF_DISABLE_THP, &mm->flags))
		hm.flags |= CKPT_MM_THP_DISABLE;
	hm.flags |= ckpt_membarrier(mm);
	extra = ALIGN(hm.exe_path_len, CKPT_ALIGN);
	for (i = 0; i < nr; i++)
		extra += ckpt_vma_len(&vi[i]);
	extra += ckpt_cow_len(cmm);

	ret = ckpt_write_obj(ctx, &hm.h, CKPT_HDR_MM, sizeof(hm), extra);
	if (ret >= 0 && hm.exe_path_len)
		ret = ckpt_write_string(ctx, cmm->exe_path, hm.exe_path_len);
	for (i = 0; i < nr && ret >= 0; i++)
		ret = ckpt_write_vma(ctx, &vi[i]);
	if (ret >= 0)
		ret = ckpt_cow_write(ctx, cmm);
	return ret;
}

/* The PAGES records of the layout ckpt_mm() wrote. */
int ckpt_mm_pages(struct ckpt_ctx *ctx)
{
	return ckpt_pages(ctx, ckpt_mm_state(ctx));
}

/* ---------------------------------------------------------------------- */
/* restart */

static void rstr_mm_free(void *ptr)
{
	struct ckpt_rstr_mm *rmm = ptr;

	kfree(rmm->exe_path);
	ckpt_cow_free(&rmm->cow);
	if (rmm->exe) {
		allow_write_access(rmm->exe);
		fput(rmm->exe);
	}
	ckpt_vma_infos_free(rmm->vmas, rmm->nr);
	kvfree(rmm);
}

/* The layout rstr_mm_read() read, for rstr_mm() and rstr_pages(). */
static struct ckpt_rstr_mm *rstr_mm_state(struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_RSTR_MM);
}

static int rstr_vma_path(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	u32 len = vi->v.path_len;
	char *path;

	if (vi->v.h.len != sizeof(vi->v) + ALIGN(len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: path length %u, record length %u",
				ctx->hdr_pos, len, vi->v.h.len);
	/* a shmem object's name is no path */
	path = vi->v.kind == CKPT_VMA_FILE ? ckpt_read_path(ctx, len) :
					     ckpt_read_string(ctx, len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	vi->path = path;
	return 0;
}

/* What madvise() and mlock2() would refuse, or no mapping can have. */
static bool rstr_vma_flags_bad(const struct ckpt_hdr_vma *v)
{
	u32 f = v->flags;

	if ((f & CKPT_VMA_LOCKONFAULT) && !(f & CKPT_VMA_LOCKED))
		return true;
	if ((f & CKPT_VMA_HUGEPAGE) && (f & CKPT_VMA_NOHUGEPAGE))
		return true;
	if ((f & CKPT_VMA_MAYWRITE) && !(f & CKPT_VMA_SHARED))
		return true;
	if ((f & CKPT_VMA_SHARED) && v->kind != CKPT_VMA_FILE &&
	    v->kind != CKPT_VMA_SHMEM)
		return true;
	if (v->kind == CKPT_VMA_SHMEM &&
	    (f & (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE)) !=
	    (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE))
		return true;
	if ((f & (CKPT_VMA_WIPEONFORK | CKPT_VMA_COW)) &&
	    v->kind != CKPT_VMA_ANON)
		return true;
	/* a shared mapping is writable only if its file is open for writing */
	return (f & CKPT_VMA_SHARED) && (f & CKPT_VMA_WRITE) &&
	       !(f & CKPT_VMA_MAYWRITE);
}

static int rstr_vma_check(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *v,
			  u64 prev_end)
{
	bool has_file = v->kind == CKPT_VMA_FILE || v->kind == CKPT_VMA_SHMEM;
	u64 pages;

	if (v->start >= v->end || !PAGE_ALIGNED(v->start) ||
	    !PAGE_ALIGNED(v->end) || v->end > TASK_SIZE || v->start < prev_end)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: range %#llx-%#llx is invalid, outside user space or overlaps the previous one",
				ctx->hdr_pos, v->start, v->end);
	if (v->flags & ~CKPT_VMA_FLAGS_ALL)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: unknown flags %#x",
				ctx->hdr_pos, v->flags);
	if (v->kind == CKPT_VMA_SHMEM ? v->objref <= 0 : v->objref != 0)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: objref %d",
				ctx->hdr_pos, v->objref);
	if ((v->flags & CKPT_VMA_GROWSDOWN) && v->kind != CKPT_VMA_ANON)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: only anonymous memory grows down",
				ctx->hdr_pos);
	if (rstr_vma_flags_bad(v))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: flags %#x do not go together on a %s mapping",
				ctx->hdr_pos, v->flags,
				v->kind == CKPT_VMA_FILE ? "file" : "non-file");
	pages = (v->end - v->start) >> PAGE_SHIFT;
	if (has_file &&
	    (v->pgoff > (MAX_LFS_FILESIZE >> PAGE_SHIFT) ||
	     v->pgoff + pages > (MAX_LFS_FILESIZE >> PAGE_SHIFT) ||
	     v->file_size > MAX_LFS_FILESIZE))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: file offset %#llx or size %llu out of range",
				ctx->hdr_pos, v->pgoff, v->file_size);
	if (!has_file && v->path_len)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: a path on a non-file mapping",
				ctx->hdr_pos);
	switch (v->kind) {
	case CKPT_VMA_ANON:
	case CKPT_VMA_FILE:
	case CKPT_VMA_VDSO:
	case CKPT_VMA_VVAR:
	case CKPT_VMA_SHMEM:
		return 0;
	}
	return ckpt_err(ctx, -EINVAL, "VMA record at offset %llu: kind %u",
			ctx->hdr_pos, v->kind);
}

static struct file *rstr_open_mapped(struct ckpt_ctx *ctx,
				     struct ckpt_hdr_vma *v, const char *path)
{
	u64 need = min_t(u64, v->file_size,
			 (v->pgoff << PAGE_SHIFT) + (v->end - v->start));
	int mode = v->flags & CKPT_VMA_MAYWRITE ? O_RDWR : O_RDONLY;
	struct file *file;

	file = filp_open(path, mode | O_LARGEFILE, 0);
	if (IS_ERR(file)) {
		ckpt_err(ctx, (int)PTR_ERR(file), "cannot open mapped file %s",
			 path);
		return file;
	}
	if (!S_ISREG(file_inode(file)->i_mode) ||
	    i_size_read(file_inode(file)) < need) {
		ckpt_log(ctx, "mapped file %s is %s (needs %llu bytes)", path,
			 S_ISREG(file_inode(file)->i_mode) ? "too short" :
			 "not a regular file", need);
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	return file;
}

/*
 * The shmem object a SHMEM mapping names: made new (and accounted, as
 * before the checkpoint) for its first mapping, shared by the others.
 */
static struct file *rstr_shmem_object(struct ckpt_ctx *ctx,
				      struct ckpt_vma_info *vi)
{
	struct ckpt_hdr_vma *v = &vi->v;
	struct file *file = ckpt_obj_fetch(ctx, v->objref, CKPT_OBJ_SHMEM);
	int ret;

	if (!IS_ERR(file)) {
		if (i_size_read(file_inode(file)) != v->file_size) {
			ckpt_err(ctx, -EINVAL,
				 "VMA record at offset %llu: object %d of two sizes",
				 ctx->hdr_pos, v->objref);
			return ERR_PTR(-EINVAL);
		}
		return get_file(file);
	}
	file = shmem_file_setup(vi->path, v->file_size,
				v->flags & CKPT_VMA_NORESERVE ? VM_NORESERVE : 0);
	if (IS_ERR(file)) {
		ckpt_err(ctx, (int)PTR_ERR(file),
			 "cannot make shared memory %s of %llu bytes",
			 vi->path, v->file_size);
		return file;
	}
	ret = ckpt_obj_insert(ctx, file, v->objref, CKPT_OBJ_SHMEM);
	if (ret < 0) {
		fput(file);
		ckpt_err(ctx, ret, "VMA record at offset %llu: bad objref %d",
			 ctx->hdr_pos, v->objref);
		return ERR_PTR(ret);
	}
	return file;
}

static int rstr_vma_read(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi,
			 u64 prev_end)
{
	int ret;

	ret = ckpt_read_obj(ctx, &vi->v.h, CKPT_HDR_VMA, sizeof(vi->v));
	if (ret < 0)
		return ret;
	ret = rstr_vma_check(ctx, &vi->v, prev_end);
	if (ret < 0)
		return ret;
	if (vi->v.kind == CKPT_VMA_FILE || vi->v.kind == CKPT_VMA_SHMEM) {
		ret = rstr_vma_path(ctx, vi);
		if (ret < 0)
			return ret;
		if (vi->v.kind == CKPT_VMA_SHMEM)
			vi->file = rstr_shmem_object(ctx, vi);
		else
			vi->file = rstr_open_mapped(ctx, &vi->v, vi->path);
		if (IS_ERR(vi->file)) {
			ret = PTR_ERR(vi->file);
			vi->file = NULL;
		}
		return ret;
	}
	if (vi->v.h.len != sizeof(vi->v))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu has length %u",
				ctx->hdr_pos, vi->v.h.len);
	return 0;
}

/*
 * The running kernel's vDSO text and data must fit where the image had
 * them, or the restored code would call into the wrong place.
 */
static int rstr_vdso_fits(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *vvar,
			  struct ckpt_hdr_vma *vdso)
{
	const struct vdso_image *image = current->mm->context.vdso_image;

	if (!image)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"the restarting process has no vDSO to place");
	if (vdso->end - vdso->start != image->size ||
	    vdso->start - vvar->start != -image->sym_vvar_start)
		return ckpt_err(ctx, -EINVAL,
				"image's vDSO (%llu + %llu bytes) differs from this kernel's (%lu + %ld)",
				vdso->end - vdso->start,
				vdso->start - vvar->start, image->size,
				-image->sym_vvar_start);
	return 0;
}

/* [vvar...] pages sit right below [vdso]: one kernel mapping of them all */
static int rstr_vdso_check(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	int i, vdso = -1, vvar = -1;

	for (i = 0; i < rmm->nr; i++) {
		u32 kind = rmm->vmas[i].v.kind;

		if (kind == CKPT_VMA_VVAR && vvar < 0)
			vvar = i;
		if (kind != CKPT_VMA_VDSO)
			continue;
		if (vdso >= 0)
			return ckpt_err(ctx, -EINVAL, "image has two [vdso]");
		vdso = i;
	}
	if (vdso < 0 && vvar < 0)
		return 0;
	if (vdso < 0 || vvar < 0 || vvar > vdso)
		return ckpt_err(ctx, -EINVAL,
				"image has [vdso] or [vvar] alone");
	for (i = vvar; i < vdso; i++)
		if (rmm->vmas[i].v.kind != CKPT_VMA_VVAR ||
		    rmm->vmas[i].v.end != rmm->vmas[i + 1].v.start)
			return ckpt_err(ctx, -EINVAL,
					"image's [vvar] does not adjoin its [vdso]");
	return rstr_vdso_fits(ctx, &rmm->vmas[vvar].v, &rmm->vmas[vdso].v);
}

static int rstr_mm_fields_check(struct ckpt_ctx *ctx, struct ckpt_hdr_mm *m)
{
	u64 *f = &m->start_code;
	int i;

	for (i = 0; i < 11; i++)
		if (f[i] >= TASK_SIZE)
			return ckpt_err(ctx, -EINVAL,
					"MM record: field %d (%#llx) outside user space",
					i, f[i]);
	if (m->start_code > m->end_code || m->start_data > m->end_data ||
	    m->start_brk > m->brk || m->arg_start > m->arg_end ||
	    m->env_start > m->env_end)
		return ckpt_err(ctx, -EINVAL, "MM record: inverted ranges");
	return 0;
}

/*
 * mlock2() would refuse more locked memory than RLIMIT_MEMLOCK allows
 * once the caller is gone: refuse the image now instead.  The caller's
 * own locked memory is unmapped by then.
 */
static int rstr_locked_check(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	u64 locked = 0;
	unsigned int i;

	for (i = 0; i < rmm->nr; i++)
		if (rmm->vmas[i].v.flags & CKPT_VMA_LOCKED)
			locked += rmm->vmas[i].v.end - rmm->vmas[i].v.start;
	/* mlockall() wants a nonzero limit, whatever it locks */
	if (rmm->mm.flags & CKPT_MM_LOCK_FUTURE)
		locked = max_t(u64, locked, 1);
	if (!locked || capable(CAP_IPC_LOCK) ||
	    locked <= rlimit(RLIMIT_MEMLOCK))
		return 0;
	return ckpt_err(ctx, -EPERM,
			"image has %llu bytes of locked memory, RLIMIT_MEMLOCK allows %lu",
			locked, rlimit(RLIMIT_MEMLOCK));
}

/*
 * The image's auxiliary vector must end, with its AT_NULL pair, within
 * what this kernel keeps of one, and hold nothing after it.
 */
static int rstr_auxv_check(struct ckpt_ctx *ctx, struct ckpt_hdr_mm *m)
{
	unsigned int i, n = ARRAY_SIZE(current->mm->saved_auxv);

	for (i = 0; i + 1 < n; i += 2)
		if (m->auxv[i] == AT_NULL)
			break;
	if (i + 1 >= n)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: auxv longer than the %u words this kernel keeps",
				ctx->hdr_pos, n);
	if (memchr_inv(&m->auxv[i], 0, sizeof(m->auxv) - i * sizeof(m->auxv[0])))
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: data after the auxv's AT_NULL",
				ctx->hdr_pos);
	return 0;
}

/*
 * The executable, opened and denied writers as execve() does, while a
 * missing or busy one can still fail the restart cleanly.
 */
static int rstr_exe_open(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	struct file *file;
	char *path;
	int ret;

	path = ckpt_read_path(ctx, rmm->mm.exe_path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	rmm->exe_path = path;
	file = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(file))
		return ckpt_err(ctx, (int)PTR_ERR(file),
				"cannot open the executable %s", path);
	ret = S_ISREG(file_inode(file)->i_mode) ?
	      file_permission(file, MAY_EXEC) : -EACCES;
	if (ret < 0) {
		fput(file);
		return ckpt_err(ctx, ret, "%s cannot be an executable", path);
	}
	ret = deny_write_access(file);
	if (ret < 0) {
		fput(file);
		return ckpt_err(ctx, ret, "the executable %s is open for writing",
				path);
	}
	rmm->exe = file;
	return 0;
}

/* The MM record's own fields, and its executable, read before its VMAs. */
static int rstr_mm_own(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
{
	struct ckpt_hdr_mm *m = &rmm->mm;
	int ret;

	if ((m->flags & ~CKPT_MM_FLAGS_ALL) ||
	    (m->flags & (CKPT_MM_LOCK_FUTURE | CKPT_MM_LOCK_ONFAULT)) ==
	    CKPT_MM_LOCK_ONFAULT)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: flags %#x",
				ctx->hdr_pos, m->flags);
	if (sizeof(*m) + (u64)ALIGN(m->exe_path_len, CKPT_ALIGN) > m->h.len)
		return ckpt_err(ctx, -EINVAL,
				"MM record at offset %llu: executable path length %u, record length %u",
				ctx->hdr_pos, m->exe_path_len, m->h.len);
	ret = rstr_auxv_check(ctx, m);
	if (!ret && m->exe_path_len)
		ret = rstr_exe_open(ctx, rmm);
	return ret;
}

/* Read and check the MM record and its VMAs; nothing is applied yet. */
int rstr_mm_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h)
{
	struct ckpt_rstr_mm *rmm;
	struct ckpt_hdr_mm hm;
	u64 end, prev_end = 0, parent;
	int ret;

	hm.h = *h;
	ret = ckpt_read_payload(ctx, &hm.h, sizeof(hm));
	if (ret < 0)
		return ret;
	if (hm.nr_vmas > CKPT_MM_VMAS_MAX)
		return ckpt_err(ctx, -EINVAL, "MM record: %u mappings",
				hm.nr_vmas);
	ret = rstr_mm_fields_check(ctx, &hm);
	if (ret < 0)
		return ret;
	rmm = kvzalloc(struct_size(rmm, vmas, hm.nr_vmas), GFP_KERNEL);
	if (!rmm)
		return -ENOMEM;
	rmm->mm = hm;
	ckpt_state_set(ctx, CKPT_STATE_RSTR_MM, rmm, rstr_mm_free);

	/* the VMA records live inside the MM record */
	end = ctx->hdr_pos + hm.h.len;
	parent = ctx->limit;
	ctx->limit = end;
	ret = rstr_mm_own(ctx, rmm);
	if (ret < 0)
		goto out;
	for (rmm->nr = 0; rmm->nr < hm.nr_vmas; rmm->nr++) {
		ret = rstr_vma_read(ctx, &rmm->vmas[rmm->nr], prev_end);
		if (ret < 0) {
			rmm->nr++;	/* its path, if any, is freed with it */
			goto out;
		}
		prev_end = rmm->vmas[rmm->nr].v.end;
	}
	ret = rstr_cow_read(ctx, rmm);
	if (!ret && ctx->pos != end)
		ret = ckpt_err(ctx, -EINVAL,
			       "MM record: length %u does not match its %u VMA and %u COW records",
			       hm.h.len, hm.nr_vmas, hm.nr_cow);
	if (!ret)
		ret = rstr_vdso_check(ctx, rmm);
	if (!ret)
		ret = rstr_locked_check(ctx, rmm);
	if (ret < 0)
		goto out;
	if (hm.objref != ctx->ts.task.mm_objref)
		ret = ckpt_err(ctx, -EINVAL,
			       "MM record: objref %d, its TASK record's is %d",
			       hm.objref, ctx->ts.task.mm_objref);
out:
	ctx->limit = parent;
	return ret;
}

unsigned long rstr_prot(u32 flags)
{
	unsigned long prot = PROT_NONE;

	if (flags & CKPT_VMA_READ)
		prot |= PROT_READ;
	if (flags & CKPT_VMA_WRITE)
		prot |= PROT_WRITE;
	if (flags & CKPT_VMA_EXEC)
		prot |= PROT_EXEC;
	return prot;
}

static const struct {
	u32 flag;
	int advice;
} rstr_advice[] = {
	{ CKPT_VMA_HUGEPAGE, MADV_HUGEPAGE },
	{ CKPT_VMA_NOHUGEPAGE, MADV_NOHUGEPAGE },
	{ CKPT_VMA_DONTDUMP, MADV_DONTDUMP },
	{ CKPT_VMA_DONTFORK, MADV_DONTFORK },
	{ CKPT_VMA_WIPEONFORK, MADV_WIPEONFORK },
	{ CKPT_VMA_MERGEABLE, MADV_MERGEABLE },
	{ CKPT_VMA_RANDOM, MADV_RANDOM },
	{ CKPT_VMA_SEQUENTIAL, MADV_SEQUENTIAL },
};

/*
 * The advice and locks the mapping had, given the way the process gave
 * them: madvise() and mlock2() split the mapping from its neighbours
 * and do the accounting.  Before the contents are filled in, so that
 * they land in huge pages and locked memory as they did.
 */
int rstr_vma_advise(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *v)
{
	unsigned long len = v->end - v->start;
	long ret = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(rstr_advice) && !ret; i++)
		if (v->flags & rstr_advice[i].flag)
			ret = kapi_madvise(v->start, len,
					   rstr_advice[i].advice);
	if (!ret && (v->flags & CKPT_VMA_LOCKED))
		ret = kapi_mlock2(v->start, len,
				  v->flags & CKPT_VMA_LOCKONFAULT ?
				  MLOCK_ONFAULT : 0);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret,
				"cannot advise or lock %#llx-%#llx as it was (flags %#x)",
				v->start, v->end, v->flags);
	return 0;
}

static int rstr_map_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	struct ckpt_hdr_vma *v = &vi->v;
	unsigned long len = v->end - v->start, flags = MAP_FIXED;
	struct file *file = vi->file;
	unsigned long addr;
	bool charged;
	int prot;

	flags |= v->flags & CKPT_VMA_SHARED ? MAP_SHARED : MAP_PRIVATE;
	if (v->flags & CKPT_VMA_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->flags & CKPT_VMA_NORESERVE)
		flags |= MAP_NORESERVE;
	if (!file)
		flags |= MAP_ANONYMOUS;
	prot = rstr_prot(v->flags);
	/*
	 * Private memory written once and made read-only stays charged to
	 * the commit limit (VM_ACCOUNT), as the process had it: mapped
	 * writable, so charged, then protected as it was.
	 */
	charged = (v->flags & CKPT_VMA_ACCOUNT) && !(prot & PROT_WRITE) &&
		  !(flags & MAP_SHARED);
	addr = vm_mmap(file, v->start, len, charged ? prot | PROT_WRITE : prot,
		       flags, file ? v->pgoff << PAGE_SHIFT : 0);
	if (!IS_ERR_VALUE(addr) && charged)
		addr = kapi_mprotect(v->start, len, prot) ?: addr;
	if (IS_ERR_VALUE(addr))
		return ckpt_err(ctx, (int)addr, "cannot map %#llx-%#llx%s%s",
				v->start, v->end, file ? " from " : "",
				file ? vi->path : "");
	return rstr_vma_advise(ctx, v);
}

/* The running kernel's vDSO, where the image had it: it must fit exactly. */
static int rstr_map_vdso(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm,
			 int i)
{
	struct ckpt_hdr_vma *vdso = &rmm->vmas[i].v;
	struct vm_area_struct *vma;
	unsigned long vvar_start;
	bool same;
	long ret;

	while (i > 0 && rmm->vmas[i - 1].v.kind == CKPT_VMA_VVAR)
		i--;
	vvar_start = rmm->vmas[i].v.start;
	ret = kapi_arch_prctl(ARCH_MAP_VDSO_64, vvar_start);
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot map the vDSO at %#lx",
				vvar_start);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, vdso->start);
	same = vma && vma->vm_start == vdso->start && vma->vm_end == vdso->end &&
	       current->mm->context.vdso == (void __user *)vdso->start;
	mmap_read_unlock(current->mm);
	if (!same)
		return ckpt_err(ctx, -EINVAL,
				"this kernel's vDSO differs in size from the image's");
	return 0;
}

/*
 * As prctl(PR_SET_MM_MAP) does it, with the values checked already.  The
 * executable keeps the write denial rstr_exe_open() took; the one the
 * old executable held goes with it.
 */
static void rstr_mm_fields(struct mm_struct *mm, struct ckpt_rstr_mm *rmm)
{
	struct ckpt_hdr_mm *m = &rmm->mm;
	struct file *old;

	mmap_write_lock(mm);
	old = rcu_replace_pointer(mm->exe_file, rmm->exe,
				  lockdep_is_held(&mm->mmap_lock));
	rmm->exe = NULL;
	mm->start_code = m->start_code;
	mm->end_code = m->end_code;
	mm->start_data = m->start_data;
	mm->end_data = m->end_data;
	mm->start_brk = m->start_brk;
	mm->brk = m->brk;
	mm->start_stack = m->start_stack;
	spin_lock(&mm->arg_lock);
	mm->arg_start = m->arg_start;
	mm->arg_end = m->arg_end;
	mm->env_start = m->env_start;
	mm->env_end = m->env_end;
	spin_unlock(&mm->arg_lock);
	/* as prctl(PR_SET_THP_DISABLE) sets it */
	if (m->flags & CKPT_MM_THP_DISABLE)
		set_bit(MMF_DISABLE_THP, &mm->flags);
	else
		clear_bit(MMF_DISABLE_THP, &mm->flags);
	mmap_write_unlock(mm);
	if (old) {
		allow_write_access(old);
		fput(old);
	}
	task_lock(current);
	memcpy(mm->saved_auxv, m->auxv, sizeof(mm->saved_auxv));
	task_unlock(current);
}

/* The same registrations, through membarrier() as the process made them. */
static int rstr_membarrier(struct ckpt_ctx *ctx, u32 flags)
{
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(ckpt_membarrier_cmds); i++) {
		if (!(flags & ckpt_membarrier_cmds[i].flag))
			continue;
		ret = kapi_membarrier(ckpt_membarrier_cmds[i].cmd);
		if (ret < 0)
			return ckpt_err(ctx, (int)ret,
					"cannot register with membarrier() again (command %d)",
					ckpt_membarrier_cmds[i].cmd);
	}
	return 0;
}

/* mlockall(MCL_FUTURE) last, or the mappings restored would all be locked. */
static int rstr_lock_future(struct ckpt_ctx *ctx, u32 flags)
{
	long ret;

	if (!(flags & CKPT_MM_LOCK_FUTURE))
		return 0;
	ret = kapi_mlockall(MCL_FUTURE |
			    (flags & CKPT_MM_LOCK_ONFAULT ? MCL_ONFAULT : 0));
	if (ret < 0)
		return ckpt_err(ctx, (int)ret, "cannot mlockall(MCL_FUTURE)");
	return 0;
}

/*
 * Replace the caller's address space with the image's layout.  Past the
 * first unmap there is no way back: the caller dies on any error.
 */
int rstr_mm(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_mm *rmm = rstr_mm_state(ctx);
	int i, ret;

	ret = vm_munmap(0, TASK_SIZE);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot clear the address space");
	/* first: the mappings a parent's pages are shared into, as fork() */
	ret = rstr_cow_map(ctx, rmm);
	if (ret < 0)
		return ret;
	for (i = 0; i < rmm->nr; i++) {
		switch (rmm->vmas[i].v.kind) {
		case CKPT_VMA_VVAR:
			continue;	/* mapped along with [vdso] */
		case CKPT_VMA_VDSO:
			ret = rstr_map_vdso(ctx, rmm, i);
			break;
		default:
			if ((rmm->vmas[i].v.flags & CKPT_VMA_COW) &&
			    rmm->cow_shared)
				ret = rstr_cow_finish(ctx, &rmm->vmas[i]);
			else
				ret = rstr_map_vma(ctx, &rmm->vmas[i]);
		}
		if (ret < 0)
			return ret;
	}
	ret = rstr_cow_fill(ctx, rmm);
	if (ret < 0)
		return ret;
	rstr_mm_fields(current->mm, rmm);
	ret = rstr_membarrier(ctx, rmm->mm.flags);
	if (ret < 0)
		return ret;
	return rstr_lock_future(ctx, rmm->mm.flags);
}

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
