/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kinds of open file: one table of operations per kind, owned by the
 * kind's file (pipe.c, unix.c...), and one ordered list of them in
 * files.c.  files.c does what every file shares: its FILE record, its
 * objref, its locks, the fd table.  A kind says whether a file is its
 * own, saves what the FILE record cannot hold, and opens the file again.
 */
#ifndef _CHECKPOINT_FILE_H
#define _CHECKPOINT_FILE_H

#include <linux/bits.h>
#include <checkpoint/checkpoint.h>
#include <checkpoint/kapi.h>

/* kinds are bits of a u32 in struct ckpt_file_ops */
static_assert(CKPT_FILE_MAX_KIND < 32);

/* Checkpoint: one file being saved, as its kind's operations see it. */
struct ckpt_file_desc {
	struct file *file;
	int fd;			/* in the target's table; -1: a file in flight */
	const char *name;	/* its path, or what describes it ("pipe:[7]") */
	struct ckpt_hdr_file *hf;	/* its FILE record, as far as filled */
};

/**
 * struct ckpt_file_ops - one kind of open file
 * @name: the kind, for messages
 * @kinds: BIT(CKPT_FILE_*) of the FILE records it writes and reads
 * @by_path: of @kinds, those opened again by the path they had: their
 *	record's path must be one; the others' only describes them
 * @rdev: of @kinds, those whose FILE record keeps the device number
 * @fops: an anonymous-inode kind (one bit in @kinds) is known by its
 *	file operations (kapi_file_is()) instead of @match; KAPI_FOPS_NONE
 *	for the others
 * @match: checkpoint: the kind @d's file is saved as (one of @kinds, or
 *	CKPT_FILE_INHERIT for an end held outside the tree at fds 0-2),
 *	0 if the file is not of this kind, or a negative errno if it is
 *	but cannot be saved (logged)
 * @deps: checkpoint: write the FILEs it refers to, before its own
 * @obj: checkpoint: the objref of the object its files share (a pipe, a
 *	pty...), named by obj_objref; *@first when met first.  Restart
 *	insists on an obj_objref for the kinds that have it.
 * @checkpoint: checkpoint: the records that follow its FILE record;
 *	with @obj, only after the first FILE of the shared object
 * @restart: restart: the file of FILE record @hf, referenced, or an
 *	ERR_PTR (logged); @name is its record's path
 */
struct ckpt_file_ops {
	const char *name;
	u32 kinds;
	u32 by_path;
	u32 rdev;
	enum kapi_fops fops;
	int (*match)(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d);
	int (*deps)(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d);
	int (*obj)(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d,
		   bool *first);
	int (*checkpoint)(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d);
	struct file *(*restart)(struct ckpt_ctx *ctx,
				const struct ckpt_hdr_file *hf, char *name);
};

/* in files.c's order: the first whose match takes a file has it */
extern const struct ckpt_file_ops ckpt_unlinked_file_ops;	/* unlinked.c */
extern const struct ckpt_file_ops ckpt_path_file_ops;		/* files.c */
extern const struct ckpt_file_ops ckpt_eventfd_file_ops;	/* eventfd.c */
extern const struct ckpt_file_ops ckpt_signalfd_file_ops;	/* signalfd.c */
extern const struct ckpt_file_ops ckpt_timerfd_file_ops;	/* timerfd.c */
extern const struct ckpt_file_ops ckpt_epoll_file_ops;		/* epoll.c */
extern const struct ckpt_file_ops ckpt_inotify_file_ops;	/* inotify.c */
extern const struct ckpt_file_ops ckpt_pipe_file_ops;		/* pipe.c */
extern const struct ckpt_file_ops ckpt_pty_file_ops;		/* pty.c */
extern const struct ckpt_file_ops ckpt_unix_file_ops;		/* unix.c */
extern const struct ckpt_file_ops ckpt_inherit_file_ops;	/* files.c */

/* files.c: what kinds share */
bool ckpt_file_stdio(const struct ckpt_file_desc *d);
int ckpt_file_inode_obj(struct ckpt_ctx *ctx, const struct ckpt_file_desc *d,
			bool *first);

/* anonfd.c: what eventfd, signalfd, timerfd (and inotify) share */
bool rstr_anon_flags_ok(const struct ckpt_hdr_file *hf);
struct file *rstr_anon_take(struct ckpt_ctx *ctx,
			    const struct ckpt_hdr_file *hf, long fd,
			    const char *what);

#endif /* _CHECKPOINT_FILE_H */
