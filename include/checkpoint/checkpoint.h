/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel checkpoint/restart: what the module's files share.
 */
#ifndef _CHECKPOINT_CHECKPOINT_H
#define _CHECKPOINT_CHECKPOINT_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/completion.h>
#include <linux/sched.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/bitmap.h>
#include <linux/checkpoint.h>

struct file;
struct cred;
struct path;
struct files_struct;
struct ckpt_objhash;
struct ckpt_tnode;
struct ckpt_rstr_op;
struct fs_struct;

enum ckpt_ctx_kind {
	CKPT_CTX_CHECKPOINT = 1,
	CKPT_CTX_RESTART,
};

/*
 * Per-task state that only the task itself can read consistently: it is
 * saved from the task's own context while it freezes (checkpoint), or
 * kept here between reading it and applying it (restart).
 */
struct ckpt_task_state {
	struct ckpt_hdr_task task;
	struct ckpt_hdr_cpu cpu;
	void *xstate;			/* standard-format xsave area */
	unsigned int xstate_size;
	/*
	 * Restart: current->restart_block holds the interrupted call's
	 * state, so an -ERESTART_RESTARTBLOCK call resumes through
	 * restart_syscall() instead of being issued again from scratch.
	 */
	bool restart_block;
	/* restart: identity, checked against the caller's own */
	struct ckpt_hdr_rlimits rlimits;
};

/*
 * What a subsystem keeps in a task's context from one record to the
 * next, or until it is applied: hung off the context by slot, each with
 * the function that frees it, so that freeing the context needs to know
 * none of them.  Only the subsystem named reads or sets a slot, as its
 * own type.
 */
enum ckpt_state_slot {
	CKPT_STATE_FILES_WIP,	/* checkpoint, files.c: FILEs being written */
	CKPT_STATE_CKPT_MM,	/* checkpoint, memory.c: the layout saved */
	CKPT_STATE_RSTR_MM,	/* restart, memory.c: the address space */
	CKPT_STATE_RSTR_SIGNAL,	/* restart, signal.c: handlers, pending */
	CKPT_STATE_RSTR_CRED,	/* restart, cred.c: prepared, committed
				 * when applied
				 */
	CKPT_STATE_RSTR_CGROUP,	/* restart, cgroup.c: a cgroup to join */
	CKPT_STATE_RSTR_FILES,	/* restart, files.c: files and fd table */
	CKPT_STATE_RSTR_LOCKS,	/* restart, locks.c: POSIX locks to take */
	CKPT_STATE_RSTR_FS,	/* restart, fs.c: cwd, root, umask */
	CKPT_STATE_MAX
};

struct ckpt_state {
	void *ptr;
	void (*free)(void *ptr);	/* NULL: nothing to free */
};

/* A task's section begins objects it shares with later tasks. */
#define CKPT_FIRST_MM		(1U << 0)
#define CKPT_FIRST_FILES	(1U << 1)
#define CKPT_FIRST_FS		(1U << 2)
#define CKPT_FIRST_SIGHAND	(1U << 3)
#define CKPT_FIRST_SIGNAL	(1U << 4)

/*
 * One checkpoint or restart operation, or one task of it.  The
 * operation's context owns the image stream, the objhash and the tree;
 * each task gets a context of its own (ckpt_ctx_alloc_task()) for what
 * is saved or restored per task, sharing the operation's objhash.  The
 * stream moves from context to context (ckpt_stream_move()): one task
 * reads or writes it at a time.
 */
/*
 * The page path's time, in ns, for CHECKPOINT_VERBOSE and RESTART_VERBOSE:
 * what a slow run spent where, without a profiler.
 */
struct ckpt_page_stats {
	u64 nr;		/* pages written or read */
	u64 find_ns;	/* finding (checkpoint) or faulting in (restart) */
	u64 io_ns;	/* copying them to or from the image */
	u64 sum_ns;	/* the stream's checksum over them, in line */
	u64 bg_ns;	/* the checksum, beside the operation (hash.c) */
};

struct ckpt_ctx {
	struct kref ref;
	enum ckpt_ctx_kind kind;
	u64 flags;
	struct ckpt_ctx *parent;	/* a task's: its operation's context */
	struct file *file;		/* the image */
	struct file *logfile;		/* may be NULL */
	/*
	 * While held (under mmap_lock), log lines wait here: writing to the
	 * log file, a tty say, may take locks that rank above mmap_lock.
	 */
	bool log_held;
	char *log_pending;

	/* the stream */
	void *prefix;			/* restart: its first bytes, which the
					 * caller read (ckpt_args.prefix)
					 */
	u32 prefix_len;
	u32 prefix_pos;			/* of those, bytes consumed */
	void *wbuf;			/* checkpoint: records not written yet */
	u32 wbuf_len;
	u64 pos;			/* bytes written or read so far */
	struct ckpt_hasher *hasher;	/* the stream's running xxh64 */
	u32 nr_records;
	u64 limit;			/* end of the enclosing record */
	u64 hdr_pos;			/* offset of the last record header */
	u32 hdr_type;			/* type of the last record header */
	struct ckpt_page_stats pstats;	/* where the time for pages went */
	DECLARE_BITMAP(seen, CKPT_HDR_MAX_TYPE);	/* restart: types read */

	struct ckpt_objhash *objhash;
	spinlock_t defer_lock;
	struct list_head deferqueue;

	/* checkpoint, the operation: the tree, in TREE order */
	struct ckpt_tnode *tree;
	u32 nr_tree;
	u32 tree_flags;			/* CKPT_TREE_* */

	/* a task's: the shared objects (ts.task's objrefs) it saves first */
	unsigned int first;		/* CKPT_FIRST_* */

	/* restart: the operation a task's context belongs to */
	struct ckpt_rstr_op *op;
	int index;			/* its TREE entry (checkpoint too) */

	/* checkpoint: the target and its freezing */
	struct task_struct *target;
	struct mm_struct *mm;		/* its mm when it was frozen */
	struct callback_head freeze_work;
	struct completion frozen;
	struct completion thaw;
	int freeze_err;
	unsigned long stopped_ncsw;	/* found stopped: its switch count */

	struct ckpt_task_state ts;
	struct ckpt_state state[CKPT_STATE_MAX];	/* ckpt_state() */
};

/* ctx.c */
struct ckpt_ctx *ckpt_ctx_alloc(enum ckpt_ctx_kind kind, u64 flags,
				struct file *file, struct file *logfile);
struct ckpt_ctx *ckpt_ctx_alloc_task(struct ckpt_ctx *parent,
				     struct task_struct *t);
void ckpt_ctx_get(struct ckpt_ctx *ctx);
void ckpt_ctx_put(struct ckpt_ctx *ctx);
__printf(2, 3) void ckpt_log(struct ckpt_ctx *ctx, const char *fmt, ...);
void ckpt_log_hold(struct ckpt_ctx *ctx);
void ckpt_log_release(struct ckpt_ctx *ctx);
void ckpt_state_set(struct ckpt_ctx *ctx, enum ckpt_state_slot slot,
		    void *ptr, void (*free)(void *ptr));
void ckpt_state_free(struct ckpt_ctx *ctx, enum ckpt_state_slot slot);
void *ckpt_state_take(struct ckpt_ctx *ctx, enum ckpt_state_slot slot);

/* The state in @slot of @ctx, NULL if none was set. */
static inline void *ckpt_state(const struct ckpt_ctx *ctx,
			       enum ckpt_state_slot slot)
{
	return ctx->state[slot].ptr;
}

/* Log one line and evaluate to @err. */
#define ckpt_err(ctx, err, fmt, ...)					\
	({ int __err = (err);						\
	   ckpt_log(ctx, fmt " (errno %d)", ##__VA_ARGS__, -__err);	\
	   __err; })

/* objhash.c: kernel object <-> objref */
enum ckpt_obj_type {
	CKPT_OBJ_MM = 1,
	CKPT_OBJ_FILE,
	CKPT_OBJ_SHMEM,		/* a mapped shmem object, by its struct file */
	CKPT_OBJ_FILES,		/* an fd table */
	CKPT_OBJ_FS,		/* cwd, root and umask */
	CKPT_OBJ_SIGHAND,	/* signal handlers */
	CKPT_OBJ_SIGNAL,	/* process-wide signal state */
	CKPT_OBJ_INODE,		/* checkpoint: an inode, e.g. a pipe's */
	CKPT_OBJ_PIPE,		/* restart: a pipe, by its holder file */
	CKPT_OBJ_SOCK,		/* checkpoint: a closed unix peer's sock */
	CKPT_OBJ_SOCKFILE,	/* restart: a socket's file */
	CKPT_OBJ_CLOSED,	/* restart: a file closed when restart ends */
	CKPT_OBJ_TTY,		/* checkpoint: a pty, by its master tty */
	CKPT_OBJ_PTY,		/* restart: a pty being restored (pty.c) */
	CKPT_OBJ_UNLINKED,	/* restart: an unlinked file's new inode,
				 * by a file of ours open on it
				 */
	CKPT_OBJ_MAX
};

/**
 * struct ckpt_obj_ops - one type of object in the objhash
 * @type: its CKPT_OBJ_*
 * @name: for messages
 * @grab: take the hash's reference on an object; NULL for a type kept
 *	for its identity only (the tasks using it are frozen, or it is
 *	only compared with what a restoring task has)
 * @drop: drop that reference
 *
 * objhash.c lists every type; one whose references only its owner
 * knows how to take is defined by its owner (pty.c).
 */
struct ckpt_obj_ops {
	enum ckpt_obj_type type;
	const char *name;
	void (*grab)(void *ptr);
	void (*drop)(void *ptr);
};

int ckpt_objhash_alloc(struct ckpt_ctx *ctx);
void ckpt_objhash_free(struct ckpt_ctx *ctx);
int ckpt_obj_lookup_add(struct ckpt_ctx *ctx, void *ptr,
			enum ckpt_obj_type type, bool *first);
void ckpt_obj_for_each(struct ckpt_ctx *ctx, enum ckpt_obj_type type,
		       void (*fn)(void *ptr, void *arg), void *arg);
int ckpt_obj_lookup(struct ckpt_ctx *ctx, void *ptr, enum ckpt_obj_type type);
int ckpt_obj_insert(struct ckpt_ctx *ctx, void *ptr, int objref,
		    enum ckpt_obj_type type);
void *ckpt_obj_fetch(struct ckpt_ctx *ctx, int objref,
		     enum ckpt_obj_type type);

/* deferqueue.c: work postponed to the end of the operation */
typedef int (*ckpt_deferqueue_func_t)(void *data);

int ckpt_deferqueue_add(struct ckpt_ctx *ctx, ckpt_deferqueue_func_t func,
			unsigned int flags, const void *data, size_t size);
int ckpt_deferqueue_run(struct ckpt_ctx *ctx);

/* stream.c: typed, length-prefixed records through ctx->file */
/* hash.c: the stream's checksum */
struct ckpt_hasher *ckpt_hasher_alloc(void);
void ckpt_hasher_free(struct ckpt_hasher *h);
void ckpt_hash(struct ckpt_hasher *h, const void *buf, size_t len);
void ckpt_hash_pages(struct ckpt_hasher *h, struct page **pages,
		     unsigned int nr);
u64 ckpt_hash_digest(struct ckpt_hasher *h, u64 *ns);

int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_pages(struct ckpt_ctx *ctx, struct page **pages,
		     unsigned int nr);
int ckpt_read_pages(struct ckpt_ctx *ctx, struct page **pages,
		    unsigned int nr);
int ckpt_write_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		   size_t size, size_t extra);
int ckpt_write_pad(struct ckpt_ctx *ctx, size_t len);
int ckpt_write_string(struct ckpt_ctx *ctx, const char *s, u32 len);
char *ckpt_path_name(const struct path *path, u32 *len);
char *ckpt_abs_path_name(const struct path *path, u32 *len);
char *ckpt_read_string(struct ckpt_ctx *ctx, u32 len);
char *ckpt_read_path(struct ckpt_ctx *ctx, u32 len);
int ckpt_write_header(struct ckpt_ctx *ctx);
int ckpt_write_tail(struct ckpt_ctx *ctx);
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int ckpt_read_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		  size_t size);
int ckpt_read_payload(struct ckpt_ctx *ctx, struct ckpt_hdr *h, size_t size);
int ckpt_read_fixed(struct ckpt_ctx *ctx, struct ckpt_hdr *h, size_t size);
int ckpt_read_pad(struct ckpt_ctx *ctx, size_t len);
int ckpt_read_header(struct ckpt_ctx *ctx);
int ckpt_read_tail(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
void ckpt_stream_move(struct ckpt_ctx *to, struct ckpt_ctx *from);
const char *ckpt_hdr_name(u32 type);

/* checkpoint.c, restart.c */
int ckpt_do_checkpoint(struct ckpt_ctx *ctx, pid_t pid);
int ckpt_do_restart(struct ckpt_ctx *ctx);
int rstr_prepare(struct ckpt_ctx *ctx, struct ckpt_rstr_op **opp);
int rstr_join(struct ckpt_rstr_op *op);
int rstr_wait(struct ckpt_rstr_op *op, struct ckpt_restart_status *st);
void rstr_abort(struct ckpt_rstr_op *op, int err);
int rstr_fs_sharers(struct ckpt_ctx *ctx, struct fs_struct *fs);
void rstr_op_get(struct ckpt_rstr_op *op);
void rstr_op_put(struct ckpt_rstr_op *op);

/* tree.c: which tasks, and how they relate */
struct ckpt_tnode {
	struct task_struct *task;	/* referenced */
	struct ckpt_ctx *ctx;		/* a live task's own context */
	struct ckpt_tree_task e;
};

int ckpt_tree_check(struct ckpt_ctx *ctx, u32 flags,
		    const struct ckpt_tree_task *e, u32 nr, int err);
int ckpt_tree_collect(struct ckpt_ctx *ctx, struct task_struct *root);
bool ckpt_tree_same(struct ckpt_ctx *ctx, struct task_struct *root);
int ckpt_tree_describe(struct ckpt_ctx *ctx, struct task_struct *root);
void ckpt_tree_free(struct ckpt_ctx *ctx);
int ckpt_tree_share(struct ckpt_ctx *ctx);
int ckpt_write_tree(struct ckpt_ctx *ctx);
int rstr_read_tree(struct ckpt_ctx *ctx, struct ckpt_tree_task **tasks,
		   u32 *nr, u32 *flags);

/* task.c */
void ckpt_save_task_state(struct ckpt_ctx *ctx, struct task_struct *t);
void ckpt_save_zombie_state(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_zombie_task_check(struct ckpt_ctx *ctx);
int rstr_zombie_status_check(struct ckpt_ctx *ctx, s32 status);
void rstr_zombie_exit(s32 status, unsigned int pf);
int ckpt_task(struct ckpt_ctx *ctx, struct task_struct *t, int mm_objref);
int rstr_task_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_task(struct ckpt_ctx *ctx);

/* cred.c, rlimits.c: identity */
int ckpt_cred(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_cred_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_cred(struct ckpt_ctx *ctx);

/* The credentials its CRED record prepared for the task, NULL before. */
static inline const struct cred *rstr_cred_of(const struct ckpt_ctx *ctx)
{
	return ckpt_state(ctx, CKPT_STATE_RSTR_CRED);
}

int ckpt_rlimits(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_rlimits_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_rlimits(struct ckpt_ctx *ctx);

/* memory.c */
int ckpt_mm_check(struct ckpt_ctx *ctx, struct mm_struct *mm);
int ckpt_mm(struct ckpt_ctx *ctx, struct mm_struct *mm, int objref);
int ckpt_mm_pages(struct ckpt_ctx *ctx);
int rstr_mm_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_mm(struct ckpt_ctx *ctx);
int rstr_pages(struct ckpt_ctx *ctx, struct ckpt_hdr *h);

/*
 * pty.c: the controlling terminal, saved with its pty (file.h) and set
 * again as each process of its session installs its fd table.
 */
int ckpt_pty_ctty(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_pty_ctty(struct ckpt_ctx *ctx);
extern const struct ckpt_obj_ops ckpt_tty_obj_ops;
extern const struct ckpt_obj_ops rstr_pty_obj_ops;

/* files.c */

/* An open descriptor of a frozen task's table, its file referenced. */
struct ckpt_fd_info {
	int fd;
	bool cloexec;
	struct file *file;
};

int ckpt_collect_fds(struct files_struct *files, struct ckpt_fd_info **pfi,
		     unsigned int *pnr);
void ckpt_put_fds(struct ckpt_fd_info *fi, unsigned int nr);
void rstr_file_nofollow(struct file *file, unsigned int f_flags);
int ckpt_file_obj(struct ckpt_ctx *ctx, struct file *file, int fd);
bool ckpt_file_writing(struct ckpt_ctx *ctx, struct file *file);
struct file *ckpt_tree_file(struct ckpt_ctx *ctx, int fd,
			    bool (*match)(struct file *, void *), void *arg);
int ckpt_files(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_file_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_files_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_files(struct ckpt_ctx *ctx);
bool rstr_files_holds(struct ckpt_ctx *ctx, struct file *file);

/*
 * locks.c: POSIX locks after their table's FILES record, OFD and flock
 * locks after their file's FILE record
 */
int ckpt_file_locks(struct ckpt_ctx *ctx, struct file *file, int fd,
		    int objref, bool inherit);
int ckpt_posix_locks(struct ckpt_ctx *ctx, struct files_struct *files);
int ckpt_lease_check(struct ckpt_ctx *ctx, struct file *file, int fd);
int rstr_lock_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_locks(struct ckpt_ctx *ctx);

/* fs.c */
int ckpt_fs(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_fs_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_fs_perm(struct ckpt_ctx *ctx);
int rstr_fs(struct ckpt_ctx *ctx);

/* signal.c, sigpending.c, timer.c: signals, timers, interrupted calls */
int ckpt_signal(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_sighand_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_signal_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_siginfo_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_posix_timer_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_restart_block_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_signal(struct ckpt_ctx *ctx);
int ckpt_cgroup(struct ckpt_ctx *ctx, struct task_struct *t, bool first);
int rstr_cgroup_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_cgroup(struct ckpt_ctx *ctx);
void rstr_stop(int signr, int code);

/* cpu_x86.c */
int ckpt_cpu_save(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_cpu(struct ckpt_ctx *ctx);
int rstr_cpu_read(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
int rstr_cpu(struct ckpt_ctx *ctx);
void rstr_cpu_finish(u64 ax, u64 orig_ax);
int ckpt_cpu_init(void);
unsigned int ckpt_xstate_size(void);
u64 ckpt_xstate_features(void);

#endif /* _CHECKPOINT_CHECKPOINT_H */
