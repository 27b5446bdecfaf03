// SPDX-License-Identifier: GPL-2.0
/*
 * The image format, described once (see format.h): built into the module
 * and, through tools/lib/format.c, into libckpt.
 */
#include "format.h"

/* sizeof(sun_path), which no header both sides have defines */
#define CKPT_FMT_UNIX_PATH_MAX	108

/* MAX_LFS_FILESIZE of a 64-bit kernel: the largest file offset */
#define CKPT_FMT_FILE_SIZE_MAX	0x7fffffffffffffffULL
#define CKPT_FMT_ALIGN(x)	(((x) + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1))

/* the entry of type @t, its fixed part struct @s */
#define REC(t, s, p, f, c)						\
	[(t) % CKPT_HDR_AREA] = {					\
		.name = #t + sizeof("CKPT_HDR_") - 1,			\
		.size = sizeof(struct s), .parent = (p),		\
		.fixed = (f), .count = (c),				\
	}

/*
 * One table per area of enum ckpt_hdr_type, indexed by the type's number
 * within its area.  @fixed: the kernel refuses any other length as soon
 * as it reads the header.  @count: in a task's section, as the kernel's
 * restart takes it (a record of an object the task shares with an
 * earlier task is left out, and then not required).
 */
static const struct ckpt_rec_desc ckpt_recs_stream[] = {
	REC(CKPT_HDR_HEADER, ckpt_hdr_header, 0, 1, CKPT_REC_ONCE),
	REC(CKPT_HDR_TREE, ckpt_hdr_tree, 0, 0, CKPT_REC_ONCE),
	REC(CKPT_HDR_TAIL, ckpt_hdr_tail, 0, 1, CKPT_REC_ONCE),
};

static const struct ckpt_rec_desc ckpt_recs_task[] = {
	REC(CKPT_HDR_TASK, ckpt_hdr_task, 0, 1, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_CPU, ckpt_hdr_cpu, 0, 0, CKPT_REC_REQUIRED),
};

static const struct ckpt_rec_desc ckpt_recs_identity[] = {
	REC(CKPT_HDR_CRED, ckpt_hdr_cred, 0, 0, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_RLIMITS, ckpt_hdr_rlimits, 0, 1, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_CGROUP, ckpt_hdr_cgroup, 0, 0, CKPT_REC_ONCE),
};

static const struct ckpt_rec_desc ckpt_recs_memory[] = {
	REC(CKPT_HDR_MM, ckpt_hdr_mm, 0, 0, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_VMA, ckpt_hdr_vma, CKPT_HDR_MM, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_COW, ckpt_hdr_cow, CKPT_HDR_MM, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_PAGES, ckpt_hdr_pages, 0, 0, CKPT_REC_ANY),
};

static const struct ckpt_rec_desc ckpt_recs_files[] = {
	REC(CKPT_HDR_FS, ckpt_hdr_fs, 0, 0, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_FILES, ckpt_hdr_files, 0, 0, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_FD, ckpt_hdr_fd, CKPT_HDR_FILES, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_FILE, ckpt_hdr_file, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_FILE_DATA, ckpt_hdr_file_data, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_UNLINKED, ckpt_hdr_unlinked, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_LOCK, ckpt_hdr_lock, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_PIPE, ckpt_hdr_pipe, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_PIPE_BUF, ckpt_hdr_pipe_buf, CKPT_HDR_PIPE, 0,
	    CKPT_REC_ANY),
	REC(CKPT_HDR_EVENTFD, ckpt_hdr_eventfd, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_SIGNALFD, ckpt_hdr_signalfd, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_TIMERFD, ckpt_hdr_timerfd, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_EPOLL, ckpt_hdr_epoll, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_EPOLL_ITEM, ckpt_hdr_epoll_item, CKPT_HDR_EPOLL, 0,
	    CKPT_REC_ANY),
	REC(CKPT_HDR_INOTIFY, ckpt_hdr_inotify, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_INOTIFY_EVENT, ckpt_hdr_inotify_event, CKPT_HDR_INOTIFY,
	    0, CKPT_REC_ANY),
	REC(CKPT_HDR_INOTIFY_WATCH, ckpt_hdr_inotify_watch, CKPT_HDR_INOTIFY,
	    0, CKPT_REC_ANY),
	REC(CKPT_HDR_PTY, ckpt_hdr_pty, 0, 0, CKPT_REC_ANY),
};

static const struct ckpt_rec_desc ckpt_recs_signals[] = {
	REC(CKPT_HDR_SIGHAND, ckpt_hdr_sighand, 0, 1, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_SIGNAL, ckpt_hdr_signal, 0, 1, CKPT_REC_REQUIRED),
	REC(CKPT_HDR_SIGINFO, ckpt_hdr_siginfo, 0, 1, CKPT_REC_ANY),
	REC(CKPT_HDR_POSIX_TIMER, ckpt_hdr_posix_timer, 0, 1, CKPT_REC_ANY),
	REC(CKPT_HDR_RESTART_BLOCK, ckpt_hdr_restart_block, 0, 1,
	    CKPT_REC_ONCE),
};

static const struct ckpt_rec_desc ckpt_recs_sockets[] = {
	REC(CKPT_HDR_UNIX, ckpt_hdr_unix, 0, 0, CKPT_REC_ANY),
	REC(CKPT_HDR_UNIX_SKB, ckpt_hdr_unix_skb, CKPT_HDR_UNIX, 0,
	    CKPT_REC_ANY),
};

#define AREA(a)	{ a, sizeof(a) / sizeof((a)[0]) }

static const struct {
	const struct ckpt_rec_desc *recs;
	__u32 nr;
} ckpt_rec_areas[CKPT_HDR_MAX_TYPE / CKPT_HDR_AREA] = {
	AREA(ckpt_recs_stream), AREA(ckpt_recs_task),
	AREA(ckpt_recs_identity), AREA(ckpt_recs_memory),
	AREA(ckpt_recs_files), AREA(ckpt_recs_signals),
	AREA(ckpt_recs_sockets),
};

const struct ckpt_rec_desc *ckpt_rec_desc(__u32 type)
{
	__u32 area = type / CKPT_HDR_AREA, i = type % CKPT_HDR_AREA;

	if (type >= CKPT_HDR_MAX_TYPE || i >= ckpt_rec_areas[area].nr ||
	    !ckpt_rec_areas[area].recs[i].name)
		return NULL;
	return &ckpt_rec_areas[area].recs[i];
}

const char *ckpt_rec_name(__u32 type)
{
	const struct ckpt_rec_desc *d = ckpt_rec_desc(type);

	return d ? d->name : "unknown";
}

/* the largest unix socket: the most skbs of the most bytes, an address */
#define CKPT_UNIX_REC_MAX	(sizeof(struct ckpt_hdr_unix) +		\
				 CKPT_UNIX_BYTES_MAX +			\
				 (__u64)CKPT_UNIX_SKBS_MAX *		\
				 (sizeof(struct ckpt_hdr_unix_skb) +	\
				  2 * CKPT_ALIGN) +			\
				 (__u64)CKPT_UNIX_FDS_MAX * sizeof(__s32) + \
				 CKPT_FMT_ALIGN(CKPT_FMT_UNIX_PATH_MAX) +	\
				 sizeof(struct ckpt_unix_attrs))
#define CKPT_INOTIFY_REC_MAX	(sizeof(struct ckpt_hdr_inotify) +	\
				 (__u64)CKPT_INOTIFY_EVENTS_MAX *	\
				 (sizeof(struct ckpt_hdr_inotify_event) + \
				  CKPT_INOTIFY_NAME_MAX) +		\
				 (__u64)CKPT_INOTIFY_WATCHES_MAX *	\
				 (sizeof(struct ckpt_hdr_inotify_watch) + \
				  CKPT_PATH_MAX))

__u64 ckpt_rec_max_len(__u32 type, __u32 page_size)
{
	switch (type) {
	case CKPT_HDR_PAGES:
		return sizeof(struct ckpt_hdr_pages) +
		       (__u64)CKPT_PAGES_MAX * page_size;
	case CKPT_HDR_FILE_DATA:
		return sizeof(struct ckpt_hdr_file_data) + CKPT_FILE_DATA_MAX;
	case CKPT_HDR_PIPE:
		return sizeof(struct ckpt_hdr_pipe) +
		       (__u64)(CKPT_PIPE_SIZE_MAX / page_size) *
		       (sizeof(struct ckpt_hdr_pipe_buf) + page_size);
	case CKPT_HDR_PIPE_BUF:
		return sizeof(struct ckpt_hdr_pipe_buf) + page_size;
	case CKPT_HDR_EPOLL:
		return sizeof(struct ckpt_hdr_epoll) +
		       (__u64)CKPT_EPOLL_ITEMS_MAX *
		       sizeof(struct ckpt_hdr_epoll_item);
	case CKPT_HDR_UNIX:
		return CKPT_UNIX_REC_MAX;
	case CKPT_HDR_UNIX_SKB:
		return sizeof(struct ckpt_hdr_unix_skb) + CKPT_UNIX_SKB_MAX +
		       CKPT_FMT_ALIGN(CKPT_UNIX_SKB_FDS_MAX * sizeof(__s32));
	case CKPT_HDR_INOTIFY:
		return CKPT_INOTIFY_REC_MAX;
	case CKPT_HDR_INOTIFY_WATCH:
		return sizeof(struct ckpt_hdr_inotify_watch) + CKPT_PATH_MAX;
	case CKPT_HDR_INOTIFY_EVENT:
		return sizeof(struct ckpt_hdr_inotify_event) +
		       CKPT_INOTIFY_NAME_MAX;
	case CKPT_HDR_TREE:
		return sizeof(struct ckpt_hdr_tree) +
		       (__u64)CKPT_TREE_MAX_TASKS *
		       sizeof(struct ckpt_tree_task);
	/* their records nested: each is checked as it is read */
	case CKPT_HDR_MM:
		return sizeof(struct ckpt_hdr_mm) + CKPT_PATH_MAX +
		       (__u64)CKPT_MM_VMAS_MAX *
		       (sizeof(struct ckpt_hdr_vma) + CKPT_PATH_MAX);
	case CKPT_HDR_FILES:
		return sizeof(struct ckpt_hdr_files) +
		       (__u64)CKPT_FILES_FDS_MAX * sizeof(struct ckpt_hdr_fd);
	}
	return CKPT_HDR_MAX;
}

/* A unix socket's address, then a path's attributes, then its skbs. */
static __u32 ckpt_unix_nested_at(const struct ckpt_hdr_unix *u)
{
	__u32 at = sizeof(*u) + CKPT_FMT_ALIGN(u->addr_len);

	if (u->flags & CKPT_UNIX_BOUND && u->addr_len &&
	    u->h.len > sizeof(*u) && ((const unsigned char *)(u + 1))[0])
		at += sizeof(struct ckpt_unix_attrs);
	return at;
}

__u32 ckpt_rec_nested_at(const struct ckpt_hdr *h)
{
	switch (h->type) {
	case CKPT_HDR_MM:
		return sizeof(struct ckpt_hdr_mm) +
		       CKPT_FMT_ALIGN(((const struct ckpt_hdr_mm *)h)->exe_path_len);
	case CKPT_HDR_FILES:
		return sizeof(struct ckpt_hdr_files);
	case CKPT_HDR_PIPE:
		return sizeof(struct ckpt_hdr_pipe);
	case CKPT_HDR_EPOLL:
		return sizeof(struct ckpt_hdr_epoll);
	case CKPT_HDR_INOTIFY:
		return sizeof(struct ckpt_hdr_inotify);
	case CKPT_HDR_UNIX:
		return ckpt_unix_nested_at((const struct ckpt_hdr_unix *)h);
	}
	return 0;
}

int ckpt_header_rules(const struct ckpt_hdr_header *h, __u32 page_size,
		      char *err, size_t errlen)
{
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		snprintf(err, errlen, "bad magic (not a checkpoint image)");
	else if (h->version != CKPT_VERSION)
		snprintf(err, errlen, "unsupported image version %u (this is %u)",
			 h->version, CKPT_VERSION);
	else if (h->arch != CKPT_ARCH_X86_64)
		snprintf(err, errlen, "unsupported architecture %u", h->arch);
	else if (h->page_size != page_size)
		snprintf(err, errlen, "bad page size %u (this system's is %u)",
			 h->page_size, page_size);
	else if (!h->xstate_size || h->xstate_size > CKPT_HDR_MAX / 2)
		snprintf(err, errlen, "bad xstate size %u", h->xstate_size);
	else
		return 0;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* a VMA record */

const char *ckpt_vma_kind_name(__u32 kind)
{
	switch (kind) {
	case CKPT_VMA_ANON:
		return "anon";
	case CKPT_VMA_FILE:
		return "file";
	case CKPT_VMA_VDSO:
		return "vdso";
	case CKPT_VMA_VVAR:
		return "vvar";
	case CKPT_VMA_SHMEM:
		return "shmem";
	}
	return "unknown";
}

static int ckpt_vma_has_file(const struct ckpt_hdr_vma *v)
{
	return v->kind == CKPT_VMA_FILE || v->kind == CKPT_VMA_SHMEM;
}

/* What madvise() and mlock2() would refuse, or no mapping can have. */
static int ckpt_vma_flags_bad(const struct ckpt_hdr_vma *v)
{
	__u32 f = v->flags;

	if ((f & CKPT_VMA_LOCKONFAULT) && !(f & CKPT_VMA_LOCKED))
		return 1;
	if ((f & CKPT_VMA_HUGEPAGE) && (f & CKPT_VMA_NOHUGEPAGE))
		return 1;
	if ((f & CKPT_VMA_MAYWRITE) && !(f & CKPT_VMA_SHARED))
		return 1;
	if ((f & CKPT_VMA_SHARED) && !ckpt_vma_has_file(v))
		return 1;
	if (v->kind == CKPT_VMA_SHMEM &&
	    (f & (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE)) !=
	    (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE))
		return 1;
	if ((f & (CKPT_VMA_WIPEONFORK | CKPT_VMA_COW)) &&
	    v->kind != CKPT_VMA_ANON)
		return 1;
	/* a shared mapping is writable only if its file is open for writing */
	return (f & CKPT_VMA_SHARED) && (f & CKPT_VMA_WRITE) &&
	       !(f & CKPT_VMA_MAYWRITE);
}

/* A file mapping's offset and its file's size, in the file size limit. */
static int ckpt_vma_offset_bad(const struct ckpt_hdr_vma *v, __u32 page_size)
{
	__u64 max_pgoff = CKPT_FMT_FILE_SIZE_MAX / page_size;

	return v->pgoff > max_pgoff ||
	       v->pgoff + (v->end - v->start) / page_size > max_pgoff ||
	       v->file_size > CKPT_FMT_FILE_SIZE_MAX;
}

int ckpt_vma_rules(const struct ckpt_hdr_vma *v, __u64 prev_end,
		   __u32 page_size, __u64 task_size, char *err, size_t errlen)
{
	__u64 mask = page_size - 1;

	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_SHMEM)
		snprintf(err, errlen, "unknown VMA kind %u", v->kind);
	else if (v->flags & ~CKPT_VMA_FLAGS_ALL)
		snprintf(err, errlen, "unknown VMA flags %#x", v->flags);
	else if (v->kind == CKPT_VMA_SHMEM ? v->objref <= 0 : v->objref != 0)
		snprintf(err, errlen, "bad VMA objref %d", v->objref);
	else if (v->start >= v->end || (v->start & mask) || (v->end & mask) ||
		 v->end > task_size)
		snprintf(err, errlen, "bad VMA range %#llx-%#llx",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end);
	else if (v->start < prev_end)
		snprintf(err, errlen, "VMA %#llx-%#llx out of order",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end);
	else if ((v->flags & CKPT_VMA_GROWSDOWN) && v->kind != CKPT_VMA_ANON)
		snprintf(err, errlen, "growsdown %s VMA",
			 ckpt_vma_kind_name(v->kind));
	else if (ckpt_vma_flags_bad(v))
		snprintf(err, errlen, "VMA flags %#x on a %s VMA", v->flags,
			 ckpt_vma_kind_name(v->kind));
	else if (ckpt_vma_has_file(v) && ckpt_vma_offset_bad(v, page_size))
		snprintf(err, errlen,
			 "VMA file offset %#llx out of range (file size %llu)",
			 (unsigned long long)v->pgoff,
			 (unsigned long long)v->file_size);
	else if (!ckpt_vma_has_file(v) && v->path_len)
		snprintf(err, errlen, "path in a %s VMA",
			 ckpt_vma_kind_name(v->kind));
	else
		return 0;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* the TREE rules */

/*
 * Restart creates the tasks from this list before anything else is read
 * (rstr, in user space: clone3() with set_tid), so the list alone must
 * say how; checkpoint runs the same rules on what it found, refusing a
 * tree it could not bring back.
 *
 *  1. 1..CKPT_TREE_MAX_TASKS tasks, fewer than pid_max; known flags.
 *  2. Pids and tgids in 1..pid_max - 1, each pid once; the root alone
 *     has no parent.
 *  3. The root is a live process (pid 1 for CKPT_TREE_PIDNS), sharing
 *     nothing with a parent.
 *  4. A thread follows its process (or its process's other threads),
 *     with its parent, group and session, no exit signal, not a zombie.
 *  5. A process's parent is a live process before it.
 *  6. A session is the process's own or its parent's, and its leader is
 *     in the tree; a session leader leads its group.
 *  7. A group is the process's own, its parent's when it was created,
 *     or one with a live leader in the tree and session it joins.
 *  8. A zombie's wait status is an exit's or a signal's; a zombie's name
 *     ends within its field, the others' are empty.
 */

struct ckpt_tree_ctx {
	const struct ckpt_tree_task *t;
	__u32 nr;
	__u32 mask;		/* of @slot */
	__u32 *slot;		/* pid -> index + 1, open addressing */
	__s32 *fork_pgid;	/* per process: its group when created */
	char *err;
	size_t errlen;
};

static __u32 ckpt_tree_map_size(__u32 nr)
{
	__u32 size = 16;

	while (size < 2 * nr)
		size *= 2;
	return size;
}

__u32 ckpt_tree_scratch_len(__u32 nr)
{
	return ckpt_tree_map_size(nr) + nr;
}

static __u32 *ckpt_tree_slot(const struct ckpt_tree_ctx *c, __s32 pid)
{
	__u32 i = ((__u32)pid * 2654435761U) & c->mask;

	while (c->slot[i] && c->t[c->slot[i] - 1].pid != pid)
		i = (i + 1) & c->mask;
	return &c->slot[i];
}

/* The entry whose pid is @pid, or -1. */
static long ckpt_tree_find(const struct ckpt_tree_ctx *c, __s32 pid)
{
	return (long)*ckpt_tree_slot(c, pid) - 1;
}

static int ckpt_tree_is_process(const struct ckpt_tree_task *t)
{
	return t->pid == t->tgid;
}

static __printf(3, 4) int ckpt_tree_err(const struct ckpt_tree_ctx *c, long i,
			 const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "TREE entry %ld (pid %d): ", i,
			 c->t[i].pid);
	va_list ap;

	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Rule 8: a zombie's name ends within its field; the others have none. */
static int ckpt_tree_comm_ok(const struct ckpt_tree_task *t)
{
	size_t i;

	if (t->flags & CKPT_TREE_ZOMBIE)
		return memchr(t->comm, '\0', sizeof(t->comm)) != NULL;
	for (i = 0; i < sizeof(t->comm); i++)
		if (t->comm[i])
			return 0;
	return 1;
}

/* Rule 8: a wait status, of an exit or of a signal. */
static int ckpt_tree_status_ok(__s32 code)
{
	int sig = code & 0x7f;

	if (!(code & ~0xff00))
		return 1;
	return !(code & ~0xff) && sig >= 1 && sig <= CKPT_NSIG;
}

int ckpt_sigaction_rules(int sig, const struct ckpt_sigaction *a,
			 __u64 task_size, __u64 sa_flags, char *err,
			 size_t errlen)
{
	/* x86-64's SIGKILL (9) and SIGSTOP (19): sig_kernel_only() */
	const __u64 kernel_only = (1ULL << 8) | (1ULL << 18);
	int only = sig >= 1 && sig <= 64 && (kernel_only >> (sig - 1)) & 1;

	if (a->mask & kernel_only)
		snprintf(err, errlen, "signal %d's mask %#llx holds SIGKILL or SIGSTOP",
			 sig, (unsigned long long)a->mask);
	else if (a->handler >= task_size || a->restorer >= task_size)
		snprintf(err, errlen, "signal %d's handler or restorer outside user space (%#llx, %#llx)",
			 sig, (unsigned long long)a->handler,
			 (unsigned long long)a->restorer);
	else if (a->flags & ~sa_flags)
		snprintf(err, errlen, "signal %d has unknown flags %#llx", sig,
			 (unsigned long long)a->flags);
	else if (only && (a->handler || a->flags || a->restorer || a->mask))
		snprintf(err, errlen, "signal %d cannot have an action", sig);
	else
		return 0;
	return -1;
}

int ckpt_cgroup_path_ok(const char *path)
{
	const char *p;

	if (path[0] != '/')
		return 0;
	if (!path[1])
		return 1;
	for (p = path; *p; p++) {
		if (*p != '/')
			continue;
		if (p[1] == '/' || !p[1] ||
		    (p[1] == '.' && (p[2] == '/' || !p[2] ||
				     (p[2] == '.' && (p[3] == '/' || !p[3])))))
			return 0;
	}
	return 1;
}

/*
 * The wait status a restored zombie may end with: an exit code, or a
 * signal whose default action ends a process (a core dump only of one
 * that dumps core), as a task could end itself.  The masks are x86-64's
 * sig_kernel_ignore(), sig_kernel_stop() and sig_kernel_coredump().
 */
int ckpt_zombie_status_ok(__s32 status)
{
	const __u64 ignore_or_stop = (1ULL << 17) | (1ULL << 16) |
		(1ULL << 27) | (1ULL << 22) |		/* CHLD CONT WINCH URG */
		(0xfULL << 18);				/* STOP TSTP TTIN TTOU */
	const __u64 coredump = (0x3fULL << 2) | (1ULL << 10) |
		(3ULL << 23) | (1ULL << 30);	/* QUIT..FPE SEGV XCPU XFSZ SYS */
	int sig = status & 0x7f;

	if (!sig)
		return 1;
	if (sig <= 64 && (ignore_or_stop >> (sig - 1)) & 1)
		return 0;
	return !(status & 0x80) ||
	       (sig <= 64 && (coredump >> (sig - 1)) & 1);
}

/* Rule 4: @i is a thread of the process at @proc. */
static int ckpt_tree_thread(const struct ckpt_tree_ctx *c, long i, long proc)
{
	const struct ckpt_tree_task *t = &c->t[i], *p;

	if (proc < 0 || t->tgid != c->t[proc].pid)
		return ckpt_tree_err(c, i,
				     "thread of tgid %d does not follow its process",
				     t->tgid);
	p = &c->t[proc];
	if (t->ppid != p->ppid || t->pgid != p->pgid || t->sid != p->sid)
		return ckpt_tree_err(c, i,
				     "thread's ppid %d pgid %d sid %d differ from its process's %d %d %d",
				     t->ppid, t->pgid, t->sid, p->ppid,
				     p->pgid, p->sid);
	if (t->exit_signal || t->flags & (CKPT_TREE_ZOMBIE |
					  CKPT_TREE_SUBREAPER))
		return ckpt_tree_err(c, i,
				     "thread with exit signal %d or flags %#x",
				     t->exit_signal, t->flags);
	if (!ckpt_tree_comm_ok(t))
		return ckpt_tree_err(c, i, "bad name");
	return 0;
}

/* Rule 6: the session. */
static int ckpt_tree_sid(const struct ckpt_tree_ctx *c, long i,
			 __s32 parent_sid)
{
	const struct ckpt_tree_task *t = &c->t[i];
	long l = t->sid ? ckpt_tree_find(c, t->sid) : -1;

	if (t->sid && (l < 0 || !ckpt_tree_is_process(&c->t[l]) ||
		       c->t[l].sid != t->sid))
		return ckpt_tree_err(c, i,
				     "session %d has no leader in the tree",
				     t->sid);
	if (t->sid != t->pid && t->sid != parent_sid)
		return ckpt_tree_err(c, i,
				     "session %d is neither its own nor its parent's (%d)",
				     t->sid, parent_sid);
	if (t->sid == t->pid && t->pgid != t->pid)
		return ckpt_tree_err(c, i,
				     "session leader in process group %d",
				     t->pgid);
	return 0;
}

/*
 * Rule 7: the process group.  A process is created in its parent's
 * group as it was then (@parent_pgid: the group the parent was created
 * in or made), or makes its own; it may join another one during the
 * restart, which a zombie cannot.
 */
static int ckpt_tree_pgid(const struct ckpt_tree_ctx *c, long i,
			  __s32 parent_pgid)
{
	const struct ckpt_tree_task *t = &c->t[i], *l;
	long li;

	c->fork_pgid[i] = t->pgid == t->pid ? t->pid : parent_pgid;
	if (t->pgid == c->fork_pgid[i])
		return 0;
	if (t->flags & CKPT_TREE_ZOMBIE)
		return ckpt_tree_err(c, i,
				     "zombie in process group %d, neither its own nor its parent's (%d)",
				     t->pgid, parent_pgid);
	li = t->pgid ? ckpt_tree_find(c, t->pgid) : -1;
	l = li < 0 ? NULL : &c->t[li];
	if (!l || !ckpt_tree_is_process(l) || l->flags & CKPT_TREE_ZOMBIE ||
	    l->pgid != l->pid || l->sid != t->sid)
		return ckpt_tree_err(c, i,
				     "process group %d has no live leader in the tree and session %d",
				     t->pgid, t->sid);
	return 0;
}

/* Rule 3 for the root (@i 0), 5 for the others. */
static int ckpt_tree_parent(const struct ckpt_tree_ctx *c, long i,
			    __u32 flags, long *pi)
{
	const struct ckpt_tree_task *t = &c->t[i], *p;

	*pi = -1;
	if (!i && (t->ppid || t->flags & (CKPT_TREE_ZOMBIE |
					   CKPT_TREE_SHARE_FILES |
					   CKPT_TREE_SHARE_FS)))
		return ckpt_tree_err(c, i, "root with parent %d or flags %#x",
				     t->ppid, t->flags);
	if (!i && flags & CKPT_TREE_PIDNS && t->pid != 1)
		return ckpt_tree_err(c, i,
				     "root of a pid namespace is not pid 1");
	if (!i)
		return 0;
	*pi = ckpt_tree_find(c, t->ppid);
	if (*pi < 0 || *pi >= i)
		return ckpt_tree_err(c, i, "parent %d %s", t->ppid,
				     *pi < 0 ? "is not in the tree" :
					       "comes after its child");
	p = &c->t[*pi];
	if (!ckpt_tree_is_process(p) || p->flags & CKPT_TREE_ZOMBIE)
		return ckpt_tree_err(c, i, "parent %d is a %s", t->ppid,
				     ckpt_tree_is_process(p) ? "zombie" :
							       "thread");
	return 0;
}

/* Rules 3, 5, 6, 7 and 8 for a process. */
static int ckpt_tree_process(const struct ckpt_tree_ctx *c, long i,
			     __u32 flags)
{
	const struct ckpt_tree_task *t = &c->t[i];
	long pi;

	if (t->exit_signal < 0 || t->exit_signal > CKPT_NSIG)
		return ckpt_tree_err(c, i, "bad exit signal %d",
				     t->exit_signal);
	if (ckpt_tree_parent(c, i, flags, &pi) ||
	    ckpt_tree_sid(c, i, pi < 0 ? 0 : c->t[pi].sid) ||
	    ckpt_tree_pgid(c, i, pi < 0 ? 0 : c->fork_pgid[pi]))
		return -1;
	if (t->flags & CKPT_TREE_ZOMBIE && !ckpt_tree_status_ok(t->exit_code))
		return ckpt_tree_err(c, i, "zombie with bad exit status %#x",
				     t->exit_code);
	if (!ckpt_tree_comm_ok(t))
		return ckpt_tree_err(c, i, "bad name");
	return 0;
}

/* Rule 2: flags, pids, one root; every pid into the map, once. */
static int ckpt_tree_entries(struct ckpt_tree_ctx *c, long pid_max)
{
	const struct ckpt_tree_task *t;
	__u32 i, *slot;

	for (i = 0; i < c->nr; i++) {
		t = &c->t[i];
		if (t->flags & ~CKPT_TREE_TASK_FLAGS_ALL)
			return ckpt_tree_err(c, i, "unknown flags %#x",
					     t->flags);
		if (t->pid < 1 || t->pid >= pid_max || t->tgid < 1)
			return ckpt_tree_err(c, i,
					     "tgid %d: pid or tgid outside 1..%ld",
					     t->tgid, pid_max - 1);
		/* a thread has its process's parent: the root's none */
		if (i && !t->ppid && ckpt_tree_is_process(t))
			return ckpt_tree_err(c, i, "a second root (parent 0)");
	}
	for (i = 0; i < c->nr; i++) {
		slot = ckpt_tree_slot(c, c->t[i].pid);
		if (*slot)
			return ckpt_tree_err(c, i, "pid twice in the tree");
		*slot = i + 1;
	}
	return 0;
}

int ckpt_tree_count_rule(__u32 nr, long pid_max, char *err, size_t errlen)
{
	if (nr && nr <= CKPT_TREE_MAX_TASKS && nr < pid_max)
		return 0;
	snprintf(err, errlen, "TREE of %u tasks (1..%u, and below pid_max %ld)",
		 nr, CKPT_TREE_MAX_TASKS, pid_max);
	return -1;
}

int ckpt_tree_rules(__u32 flags, const struct ckpt_tree_task *t, __u32 nr,
		    long pid_max, __u32 *scratch, char *err, size_t errlen)
{
	struct ckpt_tree_ctx c = {
		.t = t, .nr = nr, .err = err, .errlen = errlen,
		.mask = ckpt_tree_map_size(nr) - 1, .slot = scratch,
		.fork_pgid = (__s32 *)scratch + ckpt_tree_map_size(nr),
	};
	long i, proc = -1;

	if (ckpt_tree_count_rule(nr, pid_max, err, errlen))
		return -1;
	if (flags & ~CKPT_TREE_FLAGS_ALL) {
		snprintf(err, errlen, "unknown TREE flags %#x", flags);
		return -1;
	}
	memset(scratch, 0, ckpt_tree_scratch_len(nr) * sizeof(*scratch));
	if (ckpt_tree_entries(&c, pid_max))
		return -1;
	if (!ckpt_tree_is_process(&t[0]))
		return ckpt_tree_err(&c, 0, "root is a thread of %d",
				     t[0].tgid);
	for (i = 0; i < (long)nr; i++) {
		if (!ckpt_tree_is_process(&t[i])) {
			if (ckpt_tree_thread(&c, i, proc))
				return -1;
			continue;
		}
		proc = i;
		if (ckpt_tree_process(&c, i, flags))
			return -1;
	}
	return 0;
}
