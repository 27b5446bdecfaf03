/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What memory.c, pages.c, mm.c and cow.c share: the layout of an address space being
 * saved or rebuilt, and the pages a forked child shares with its parent.
 */
#ifndef _CHECKPOINT_MEMORY_H
#define _CHECKPOINT_MEMORY_H

#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/checkpoint.h>
#include <linux/lockdep.h>

/*
 * mmap_assert_locked() without its CONFIG_DEBUG_VM half: that calls
 * dump_mm(), which is not exported, and the module would not load on a
 * DEBUG_VM kernel (make check-debug's).  Lockdep checks the same.
 */
#define ckpt_mmap_assert_locked(mm)	lockdep_assert_held(&(mm)->mmap_lock)

struct ckpt_ctx;

struct ckpt_vma_info {
	struct ckpt_hdr_vma v;
	char *path;
	struct file *file;	/* restart: opened before anything is torn down */
};

/* Runs of pages shared with another mm, in address order (COW records). */
struct ckpt_cow_runs {
	struct ckpt_hdr_cow *run;
	unsigned int nr;
	unsigned int size;	/* checkpoint: room in @run */
	unsigned int next;	/* checkpoint: the first not behind the pages */
};

/* The layout collected by ckpt_mm(), kept for ckpt_mm_pages(). */
struct ckpt_ckpt_mm {
	struct mm_struct *mm;
	unsigned int nr;
	struct ckpt_vma_info *vmas;
	char *exe_path;
	u32 exe_len;
	int cow_objref;			/* the parent's mm, if shared with */
	struct ckpt_cow_runs cow;
};

struct ckpt_rstr_mm {
	struct ckpt_hdr_mm mm;
	char *exe_path;
	struct file *exe;	/* opened, and denied writers, in advance */
	struct mm_struct *cow_src;	/* cow_objref's, built already */
	struct ckpt_cow_runs cow;
	bool cow_shared;		/* restart: the runs shared, not copied */
	unsigned int nr;
	struct ckpt_vma_info vmas[];
};

/* memory.c: the layout */
bool ckpt_nameless(struct file *file);
void ckpt_vma_infos_free(struct ckpt_vma_info *vi, unsigned int nr);
int ckpt_collect_vmas(struct ckpt_ctx *ctx, struct mm_struct *mm,
		      struct ckpt_vma_info **pvi, unsigned int *pnr);
size_t ckpt_vma_len(struct ckpt_vma_info *vi);
int ckpt_write_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi);
int rstr_vma_read(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi,
		  u64 prev_end);
int rstr_vdso_check(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm);
int rstr_map_vma(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi);
int rstr_map_vdso(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm, int i);
unsigned long rstr_prot(u32 flags);
u32 ckpt_vma_flags(struct vm_area_struct *vma);
int rstr_vma_advise(struct ckpt_ctx *ctx, struct ckpt_hdr_vma *v);

/* mm.c: the per-context state of the MM record's two halves */
struct ckpt_ckpt_mm *ckpt_mm_state(struct ckpt_ctx *ctx);
struct ckpt_rstr_mm *rstr_mm_state(struct ckpt_ctx *ctx);

/* pages.c: @fn gets the present pages of [addr, end), a batch at a time */
typedef int (*ckpt_pages_fn)(struct ckpt_ctx *ctx, unsigned long addr,
			     struct page **pages, unsigned int nr, void *arg);
int ckpt_walk_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
		    unsigned long addr, unsigned long end, struct page **pages,
		    ckpt_pages_fn fn, void *arg);
void ckpt_put_pages(struct page **pages, long nr);

/* cow.c */
int ckpt_cow_scan(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm);
bool ckpt_cow_covers(struct ckpt_cow_runs *cow, unsigned long addr);
size_t ckpt_cow_len(struct ckpt_ckpt_mm *cmm);
int ckpt_cow_write(struct ckpt_ctx *ctx, struct ckpt_ckpt_mm *cmm);
void ckpt_cow_free(struct ckpt_cow_runs *cow);
int rstr_cow_read(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm);
int rstr_cow_map(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm);
int rstr_cow_finish(struct ckpt_ctx *ctx, struct ckpt_vma_info *vi);
int rstr_cow_fill(struct ckpt_ctx *ctx, struct ckpt_rstr_mm *rmm);

#endif /* _CHECKPOINT_MEMORY_H */
