/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libckpt: the checkpoint(2)/restart(2) wrappers around /dev/checkpoint,
 * and a streaming, validating reader of checkpoint images.
 */
#ifndef _LIBCKPT_H
#define _LIBCKPT_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/checkpoint.h>

#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Syscall semantics: 0 on success, -1 with errno set on failure.  A
 * successful restart() does not return: the caller becomes the restored
 * process.
 */
int checkpoint(pid_t pid, int fd, unsigned long flags, int logfd);
int restart(pid_t pid, int fd, unsigned long flags, int logfd);

/*
 * restart() from @fd, whose first @len bytes (at most CKPT_PREFIX_MAX)
 * the caller already read into @prefix.
 */
int restart_prefix(int fd, unsigned long flags, int logfd,
		   const void *prefix, size_t len);

/*
 * The HEADER and TREE records an image starts with, read and checked by
 * ckpt_read_tree() before anything is forked: @prefix holds their bytes
 * (for restart_prefix() or CKPT_IOC_RESTART_PREPARE), @header and @tree
 * point into it, @tasks are the TREE's entries.
 */
struct ckpt_tree {
	unsigned char *prefix;	/* malloc'd, at most CKPT_PREFIX_MAX bytes */
	size_t len;		/* bytes in @prefix */
	const struct ckpt_hdr_header *header;
	const struct ckpt_hdr_tree *tree;
	const struct ckpt_tree_task *tasks;	/* tree->nr_tasks entries */
	__u32 *by_pid;		/* their indexes, sorted by pid */
	char err[256];		/* what was wrong, one line */
};

/*
 * Read HEADER and TREE from @fd into @t and check both as the kernel
 * does.  Returns 0, or a negative errno with @t->err saying what:
 * -EINVAL for a bad or truncated image, -EIO... for a read error.
 * ckpt_tree_free() releases @t either way.
 */
int ckpt_read_tree(int fd, struct ckpt_tree *t);
void ckpt_tree_free(struct ckpt_tree *t);

/* The index in @t->tasks of the task @pid, or -1. */
long ckpt_tree_find(const struct ckpt_tree *t, __s32 pid);

/*
 * Check @h and its @tasks by the kernel's rules (parents before
 * children, threads after their process, sessions and groups, zombies'
 * status; pids in 1..@pid_max).  0, or -EINVAL with a line naming the
 * entry and pid in @err.
 */
int ckpt_check_tree(const struct ckpt_hdr_tree *h,
		    const struct ckpt_tree_task *tasks, long pid_max,
		    char *err, size_t errlen);

/* /proc/sys/kernel/pid_max, or the kernel's upper limit if unreadable. */
long ckpt_pid_max(void);

/*
 * Restarting a tree through @dev, an open /dev/checkpoint: prepare it
 * with the image @fd, RESTART_* @flags and the HEADER and TREE bytes
 * already read from it, wait for its end, or abort it with a positive
 * errno.  Syscall semantics: 0, or -1 with errno.
 */
int restart_prepare(int dev, int fd, unsigned long flags, int logfd,
		    const void *prefix, size_t len);
int restart_wait(int dev, struct ckpt_restart_status *status);
int restart_abort(int dev, int err);

/* Default dispositions and an empty mask, for a process about to restart. */
void ckpt_reset_signals(void);

/*
 * xxh64 (xxHash's 64-bit hash, seed 0) in pieces: init, update as bytes
 * come, digest whenever; the digest leaves the state as it was, so the
 * hash of a prefix costs no second pass.  ckpt_xxh64() is all three.
 */
struct ckpt_xxh64 {
	__u64 v[4];		/* one accumulator per lane of a stripe */
	__u64 total;		/* bytes hashed */
	unsigned char buf[32];	/* the partial stripe */
	__u32 buf_len;
};

void ckpt_xxh64_init(struct ckpt_xxh64 *s);
void ckpt_xxh64_update(struct ckpt_xxh64 *s, const void *buf, size_t len);
__u64 ckpt_xxh64_digest(const struct ckpt_xxh64 *s);
__u64 ckpt_xxh64(const void *buf, size_t len);

const char *ckpt_type_name(__u32 type);
const char *ckpt_vma_kind_name(__u32 kind);
const char *ckpt_file_kind_name(__u32 kind);
const char *ckpt_sock_type_name(__u32 type);	/* of a UNIX record */
const char *ckpt_unix_state_name(__u32 state);

#define CKPT_ALIGN_UP(x)	(((x) + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1))

/*
 * Writing an image into memory, record by record, as the kernel writes
 * one: ckpt_writer_begin() starts a record of @type - its fixed part, of
 * the size the record table gives, zeroed, its type set - and returns
 * it; ckpt_writer_put() adds data after it, padded.  A record ends where
 * the next one that does not nest in it begins (the record table says
 * what nests in what), or at ckpt_writer_end(); its length is then set
 * to what it holds.  The running xxh64 takes each top-level record as
 * it ends: a record is not to be changed after that.
 * ckpt_writer_tail() ends the stream with the TAIL the kernel writes.
 * Errors (no room, an unknown type, nesting too deep) stick: begin and
 * put return NULL, tail -1.
 */
#define CKPT_WRITER_DEPTH	4

struct ckpt_writer {
	unsigned char *buf;
	size_t cap;		/* bytes of room in @buf */
	size_t len;		/* bytes written */
	__u32 nr_records;
	int depth;		/* records begun, not ended */
	size_t open[CKPT_WRITER_DEPTH];	/* their offsets */
	struct ckpt_xxh64 sum;	/* of @buf up to @hashed */
	size_t hashed;
	int error;
};

void ckpt_writer_init(struct ckpt_writer *w, void *buf, size_t cap);
void *ckpt_writer_begin(struct ckpt_writer *w, __u32 type, size_t *off);
void *ckpt_writer_put(struct ckpt_writer *w, const void *data, size_t len);
void ckpt_writer_end(struct ckpt_writer *w);
/* The TAIL's offset in @buf, or -1. */
long ckpt_writer_tail(struct ckpt_writer *w);
/*
 * After an edit of the @len byte image @buf: the TAIL that ends it gets
 * the xxh64 of every byte before it again, as ckpt_writer_tail() would
 * have written it.  0, or -1 if no TAIL ends it.
 */
int ckpt_image_reseal(void *buf, size_t len);

/*
 * Every record of the image @buf of @len bytes, and those nested in them
 * (where the record table says they start: ckpt_rec_nested_at()), in
 * stream order: @fn(@arg, its offset, its header, the index of the
 * record it is nested in or -1) for each; a nonzero return stops the
 * walk with that value.  Records are not checked but for their lengths
 * (a record must fit in its parent, 8-byte aligned): -1 if one does not.
 * Returns 0, or what stopped it.
 */
typedef int (*ckpt_walk_fn)(void *arg, size_t off, const struct ckpt_hdr *h,
			    int parent);
int ckpt_image_walk(const unsigned char *buf, size_t len, ckpt_walk_fn fn,
		    void *arg);

/* One record as returned by the reader. */
struct ckpt_rec {
	__u64 off;		/* stream offset of the record */
	int depth;		/* 0 at top level, 1 nested (VMA, COW, FD, PIPE_BUF,
				 * EPOLL_ITEM, UNIX_SKB, INOTIFY_EVENT,
				 * INOTIFY_WATCH)
				 */
	union {
		struct ckpt_hdr h;
		struct ckpt_hdr_header header;
		struct ckpt_hdr_tree tree;
		struct ckpt_hdr_task task;
		struct ckpt_hdr_mm mm;
		struct ckpt_hdr_vma vma;
		struct ckpt_hdr_cow cow;
		struct ckpt_hdr_cpu cpu;
		struct ckpt_hdr_pages pages;
		struct ckpt_hdr_tail tail;
		struct ckpt_hdr_fs fs;
		struct ckpt_hdr_cgroup cgroup;
		struct ckpt_hdr_file file;
		struct ckpt_hdr_file_data file_data;
		struct ckpt_hdr_files files;
		struct ckpt_hdr_fd fd;
		struct ckpt_hdr_cred cred;
		struct ckpt_hdr_rlimits rlimits;
		struct ckpt_hdr_sighand sighand;
		struct ckpt_hdr_signal signal;
		struct ckpt_hdr_siginfo siginfo;
		struct ckpt_hdr_posix_timer posix_timer;
		struct ckpt_hdr_restart_block restart_block;
		struct ckpt_hdr_pipe pipe;
		struct ckpt_hdr_pipe_buf pipe_buf;
		struct ckpt_hdr_eventfd eventfd;
		struct ckpt_hdr_signalfd signalfd;
		struct ckpt_hdr_timerfd timerfd;
		struct ckpt_hdr_epoll epoll;
		struct ckpt_hdr_epoll_item epoll_item;
		struct ckpt_hdr_unix unix_sock;	/* "unix" is a GNU C macro */
		struct ckpt_hdr_unix_skb unix_skb;
		struct ckpt_hdr_inotify inotify;
		struct ckpt_hdr_inotify_event inotify_event;
		struct ckpt_hdr_inotify_watch inotify_watch;
		struct ckpt_hdr_pty pty;
		struct ckpt_hdr_unlinked unlinked;
		struct ckpt_hdr_lock lock;
	} u;
	char path[CKPT_PATH_MAX];	/* VMA of kind CKPT_VMA_FILE, FILE
					 * (for PIPE, INHERIT and the
					 * anonymous kinds - eventfd...
					 * epoll - only a description),
					 * FS (the cwd), UNIX (its addr_len
					 * bytes of address, not a string),
					 * INOTIFY_EVENT (its name, "" if
					 * none), INOTIFY_WATCH (its path)
					 */
	__u64 sum;			/* TAIL: xxh64 of what preceded it */
};

struct ckpt_range {
	__u64 start, end;
	__u32 kind;
	__u32 flags;		/* CKPT_VMA_* */
};

/*
 * Reads an image sequentially from @fd (a pipe is fine) and checks it as
 * the kernel's restart would.  ckpt_reader_next() returns 1 and fills
 * @rec for each record, 0 once the tail was checked and the stream ended,
 * -1 on the first problem: @err then says what, @err_off where.  After
 * the TREE record, @tasks holds its entries; @section is the index in it
 * of the task whose section is being read (-1 before the first).
 */
enum ckpt_obj_kind {
	CKPT_OBJ_KIND_MM,
	CKPT_OBJ_KIND_FILES,
	CKPT_OBJ_KIND_FS,
	CKPT_OBJ_KIND_SIGHAND,
	CKPT_OBJ_KIND_SIGNAL,
	CKPT_OBJ_NR_KINDS
};

/* A set of objrefs (open addressing, 0 is empty). */
struct ckpt_refset {
	__s32 *slot;
	size_t size, used;
};

struct ckpt_reader {
	int fd;
	__u64 pos;		/* bytes consumed */
	struct ckpt_xxh64 sum;	/* of the bytes consumed */
	__u32 nr_records;
	int state;		/* which record comes next */
	/* the tree, and the section being read */
	struct ckpt_tree_task *tasks;
	__u32 nr_tasks;
	long section;		/* index in @tasks, -1 before the first */
	long zombie;		/* the last zombie whose section was read */
	__s32 (*objrefs)[CKPT_OBJ_NR_KINDS];	/* per entry, from its TASK */
	struct ckpt_refset seen[CKPT_OBJ_NR_KINDS];
	int sec_new[CKPT_OBJ_NR_KINDS];	/* this section brings the object */
	int sec_mm;		/* this section had its MM record */
	__u64 mm_off;		/* the MM record, while inside it */
	__u64 mm_end;
	__u32 vmas_left;
	__u32 cow_left;		/* COW records still to come in the MM */
	__s32 cow_objref;	/* the mm the MM shares pages with, or 0 */
	size_t cow_vma;		/* the VMA the last COW record was in */
	__u64 cow_end;		/* where the last COW record ended */
	__s32 mm_objref;	/* from TASK */
	__u32 page_size;
	__u32 xstate_size;
	__u64 xstate_features;
	struct ckpt_range *vmas;
	size_t nr_vmas;
	/* files: the FILES record while inside it, FILE objrefs seen */
	__u64 files_off, files_end;
	__u32 fds_left;
	__s32 last_fd;
	int saw_fs, saw_files;
	struct ckpt_refset files;	/* every FILE objref so far */
	__s32 data_objref;	/* unlinked FILE whose data comes next */
	__u64 data_off, data_size;	/* where the next extent may start */
	__u64 data_left;		/* data bytes still to come */
	/* unlinked inodes: every one met; the one whose UNLINKED is next */
	struct ckpt_refset inodes;
	__s32 inode_objref;
	/*
	 * pipes: every pipe objref, those of FIFOs again in @fifos; the
	 * pipe whose PIPE record comes next (named by FILE @pipe_file) or
	 * is being read, its end and what its buffers still have to hold
	 */
	struct ckpt_refset pipes, fifos;
	__s32 pipe_objref, pipe_file;
	__u64 pipe_off, pipe_end;
	__u64 pipe_bytes, pipe_data;
	__u32 bufs_left, nr_bufs;
	/*
	 * eventfd, signalfd, timerfd, epoll: the record type that must come
	 * right after the FILE @anon_file; the EPOLL being read, its end and
	 * the ITEMs still to come
	 */
	__u32 anon_type;
	__s32 anon_file;
	__s32 epoll_objref;
	__u64 epoll_off, epoll_end;
	__u32 items_left;
	/*
	 * unix sockets: every socket objref, those a FILE may not name
	 * (PEER_CLOSED) again in @closed_socks; the socket whose UNIX record
	 * comes next or is being read - named by FILE @unix_file, or the
	 * peer of @unix_first - the peer whose record comes after it, its
	 * type, its end and what its messages still have to hold
	 */
	struct ckpt_refset socks, closed_socks;
	__s32 unix_objref, unix_file, unix_first, unix_peer;
	__u32 unix_type;
	/*
	 * after a listener: its connections still to come, the listener's
	 * type, and the connecting socket whose embryo comes next (or 0)
	 */
	__u32 unix_pending, unix_lsn_type;
	__s32 unix_client;
	struct ckpt_hdr_unix unix_hdr;	/* the UNIX whose skbs are read */
	__u32 unix_skb_type;	/* type of the UNIX whose skbs are read */
	__u64 unix_off, unix_end;
	__u64 unix_bytes, unix_data;
	__u32 skbs_left, nr_skbs;
	/*
	 * inotify: the INOTIFY being read, its end, the EVENTs and WATCHes
	 * still to come, the last wd, whether the overflow event was seen
	 */
	__u64 ino_off, ino_end;
	__u32 ino_events_left, ino_watches_left;
	__s32 ino_last_wd;
	int ino_overflow;
	/*
	 * ptys: each one met (its PTY's objref, index, flags and master
	 * flags, whether its master's FILE came); the pty whose PTY record
	 * comes next, and the FILE that named it first, checked against it
	 */
	struct ckpt_pty_seen {
		__s32 objref;
		__u32 index, flags, master_flags;
		int master_taken;
	} *ptys;
	size_t nr_ptys;
	struct ckpt_hdr_file pty_first;
	/* signals: records seen, standard signals queued, CPU in a call */
	int saw_sighand, saw_signal, saw_restart_block;
	int saw_cred, saw_rlimits, saw_cgroup;
	__u64 std_queued[2];	/* bit N-1: signal N, per enum ckpt_sigqueue */
	__u32 nr_siginfo;
	__u32 nr_timers;	/* POSIX_TIMER records */
	int in_restart_block;	/* CPU rax is -ERESTART_RESTARTBLOCK */
	unsigned char *buf;	/* page data bounce buffer */
	size_t buf_size;
	char err[256];
	__u64 err_off;
};

int ckpt_reader_init(struct ckpt_reader *r, int fd);
void ckpt_reader_fini(struct ckpt_reader *r);
int ckpt_reader_next(struct ckpt_reader *r, struct ckpt_rec *rec);

#endif /* _LIBCKPT_H */
