// SPDX-License-Identifier: GPL-2.0
/*
 * The address space's layout: its mappings and their checks.
 *
 * Checkpoint collects one VMA record per mapping (mm.c nests them in the
 * MM record; pages.c writes their contents).  Restart reads and checks
 * the whole layout, opening every file it needs, before anything is
 * torn down, then maps it again.  Advice and locks are given again
 * through madvise() and mlock2(), which split mappings and account for
 * them as they did.
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
#include "format.h"


void ckpt_vma_infos_free(struct ckpt_vma_info *vi, unsigned int nr)
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
bool ckpt_nameless(struct file *file)
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

/* Under the mmap lock, which keeps @vma and its file in place. */
static int ckpt_vma_kind(struct ckpt_ctx *ctx, struct vm_area_struct *vma)
{
	const char *name = NULL;

	ckpt_mmap_assert_locked(vma->vm_mm);

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

/* Under the mmap lock: vm_flags change only under it, held for writing. */
u32 ckpt_vma_flags(struct vm_area_struct *vma)
{
	u32 flags = 0;

	ckpt_mmap_assert_locked(vma->vm_mm);

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

int ckpt_collect_vmas(struct ckpt_ctx *ctx, struct mm_struct *mm,
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

size_t ckpt_vma_len(struct ckpt_vma_info *vi)
{
	return sizeof(vi->v) + ALIGN(vi->v.path_len, CKPT_ALIGN);
}

int ckpt_write_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
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


/* ---------------------------------------------------------------------- */

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

/* The record's own fields, by the rules ckptinfo applies too (format.c). */
static int rstr_vma_check(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *v,
			  u64 prev_end)
{
	char why[128];

	/* format.c's CKPT_FMT_FILE_SIZE_MAX */
	BUILD_BUG_ON(MAX_LFS_FILESIZE != LLONG_MAX);
	if (ckpt_vma_rules(v, prev_end, PAGE_SIZE, TASK_SIZE, why, sizeof(why)))
		return ckpt_err(ctx, -EINVAL, "VMA record at offset %llu: %s",
				ctx->hdr_pos, why);
	return 0;
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

int rstr_vma_read(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi,
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
int rstr_vdso_check(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm)
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

int rstr_map_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi)
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
int rstr_map_vdso(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm, int i)
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
