// SPDX-License-Identifier: GPL-2.0
/*
 * The address space: its layout, the mm's own fields and page contents.
 *
 * Checkpoint writes an MM record with one nested VMA record per mapping,
 * then PAGES records with the contents that are not elsewhere: present,
 * nonzero pages of anonymous mappings, and the copied-on-write pages of
 * private file mappings (the rest of those comes back from the file).  Page tables
 * are consulted so that holes cost nothing: a 1 GiB mapping with one
 * touched page saves one page.
 *
 * Restart reads and checks the whole layout before it destroys anything,
 * then replaces the caller's address space and fills it.
 */
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/sched/mm.h>
#include <linux/pgtable.h>
#include <asm/prctl.h>
#include <asm/vdso.h>

#include <checkpoint/checkpoint.h>
#include <checkpoint/compat.h>
#include <checkpoint/symbols.h>

#define CKPT_MAX_VMAS	65536

struct ckpt_vma_info {
	struct ckpt_hdr_vma v;
	char *path;
	struct file *file;	/* restart: opened before anything is torn down */
};

struct ckpt_rstr_mm {
	struct ckpt_hdr_mm mm;
	unsigned int nr;
	struct ckpt_vma_info vmas[];
};

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

static int ckpt_vma_kind(struct ckpt_ctx *ctx, struct vm_area_struct *vma)
{
	const char *name = NULL;

	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (name && !strcmp(name, "[vdso]"))
		return CKPT_VMA_VDSO;
	if (name && !strncmp(name, "[vvar", 5))
		return CKPT_VMA_VVAR;
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx is shared: not supported yet",
				vma->vm_start, vma->vm_end);
	if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx maps device memory",
				vma->vm_start, vma->vm_end);
	if (vma->vm_file)
		return CKPT_VMA_FILE;
	if (vma_is_anonymous(vma))
		return CKPT_VMA_ANON;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"mapping %#lx-%#lx (%s) is a special mapping",
			vma->vm_start, vma->vm_end, name ? name : "?");
}

static u32 ckpt_vma_flags(struct vm_area_struct *vma)
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
	return flags;
}

static int ckpt_vma_path(struct ckpt_ctx *ctx, struct vm_area_struct *vma,
			 struct ckpt_vma_info *vi)
{
	struct file *file = vma->vm_file;
	char *buf, *p;
	int ret = 0;

	if (d_unlinked(file->f_path.dentry))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"mapping %#lx-%#lx: its file was deleted",
				vma->vm_start, vma->vm_end);
	buf = kmalloc(CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = d_path(&file->f_path, buf, CKPT_PATH_MAX);
	if (IS_ERR(p)) {
		ret = ckpt_err(ctx, (int)PTR_ERR(p),
			       "mapping %#lx-%#lx: no path for its file",
			       vma->vm_start, vma->vm_end);
		goto out;
	}
	vi->path = kstrdup(p, GFP_KERNEL);
	if (!vi->path) {
		ret = -ENOMEM;
		goto out;
	}
	vi->v.path_len = strlen(p) + 1;
	vi->v.file_size = i_size_read(file_inode(file));
out:
	kfree(buf);
	return ret;
}

/* Check before freezing that every mapping is of a kind we can save. */
int ckpt_mm_check(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	int ret = 0;

	mmap_read_lock(mm);
	for_each_vma(vmi, vma) {
		ret = ckpt_vma_kind(ctx, vma);
		if (ret < 0)
			break;
	}
	mmap_read_unlock(mm);
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
		i++;
		if (ret < 0)
			break;
	}
out:
	mmap_read_unlock(mm);
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
 * The first address in [addr, end) whose page middle directory entry is
 * populated; ranges without page tables hold no pages worth saving.
 * Called with the mmap lock held, which keeps these levels in place.
 */
static unsigned long ckpt_next_populated(struct mm_struct *mm,
					 unsigned long addr, unsigned long end)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

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
		pmd = pmd_offset(pud, addr);
		if (pmd_none(READ_ONCE(*pmd))) {
			addr = pmd_addr_end(addr, end);
			continue;
		}
		return addr;
	}
	return end;
}

static void ckpt_put_pages(struct page **pages, long nr)
{
	while (nr-- > 0)
		put_page(pages[nr]);
}

/* Write pages[first..first+nr) as one PAGES record starting at @addr. */
static int ckpt_write_run(struct ckpt_ctx *ctx, unsigned long addr,
			  struct page **pages, unsigned int nr)
{
	struct ckpt_hdr_pages hp = {};
	unsigned int i;
	void *kaddr;
	int ret;

	if (!nr)
		return 0;
	hp.addr = addr;
	hp.nr_pages = nr;
	ret = ckpt_write_obj(ctx, &hp.h, CKPT_HDR_PAGES, sizeof(hp),
			     (size_t)nr * PAGE_SIZE);
	for (i = 0; i < nr && ret >= 0; i++) {
		kaddr = kmap_local_page(pages[i]);
		ret = ckpt_write(ctx, kaddr, PAGE_SIZE);
		kunmap_local(kaddr);
	}
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

/* Save what is needed of pages[0..nr), mapped from @addr, in runs. */
static int ckpt_save_batch(struct ckpt_ctx *ctx, unsigned long addr,
			   struct page **pages, unsigned int nr, bool file)
{
	unsigned int i, run = 0;
	int ret = 0;

	for (i = 0; i < nr && ret >= 0; i++) {
		if (ckpt_page_needed(pages[i], file)) {
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

static int ckpt_vma_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
			  struct ckpt_vma_info *vi, struct page **pages)
{
	unsigned long addr = vi->v.start, end = vi->v.end, nr;
	bool file = vi->v.kind == CKPT_VMA_FILE;
	long got;
	int ret;

	while (addr < end) {
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
		if (got == -EFAULT) {		/* a hole: skip it */
			addr += PAGE_SIZE;
			continue;
		}
		if (got < 0)
			return ckpt_err(ctx, (int)got, "cannot read memory at %#lx",
					addr);
		ret = ckpt_save_batch(ctx, addr, pages, got, file);
		ckpt_put_pages(pages, got);
		if (ret < 0)
			return ret;
		addr += got << PAGE_SHIFT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* Pages worth saving, mapping by mapping, in address order. */
static int ckpt_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
		      struct ckpt_vma_info *vi, unsigned int nr)
{
	struct page **pages;
	unsigned int i;
	int ret = 0;

	pages = kmalloc_array(CKPT_PAGES_MAX, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < nr && ret >= 0; i++)
		if (vi[i].v.kind == CKPT_VMA_ANON ||
		    vi[i].v.kind == CKPT_VMA_FILE)
			ret = ckpt_vma_pages(ctx, mm, &vi[i], pages);
	kfree(pages);
	return ret;
}

/* The layout collected by ckpt_mm(), kept for ckpt_mm_pages(). */
struct ckpt_ckpt_mm {
	struct mm_struct *mm;
	unsigned int nr;
	struct ckpt_vma_info *vmas;
};

void ckpt_mm_free(struct ckpt_ctx *ctx)
{
	if (!ctx->cmm)
		return;
	ckpt_vma_infos_free(ctx->cmm->vmas, ctx->cmm->nr);
	kvfree(ctx->cmm->vmas);
	kfree(ctx->cmm);
	ctx->cmm = NULL;
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
	struct ckpt_vma_info *vi;
	unsigned int nr, i;
	size_t extra = 0;
	int ret;

	ctx->cmm = kzalloc(sizeof(*ctx->cmm), GFP_KERNEL);
	if (!ctx->cmm)
		return -ENOMEM;
	ret = ckpt_collect_vmas(ctx, mm, &vi, &nr);
	if (ret < 0)
		return ret;
	ctx->cmm->mm = mm;
	ctx->cmm->vmas = vi;
	ctx->cmm->nr = nr;

	hm.objref = objref;
	hm.nr_vmas = nr;
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
	for (i = 0; i < nr; i++)
		extra += ckpt_vma_len(&vi[i]);

	ret = ckpt_write_obj(ctx, &hm.h, CKPT_HDR_MM, sizeof(hm), extra);
	for (i = 0; i < nr && ret >= 0; i++)
		ret = ckpt_write_vma(ctx, &vi[i]);
	return ret;
}

/* The PAGES records of the layout ckpt_mm() wrote. */
int ckpt_mm_pages(struct ckpt_ctx *ctx)
{
	return ckpt_pages(ctx, ctx->cmm->mm, ctx->cmm->vmas, ctx->cmm->nr);
}

/* ---------------------------------------------------------------------- */
/* restart */

void rstr_mm_free(struct ckpt_ctx *ctx)
{
	if (!ctx->rmm)
		return;
	ckpt_vma_infos_free(ctx->rmm->vmas, ctx->rmm->nr);
	kvfree(ctx->rmm);
	ctx->rmm = NULL;
}

static int rstr_vma_path(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	u32 len = vi->v.path_len;
	int ret;

	if (len < 2 || len > CKPT_PATH_MAX ||
	    vi->v.h.len != sizeof(vi->v) + ALIGN(len, CKPT_ALIGN))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: path length %u, record length %u",
				ctx->hdr_pos, len, vi->v.h.len);
	vi->path = kmalloc(len, GFP_KERNEL);
	if (!vi->path)
		return -ENOMEM;
	ret = ckpt_read(ctx, vi->path, len);
	if (ret < 0)
		return ret;
	ret = ckpt_read_pad(ctx, len);
	if (ret < 0)
		return ret;
	if (vi->path[0] != '/' || strnlen(vi->path, len) != len - 1)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: malformed path",
				ctx->hdr_pos);
	return 0;
}

static int rstr_vma_check(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *v,
			  u64 prev_end)
{
	u64 pages;

	if (v->start >= v->end || !PAGE_ALIGNED(v->start) ||
	    !PAGE_ALIGNED(v->end) || v->end > TASK_SIZE || v->start < prev_end)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: range %#llx-%#llx is invalid, outside user space or overlaps the previous one",
				ctx->hdr_pos, v->start, v->end);
	if (v->flags & ~CKPT_VMA_FLAGS_ALL || v->pad)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: unknown flags %#x",
				ctx->hdr_pos, v->flags);
	if ((v->flags & CKPT_VMA_GROWSDOWN) && v->kind != CKPT_VMA_ANON)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: only anonymous memory grows down",
				ctx->hdr_pos);
	pages = (v->end - v->start) >> PAGE_SHIFT;
	if (v->kind == CKPT_VMA_FILE &&
	    (v->pgoff > (MAX_LFS_FILESIZE >> PAGE_SHIFT) ||
	     v->pgoff + pages > (MAX_LFS_FILESIZE >> PAGE_SHIFT)))
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: file offset %#llx out of range",
				ctx->hdr_pos, v->pgoff);
	if (v->kind != CKPT_VMA_FILE && v->path_len)
		return ckpt_err(ctx, -EINVAL,
				"VMA record at offset %llu: a path on a non-file mapping",
				ctx->hdr_pos);
	switch (v->kind) {
	case CKPT_VMA_ANON:
	case CKPT_VMA_FILE:
	case CKPT_VMA_VDSO:
	case CKPT_VMA_VVAR:
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
	struct file *file;

	file = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
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
	if (vi->v.kind == CKPT_VMA_FILE) {
		ret = rstr_vma_path(ctx, vi);
		if (ret < 0)
			return ret;
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
	if (hm.nr_vmas > CKPT_MAX_VMAS)
		return ckpt_err(ctx, -EINVAL, "MM record: %u mappings",
				hm.nr_vmas);
	ret = rstr_mm_fields_check(ctx, &hm);
	if (ret < 0)
		return ret;
	rmm = kvzalloc(struct_size(rmm, vmas, hm.nr_vmas), GFP_KERNEL);
	if (!rmm)
		return -ENOMEM;
	rmm->mm = hm;
	ctx->rmm = rmm;

	/* the VMA records live inside the MM record */
	end = ctx->hdr_pos + hm.h.len;
	parent = ctx->limit;
	ctx->limit = end;
	for (rmm->nr = 0; rmm->nr < hm.nr_vmas; rmm->nr++) {
		ret = rstr_vma_read(ctx, &rmm->vmas[rmm->nr], prev_end);
		if (ret < 0) {
			rmm->nr++;	/* its path, if any, is freed with it */
			goto out;
		}
		prev_end = rmm->vmas[rmm->nr].v.end;
	}
	if (ctx->pos != end) {
		ret = ckpt_err(ctx, -EINVAL,
			       "MM record: length %u does not match its %u VMA records",
			       hm.h.len, hm.nr_vmas);
		goto out;
	}
	ret = rstr_vdso_check(ctx, rmm);
	if (ret < 0)
		goto out;
	ret = ckpt_obj_insert(ctx, current->mm, hm.objref, CKPT_OBJ_MM);
	if (ret < 0)
		ret = ckpt_err(ctx, ret, "MM record: bad objref %d", hm.objref);
out:
	ctx->limit = parent;
	return ret;
}

static unsigned long rstr_prot(u32 flags)
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

static int rstr_map_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
{
	struct ckpt_hdr_vma *v = &vi->v;
	unsigned long len = v->end - v->start, flags = MAP_PRIVATE | MAP_FIXED;
	struct file *file = vi->file;
	unsigned long addr;

	if (v->flags & CKPT_VMA_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->flags & CKPT_VMA_NORESERVE)
		flags |= MAP_NORESERVE;
	if (!file)
		flags |= MAP_ANONYMOUS;
	addr = vm_mmap(file, v->start, len, rstr_prot(v->flags), flags,
		       file ? v->pgoff << PAGE_SHIFT : 0);
	if (IS_ERR_VALUE(addr))
		return ckpt_err(ctx, (int)addr, "cannot map %#llx-%#llx%s%s",
				v->start, v->end, file ? " from " : "",
				file ? vi->path : "");
	return 0;
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
	ret = ckpt_syms.do_arch_prctl_64(current, ARCH_MAP_VDSO_64, vvar_start);
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

/* As prctl(PR_SET_MM_MAP) does it, with the values checked already. */
static void rstr_mm_fields(struct mm_struct *mm, struct ckpt_hdr_mm *m)
{
	mmap_write_lock(mm);
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
	mmap_write_unlock(mm);
}

/*
 * Replace the caller's address space with the image's layout.  Past the
 * first unmap there is no way back: the caller dies on any error.
 */
int rstr_mm(struct ckpt_ctx *ctx)
{
	struct ckpt_rstr_mm *rmm = ctx->rmm;
	int i, ret;

	ret = vm_munmap(0, TASK_SIZE);
	if (ret < 0)
		return ckpt_err(ctx, ret, "cannot clear the address space");
	for (i = 0; i < rmm->nr; i++) {
		switch (rmm->vmas[i].v.kind) {
		case CKPT_VMA_VVAR:
			continue;	/* mapped along with [vdso] */
		case CKPT_VMA_VDSO:
			ret = rstr_map_vdso(ctx, rmm, i);
			break;
		default:
			ret = rstr_map_vma(ctx, &rmm->vmas[i]);
		}
		if (ret < 0)
			return ret;
	}
	rstr_mm_fields(current->mm, &rmm->mm);
	return 0;
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
	unsigned int i;
	void *kaddr;
	long got;
	int ret = 0;

	mmap_read_lock(mm);
	/* FOLL_FORCE: read-only text is written the way ptrace would */
	got = ckpt_gup_remote(mm, addr, nr, FOLL_WRITE | FOLL_FORCE, pages);
	mmap_read_unlock(mm);
	if (got != nr) {
		ckpt_put_pages(pages, got);
		return ckpt_err(ctx, got < 0 ? (int)got : -EFAULT,
				"cannot populate memory at %#lx", addr);
	}
	for (i = 0; i < nr && ret >= 0; i++) {
		kaddr = kmap_local_page(pages[i]);
		ret = ckpt_read(ctx, kaddr, PAGE_SIZE);
		kunmap_local(kaddr);
		set_page_dirty_lock(pages[i]);
	}
	ckpt_put_pages(pages, nr);
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
	v = rstr_find_vma(ctx->rmm, hp.addr);
	if (!PAGE_ALIGNED(hp.addr) || !v || end > v->end ||
	    (v->kind != CKPT_VMA_ANON && v->kind != CKPT_VMA_FILE))
		return ckpt_err(ctx, -EINVAL,
				"PAGES record at offset %llu: %#llx-%#llx is not inside one saved mapping",
				ctx->hdr_pos, hp.addr, end);
	pages = kmalloc_array(hp.nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = rstr_fill_pages(ctx, hp.addr, hp.nr_pages, pages);
	kfree(pages);
	return ret;
}
