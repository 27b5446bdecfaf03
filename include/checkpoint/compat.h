/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels this module supports, in one place.
 * Supported: 6.1 LTS and 6.12 LTS (Debian bookworm and bookworm-backports).
 */
#ifndef _CHECKPOINT_COMPAT_H
#define _CHECKPOINT_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/capability.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/wait.h>

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

/* 6.3 made kernel_cap_t one u64 instead of two u32 words. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline u64 ckpt_cap_to_u64(kernel_cap_t c)
{
	return c.cap[0] | (u64)c.cap[1] << 32;
}

static inline kernel_cap_t ckpt_cap_from_u64(u64 v)
{
	return (kernel_cap_t){ { (u32)v, (u32)(v >> 32) } };
}
#else
#define ckpt_cap_to_u64(c)	((c).val)
#define ckpt_cap_from_u64(v)	((kernel_cap_t){ (v) })
#endif

/*
 * The futex flags a restart_block keeps: 6.7 moved them and added the
 * word's size, which must say 32 bits.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define CKPT_FUTEX_KFLAGS_BASE		0x00
#define CKPT_FUTEX_KFLAGS_SHARED	0x01
#define CKPT_FUTEX_KFLAGS_CLOCKRT	0x02
#define CKPT_FUTEX_KFLAGS_TIMEOUT	0x04
#else
#define CKPT_FUTEX_KFLAGS_BASE		0x02	/* FLAGS_SIZE_32 */
#define CKPT_FUTEX_KFLAGS_SHARED	0x10
#define CKPT_FUTEX_KFLAGS_CLOCKRT	0x20
#define CKPT_FUTEX_KFLAGS_TIMEOUT	0x40
#endif

/* The POSIX timers' list became an hlist between 6.1 and 6.12. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define ckpt_has_posix_timers(sig)	(!list_empty(&(sig)->posix_timers))
#define ckpt_for_each_posix_timer(timr, sig) \
	list_for_each_entry(timr, &(sig)->posix_timers, list)
#else
#define ckpt_has_posix_timers(sig)	(!hlist_empty(&(sig)->posix_timers))
#define ckpt_for_each_posix_timer(timr, sig) \
	hlist_for_each_entry(timr, &(sig)->posix_timers, list)
#endif

/*
 * Whether an eventfd counts as a semaphore (EFD_SEMAPHORE): its fdinfo
 * shows it since 6.5.  Before, it is read from the eventfd's context,
 * struct eventfd_ctx of fs/eventfd.c, whose layout is mirrored here: the
 * mirror is trusted only if it holds the count and id the fdinfo shows,
 * and flags eventfd2() accepts.  Returns the eventfd2() flags, or
 * -EOPNOTSUPP.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
struct ckpt_eventfd_ctx {
	struct kref kref;
	wait_queue_head_t wqh;
	__u64 count;
	unsigned int flags;
	int id;
};

static inline int ckpt_eventfd_ctx_flags(struct file *file, u64 count, int id)
{
	const struct ckpt_eventfd_ctx *c = file->private_data;
	unsigned int flags = READ_ONCE(c->flags);

	if (READ_ONCE(c->count) != count || READ_ONCE(c->id) != id ||
	    flags & ~EFD_FLAGS_SET)
		return -EOPNOTSUPP;
	return flags;
}
#else
static inline int ckpt_eventfd_ctx_flags(struct file *file, u64 count, int id)
{
	return -EOPNOTSUPP;	/* the fdinfo says it */
}
#endif

#endif /* _CHECKPOINT_COMPAT_H */
