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
#include <linux/fs.h>
#include <linux/tty.h>
#include <linux/tty_buffer.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "checkpoint: kernels older than 6.1 are not supported"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#error "checkpoint: kernels newer than 6.12 are not supported yet"
#endif

#ifndef CONFIG_X86_64
#error "checkpoint: only x86-64 is supported"
#endif

/*
 * The idmapping of the mount a file was opened on, as notify_change()
 * takes it: a user namespace until 6.3, a struct mnt_idmap since.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define ckpt_file_idmap(file)	file_mnt_user_ns(file)
#define ckpt_path_idmap(path)	mnt_user_ns((path)->mnt)
#define ckpt_mnt_idmap(mnt)	mnt_user_ns(mnt)
#define ckpt_nop_idmap		(&init_user_ns)
#else
#define ckpt_file_idmap(file)	file_mnt_idmap(file)
#define ckpt_path_idmap(path)	mnt_idmap((path)->mnt)
#define ckpt_mnt_idmap(mnt)	mnt_idmap(mnt)
#define ckpt_nop_idmap		(&nop_mnt_idmap)
#endif

/* An inode's atime and mtime: fields until 6.6, accessors since. */
static inline void ckpt_inode_times(struct inode *inode, s64 *asec, u32 *ansec,
				    s64 *msec, u32 *mnsec)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	struct timespec64 a = inode->i_atime, m = inode->i_mtime;
#else
	struct timespec64 a = inode_get_atime(inode), m = inode_get_mtime(inode);
#endif

	*asec = a.tv_sec;
	*ansec = a.tv_nsec;
	*msec = m.tv_sec;
	*mnsec = m.tv_nsec;
}

/* An inode's mtime and ctime, read and put back (fields until 6.6). */
struct ckpt_cmtime {
	struct timespec64 m, c;
};

static inline void ckpt_cmtime_get(struct inode *inode, struct ckpt_cmtime *t)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	t->m = inode->i_mtime;
	t->c = inode->i_ctime;
#else
	t->m = inode_get_mtime(inode);
	t->c = inode_get_ctime(inode);
#endif
}

static inline void ckpt_cmtime_set(struct inode *inode,
				   const struct ckpt_cmtime *t)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
	inode->i_mtime = t->m;
	inode->i_ctime = t->c;
#else
	inode_set_mtime_to_ts(inode, t->m);
	inode_set_ctime_to_ts(inode, t->c);
#endif
}

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
 * 6.4 added per-VMA locks: whoever changes a mapping's page tables or
 * anon_vma under the mmap write lock takes the VMA's own as well, as
 * fork() does for the parent's mappings.
 */
static inline void ckpt_vma_start_write(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	vma_start_write(vma);
#endif
}

/* Whether a present page may be mapped anywhere else too. */
static inline bool ckpt_page_maybe_shared(struct page *page)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
	return page_mapcount(page) > 1;
#else
	return folio_mapcount(page_folio(page)) > 1;
#endif
}

/*
 * 6.8 moved the freeze protection of a regular file being written into
 * vfs_iter_write(); before, its callers take it (as kernel_write() does).
 */
static inline ssize_t ckpt_iter_write(struct file *file, struct iov_iter *iter,
				      loff_t *pos)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
	ssize_t n;

	file_start_write(file);
	n = vfs_iter_write(file, iter, pos, 0);
	file_end_write(file);
	return n;
#else
	return vfs_iter_write(file, iter, pos, 0);
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

/* 6.5 made an eventfd's fdinfo say whether it counts as a semaphore. */
#define CKPT_EVENTFD_FDINFO_SEMAPHORE \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0))

/*
 * The inode an fsnotify mark connector is attached to: 6.10 made the
 * connector point at it, not at its i_fsnotify_marks.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define ckpt_fsnotify_conn_inode(conn) \
	container_of((conn)->obj, struct inode, i_fsnotify_marks)
#else
#define ckpt_fsnotify_conn_inode(conn)	((struct inode *)(conn)->obj)
#endif

/* Do bytes @ofs..@ofs + @n of a flip buffer carry a flag (TTY_BREAK...)? */
static inline bool ckpt_ttyb_flagged(struct tty_buffer *b, unsigned int ofs,
				     unsigned int n)
{
#ifdef TTYB_NORMAL
	if (b->flags & TTYB_NORMAL)	/* 6.1: no flag buffer */
		return false;
#else
	if (!b->flags)			/* 6.6: bool, "has a flag buffer" */
		return false;
#endif
	return memchr_inv(flag_buf_ptr(b, ofs), TTY_NORMAL, n) != NULL;
}

/*
 * File locks: 6.3 moved them to linux/filelock.h; 6.9 split struct
 * file_lock into a common struct file_lock_core (its fl_* fields became
 * c.flc_*) and made leases a struct file_lease of their own, linked by
 * the same core.  CKPT_FL(fl, owner) is fl->fl_owner or fl->c.flc_owner.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#include <linux/filelock.h>
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define CKPT_FL(fl, field)		((fl)->fl_##field)
#define ckpt_for_each_lock(fl, head)	list_for_each_entry(fl, head, fl_list)
#define ckpt_lease			file_lock
#else
#define CKPT_FL(fl, field)		((fl)->c.flc_##field)
#define ckpt_for_each_lock(fl, head)	list_for_each_entry(fl, head, c.flc_list)
#define ckpt_lease			file_lease
#endif

#endif /* _CHECKPOINT_COMPAT_H */
