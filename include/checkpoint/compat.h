/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels this module supports, in one place.
 * Supported: 6.1 LTS and 6.12 LTS (Debian bookworm and bookworm-backports).
 */
#ifndef _CHECKPOINT_COMPAT_H
#define _CHECKPOINT_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "checkpoint: kernels older than 6.1 are not supported"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "checkpoint: kernels newer than 6.12 are not supported yet"
#endif

#ifndef CONFIG_X86_64
#error "checkpoint: only x86-64 is supported"
#endif

/* 6.5 dropped the vmas argument of get_user_pages_remote(). */
static inline long ckpt_gup_remote(struct mm_struct *mm, unsigned long start,
				   unsigned long nr_pages,
				   unsigned int gup_flags,
				   struct page **pages)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL, NULL);
#else
	return get_user_pages_remote(mm, start, nr_pages, gup_flags, pages,
				     NULL);
#endif
}

/*
 * 6.3 made the registered rseq area's length a task field; before, the
 * area is always the original 32 bytes.
 */
#define CKPT_RSEQ_ORIG_LEN	32
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define ckpt_rseq_len(t)	((t)->rseq ? CKPT_RSEQ_ORIG_LEN : 0)
#define ckpt_rseq_len_ok(len)	((len) == CKPT_RSEQ_ORIG_LEN)
#define ckpt_set_rseq_len(t, len) do { } while (0)
#else
#define ckpt_rseq_len(t)	((t)->rseq_len)
#define ckpt_rseq_len_ok(len)	((len) >= CKPT_RSEQ_ORIG_LEN)
#define ckpt_set_rseq_len(t, len) ((t)->rseq_len = (len))
#endif

#endif /* _CHECKPOINT_COMPAT_H */
