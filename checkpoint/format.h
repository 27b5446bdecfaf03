/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image format, described once: what each record type is, and the
 * rules a TREE must follow.  Compiled into the module (Kbuild) and into
 * libckpt (tools/lib/format.c), so the kernel's restart and ckptinfo
 * cannot drift apart.  Nothing here may need more than the UAPI header
 * and the few library functions both sides have (the shim below).
 */
#ifndef _CKPT_FORMAT_H
#define _CKPT_FORMAT_H

#ifdef __KERNEL__
#include <linux/kernel.h>	/* snprintf(), vsnprintf() */
#include <linux/string.h>	/* memchr() */
#else
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#endif
#include <linux/types.h>
#include <linux/checkpoint.h>

/* How often a record may stand in a task's section. */
enum ckpt_rec_count {
	CKPT_REC_ANY = 0,	/* repeatable, or nested in its parent */
	CKPT_REC_ONCE,		/* at most one */
	CKPT_REC_REQUIRED,	/* exactly one (where its object is new) */
};

/* One record type. */
struct ckpt_rec_desc {
	const char *name;
	__u32 size;		/* its fixed part: the least it holds */
	__u32 parent;		/* the type it nests in; 0: top level */
	__u8 fixed;		/* nothing may follow the fixed part */
	__u8 count;		/* enum ckpt_rec_count */
};

/* The description of @type, or NULL if the format has no such type. */
const struct ckpt_rec_desc *ckpt_rec_desc(__u32 type);

/* The name of @type, "unknown" if none. */
const char *ckpt_rec_name(__u32 type);

/*
 * The longest a record of @type may be, its nested records included,
 * with pages of @page_size bytes.
 */
__u64 ckpt_rec_max_len(__u32 type, __u32 page_size);

/*
 * Where in a record of @type, whose fixed part is @h, its nested records
 * start (they run to its end); 0 if it holds none.  @h has the record's
 * fixed part.
 */
__u32 ckpt_rec_nested_at(const struct ckpt_hdr *h);

/*
 * The HEADER's identity: magic, version, architecture, page size (the
 * reader's is @page_size), size of the CPU state.  0, or -1 with what in
 * @err.
 */
int ckpt_header_rules(const struct ckpt_hdr_header *h, __u32 page_size,
		      char *err, size_t errlen);

/*
 * The TREE rules: can the @nr tasks @t, with TREE flags @flags, be
 * rebuilt as rstr creates them (parents before children, threads right
 * after their process, sessions and groups made or joined as a restart
 * can, zombies' status and names)?  Pids must be below @pid_max.
 * @scratch holds ckpt_tree_scratch_len(@nr) words.  0, or -1 with a
 * line naming the entry and what in @err.
 */
__u32 ckpt_tree_scratch_len(__u32 nr);
int ckpt_tree_rules(__u32 flags, const struct ckpt_tree_task *t, __u32 nr,
		    long pid_max, __u32 *scratch, char *err, size_t errlen);

/*
 * Can a process end with wait status @status, as a restored zombie does
 * (an exit, or a signal whose default action ends it; a core dump only
 * of one that dumps)?  1 or 0.
 */
int ckpt_zombie_status_ok(__s32 status);

/*
 * Can signal @sig (1..64) have the action @a, with user space below
 * @task_size and the SA_* flags @sa_flags known?  SIGKILL's and
 * SIGSTOP's can only be the default.  0, or -1 with what in @err.
 */
int ckpt_sigaction_rules(int sig, const struct ckpt_sigaction *a,
			 __u64 task_size, __u64 sa_flags, char *err,
			 size_t errlen);

/*
 * A CGROUP record's path: absolute, of plain names (no "//", "." or
 * "..", no trailing '/').  1 or 0.
 */
int ckpt_cgroup_path_ok(const char *path);

/* The name of a VMA kind, "unknown" if none. */
const char *ckpt_vma_kind_name(__u32 kind);

/*
 * A VMA record's own fields: its kind, flags (those that go together on
 * that kind), objref, range (aligned to @page_size, below @task_size,
 * not below @prev_end where the previous VMA ended), a file mapping's
 * offset and file size, a path only on a file mapping.  0, or -1 with
 * what in @err.
 */
int ckpt_vma_rules(const struct ckpt_hdr_vma *v, __u64 prev_end,
		   __u32 page_size, __u64 task_size, char *err, size_t errlen);

/* The number of tasks alone, before the entries are read. */
int ckpt_tree_count_rule(__u32 nr, long pid_max, char *err, size_t errlen);

#endif /* _CKPT_FORMAT_H */
