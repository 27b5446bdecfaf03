// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: checkpoint()/restart() on top of /dev/checkpoint, xxh64, and a
 * streaming image reader that checks what the kernel's restart checks.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libckpt.h"

/* ---------------------------------------------------------------------- */
/* the two operations */

static int ckpt_ioctl(unsigned long cmd, pid_t pid, int fd,
		      unsigned long flags, int logfd, const void *prefix,
		      size_t prefix_len)
{
	struct ckpt_args args;
	int dev, ret, err;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -1;

	memset(&args, 0, sizeof(args));
	args.size = sizeof(args);
	args.pid = pid;
	args.fd = fd;
	args.logfd = logfd;
	args.flags = flags;
	args.prefix = (unsigned long)prefix;
	args.prefix_len = prefix_len;
	ret = ioctl(dev, cmd, &args);

	err = errno;
	close(dev);
	errno = err;
	return ret < 0 ? -1 : 0;
}

int checkpoint(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_CHECKPOINT, pid, fd, flags, logfd, NULL, 0);
}

int restart(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, pid, fd, flags, logfd, NULL, 0);
}

int restart_prefix(int fd, unsigned long flags, int logfd,
		   const void *prefix, size_t len)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, 0, fd, flags, logfd, prefix, len);
}

int restart_prepare(int dev, int fd, unsigned long flags, int logfd,
		    const void *prefix, size_t len)
{
	struct ckpt_args args = {
		.size = sizeof(args),
		.flags = flags,
		.fd = fd,
		.logfd = logfd,
		.prefix = (unsigned long)prefix,
		.prefix_len = len,
	};

	return ioctl(dev, CKPT_IOC_RESTART_PREPARE, &args) < 0 ? -1 : 0;
}

int restart_wait(int dev, struct ckpt_restart_status *status)
{
	int ret;

	memset(status, 0, sizeof(*status));
	do {
		ret = ioctl(dev, CKPT_IOC_RESTART_WAIT, status);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

int restart_abort(int dev, int err)
{
	return ioctl(dev, CKPT_IOC_RESTART_ABORT, (unsigned long)err) < 0 ?
	       -1 : 0;
}

/* Read all @len bytes, or up to end of file; how many, or -1. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* ---------------------------------------------------------------------- */
/* xxh64: xxHash's 64-bit hash, seed 0, as the kernel's lib/xxhash.c */

/* the spec's primes, in hex as it gives them */
#define XXH_P1	0x9e3779b185ebca87ULL
#define XXH_P2	0xc2b2ae3d27d4eb4fULL
#define XXH_P3	0x165667b19e3779f9ULL
#define XXH_P4	0x85ebca77c2b2ae63ULL
#define XXH_P5	0x27d4eb2f165667c5ULL

static __u64 xxh_rotl(__u64 x, int r)
{
	return x << r | x >> (64 - r);
}

/* The hash is defined on little-endian words, whatever the host's order. */
static __u64 xxh_le64(const unsigned char *p)
{
	__u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static __u32 xxh_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (__u32)p[3] << 24;
}

static __u64 xxh_round(__u64 acc, __u64 lane)
{
	return xxh_rotl(acc + lane * XXH_P2, 31) * XXH_P1;
}

static __u64 xxh_merge(__u64 acc, __u64 v)
{
	return (acc ^ xxh_round(0, v)) * XXH_P1 + XXH_P4;
}

/* One 32-byte stripe: each of the four lanes feeds its own accumulator. */
static void xxh_stripe(__u64 v[4], const unsigned char *p)
{
	int i;

	for (i = 0; i < 4; i++)
		v[i] = xxh_round(v[i], xxh_le64(p + 8 * i));
}

void ckpt_xxh64_init(struct ckpt_xxh64 *s)
{
	memset(s, 0, sizeof(*s));
	/* seed 0: seed + P1 + P2, seed + P2, seed, seed - P1 */
	s->v[0] = XXH_P1 + XXH_P2;
	s->v[1] = XXH_P2;
	s->v[2] = 0;
	s->v[3] = -XXH_P1;
}

void ckpt_xxh64_update(struct ckpt_xxh64 *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	s->total += len;
	/* complete a stripe that earlier calls left partial */
	if (s->buf_len) {
		n = sizeof(s->buf) - s->buf_len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buf_len, p, n);
		s->buf_len += n;
		p += n;
		len -= n;
		if (s->buf_len < sizeof(s->buf))
			return;
		xxh_stripe(s->v, s->buf);
		s->buf_len = 0;
	}
	while (len >= sizeof(s->buf)) {
		xxh_stripe(s->v, p);
		p += sizeof(s->buf);
		len -= sizeof(s->buf);
	}
	memcpy(s->buf, p, len);
	s->buf_len = len;
}

/* The state stays as it is: a reader can go on hashing after a digest. */
__u64 ckpt_xxh64_digest(const struct ckpt_xxh64 *s)
{
	const unsigned char *p = s->buf, *end = s->buf + s->buf_len;
	__u64 h;
	int i;

	if (s->total >= sizeof(s->buf)) {
		h = xxh_rotl(s->v[0], 1) + xxh_rotl(s->v[1], 7) +
		    xxh_rotl(s->v[2], 12) + xxh_rotl(s->v[3], 18);
		for (i = 0; i < 4; i++)
			h = xxh_merge(h, s->v[i]);
	} else {
		/* no stripe went through the lanes: seed (0) + P5 */
		h = XXH_P5;
	}
	h += s->total;
	for (; p + 8 <= end; p += 8)
		h = xxh_rotl(h ^ xxh_round(0, xxh_le64(p)), 27) * XXH_P1 +
		    XXH_P4;
	if (p + 4 <= end) {
		h = xxh_rotl(h ^ xxh_le32(p) * XXH_P1, 23) * XXH_P2 + XXH_P3;
		p += 4;
	}
	for (; p < end; p++)
		h = xxh_rotl(h ^ *p * XXH_P5, 11) * XXH_P1;
	/* avalanche: every input bit reaches every output bit */
	h ^= h >> 33;
	h *= XXH_P2;
	h ^= h >> 29;
	h *= XXH_P3;
	h ^= h >> 32;
	return h;
}

__u64 ckpt_xxh64(const void *buf, size_t len)
{
	struct ckpt_xxh64 s;

	ckpt_xxh64_init(&s);
	ckpt_xxh64_update(&s, buf, len);
	return ckpt_xxh64_digest(&s);
}

/* ---------------------------------------------------------------------- */
/* names */

static const char * const type_names[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_HEADER] = "HEADER",
	[CKPT_HDR_TASK] = "TASK",
	[CKPT_HDR_MM] = "MM",
	[CKPT_HDR_VMA] = "VMA",
	[CKPT_HDR_CPU] = "CPU",
	[CKPT_HDR_PAGES] = "PAGES",
	[CKPT_HDR_TAIL] = "TAIL",
	[CKPT_HDR_CRED] = "CRED",
	[CKPT_HDR_RLIMITS] = "RLIMITS",
	[CKPT_HDR_SIGHAND] = "SIGHAND",
	[CKPT_HDR_SIGNAL] = "SIGNAL",
	[CKPT_HDR_SIGINFO] = "SIGINFO",
	[CKPT_HDR_POSIX_TIMER] = "POSIX_TIMER",
	[CKPT_HDR_RESTART_BLOCK] = "RESTART_BLOCK",
	[CKPT_HDR_FS] = "FS",
	[CKPT_HDR_FILE] = "FILE",
	[CKPT_HDR_FILE_DATA] = "FILE_DATA",
	[CKPT_HDR_FILES] = "FILES",
	[CKPT_HDR_FD] = "FD",
	[CKPT_HDR_TREE] = "TREE",
	[CKPT_HDR_PIPE] = "PIPE",
	[CKPT_HDR_PIPE_BUF] = "PIPE_BUF",
	[CKPT_HDR_EVENTFD] = "EVENTFD",
	[CKPT_HDR_SIGNALFD] = "SIGNALFD",
	[CKPT_HDR_TIMERFD] = "TIMERFD",
	[CKPT_HDR_EPOLL] = "EPOLL",
	[CKPT_HDR_EPOLL_ITEM] = "EPOLL_ITEM",
	[CKPT_HDR_UNIX] = "UNIX",
	[CKPT_HDR_UNIX_SKB] = "UNIX_SKB",
	[CKPT_HDR_INOTIFY] = "INOTIFY",
	[CKPT_HDR_INOTIFY_WATCH] = "INOTIFY_WATCH",
	[CKPT_HDR_INOTIFY_EVENT] = "INOTIFY_EVENT",
	[CKPT_HDR_UNLINKED] = "UNLINKED",
	[CKPT_HDR_PTY] = "PTY",
	[CKPT_HDR_LOCK] = "LOCK",
	[CKPT_HDR_CGROUP] = "CGROUP",
	[CKPT_HDR_COW] = "COW",
};

const char *ckpt_type_name(__u32 type)
{
	if (type && type < CKPT_HDR_MAX_TYPE && type_names[type])
		return type_names[type];
	return "unknown";
}

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

const char *ckpt_file_kind_name(__u32 kind)
{
	static const char * const names[] = {
		[CKPT_FILE_REG] = "reg", [CKPT_FILE_DIR] = "dir",
		[CKPT_FILE_CHR] = "chr", [CKPT_FILE_UNLINKED] = "unlinked",
		[CKPT_FILE_INHERIT] = "inherit", [CKPT_FILE_PIPE] = "pipe",
		[CKPT_FILE_FIFO] = "fifo", [CKPT_FILE_EVENTFD] = "eventfd",
		[CKPT_FILE_SIGNALFD] = "signalfd",
		[CKPT_FILE_TIMERFD] = "timerfd", [CKPT_FILE_EPOLL] = "epoll",
		[CKPT_FILE_UNIX] = "unix", [CKPT_FILE_INOTIFY] = "inotify",
		[CKPT_FILE_PTY] = "pty",
	};

	if (kind < ARRAY_SIZE(names) && names[kind])
		return names[kind];
	return "unknown";
}

/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET: the types a UNIX may have */
#define RD_SOCK_STREAM		1
#define RD_SOCK_DGRAM		2
#define RD_SOCK_SEQPACKET	5

const char *ckpt_sock_type_name(__u32 type)
{
	static const char * const names[] = {
		[RD_SOCK_STREAM] = "stream", [RD_SOCK_DGRAM] = "dgram",
		[RD_SOCK_SEQPACKET] = "seqpacket",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

const char *ckpt_unix_state_name(__u32 state)
{
	static const char * const names[] = {
		[CKPT_UNIX_UNCONNECTED] = "unconnected",
		[CKPT_UNIX_CONNECTED] = "connected",
		[CKPT_UNIX_LISTEN] = "listening",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "unknown";
}

/* ---------------------------------------------------------------------- */
/* the reader */

enum {
	RD_HEADER,	/* nothing read yet */
	RD_TREE,
	RD_TASK,
	RD_ZCRED,	/* a zombie's section: TASK, then CRED, */
	RD_ZRLIMITS,	/* then RLIMITS */
	RD_CRED,	/* right after TASK: its paths are opened as it */
	RD_MM,
	RD_VMA,		/* inside MM */
	RD_COW,		/* inside MM, after the VMAs */
	RD_CPU,
	RD_EXTRA,	/* optional records in any order, PAGES or TAIL */
	RD_FD,		/* inside FILES */
	RD_PAGES,	/* PAGES or TAIL */
	RD_PIPE,	/* the PIPE after the first FILE naming that pipe */
	RD_PIPE_BUF,	/* inside PIPE */
	RD_ANON,	/* the EVENTFD, SIGNALFD, TIMERFD or EPOLL of a FILE */
	RD_EPOLL_ITEM,	/* inside EPOLL */
	RD_UNIX,	/* the UNIX of a socket (and then of its new peer) */
	RD_UNIX_SKB,	/* inside UNIX */
	RD_INOTIFY_EVENT,	/* inside INOTIFY, then */
	RD_INOTIFY_WATCH,
	RD_PTY,		/* the PTY after the first FILE naming its pty */
	RD_END,		/* after TAIL: the stream must end */
	RD_DONE,
};

/* What the x86-64 kernel's restart accepts. */
#define RD_BUF_SIZE		(64U << 10)
#define RD_PAGE_SIZE		4096U
#define RD_TASK_SIZE		0x7ffffffff000ULL	/* 4-level paging */
#define RD_ROBUST_LIST_LEN	24	/* struct robust_list_head */
#define RD_RSEQ_MIN_LEN		32
#define RD_USER_CS		0x33
#define RD_USER_DS		0x2b
#define RD_PERSONALITY_BAD	0xffffffffU
#define RD_SCHED_FIFO		1
#define RD_SCHED_RR		2
#define RD_SCHED_ISO		4	/* reserved, never used */
#define RD_SCHED_IDLE		5
#define RD_NSIG			64
#define RD_CAP_VALID		((1ULL << 41) - 1)	/* up to CAP_CHECKPOINT_RESTORE */
#define RD_SECUREBITS_VALID	0xffU
#define RD_RLIMIT_CPU		0
#define RD_ERESTART_RESTARTBLOCK	516
#define XSAVE_HDR_OFFSET	512
#define XSAVE_HDR_SIZE		64
#define XSAVE_MIN		(XSAVE_HDR_OFFSET + XSAVE_HDR_SIZE)
#define RD_MAX_PGOFF		(0x7fffffffffffffffULL / RD_PAGE_SIZE)
#define RD_O_DIRECT		040000
/* a PIPE of CKPT_PIPE_SIZE_MAX bytes in full pages */
#define RD_PIPE_REC_MAX		(sizeof(struct ckpt_hdr_pipe) +		\
				 (__u64)(CKPT_PIPE_SIZE_MAX / RD_PAGE_SIZE) * \
				 (sizeof(struct ckpt_hdr_pipe_buf) +	\
				  RD_PAGE_SIZE))
/* f_flags an epoll keeps: O_ACCMODE, O_NONBLOCK, O_LARGEFILE (x86-64) */
#define RD_EPOLL_FILE_FLAGS	0104003U
#define RD_EPOLL_ITEMS_MAX	CKPT_EPOLL_ITEMS_MAX
#define RD_EPOLL_REC_MAX	(sizeof(struct ckpt_hdr_epoll) +	\
				 (__u64)RD_EPOLL_ITEMS_MAX *		\
				 sizeof(struct ckpt_hdr_epoll_item))
/*
 * The events epoll_ctl() takes: EPOLLIN, PRI, OUT, ERR, HUP, NVAL,
 * RDNORM, RDBAND, WRNORM, WRBAND, MSG (0x7ff), RDHUP (0x2000),
 * EXCLUSIVE, WAKEUP, ONESHOT and ET (bits 28 to 31).
 */
#define RD_EPOLL_EVENTS		0xf00027ffU
#define RD_UNIX_PATH_MAX	108	/* sizeof(sun_path) */
#define RD_UNIX_BACKLOG_MAX	65535	/* the largest a restart takes */
/* the most skbs of the most bytes, and the largest address */
#define RD_UNIX_REC_MAX		(sizeof(struct ckpt_hdr_unix) +		\
				 CKPT_ALIGN_UP(RD_UNIX_PATH_MAX) +	\
				 sizeof(struct ckpt_unix_attrs) +	\
				 (__u64)CKPT_UNIX_SKBS_MAX *		\
				 (sizeof(struct ckpt_hdr_unix_skb) +	\
				  2 * CKPT_ALIGN) + CKPT_UNIX_BYTES_MAX +	\
				 (__u64)CKPT_UNIX_FDS_MAX * sizeof(__s32))
/* an inotify: made O_RDONLY; O_NONBLOCK, O_APPEND, O_NOATIME, O_LARGEFILE */
#define RD_INOTIFY_FILE_FLAGS	01106000U
#define RD_INOTIFY_EVENT_MAX	(sizeof(struct ckpt_hdr_inotify_event) + \
				 CKPT_INOTIFY_NAME_MAX)
#define RD_INOTIFY_WATCH_MAX	(sizeof(struct ckpt_hdr_inotify_watch) + \
				 CKPT_PATH_MAX)
#define RD_INOTIFY_REC_MAX	(sizeof(struct ckpt_hdr_inotify) +	\
				 (__u64)CKPT_INOTIFY_EVENTS_MAX *	\
				 RD_INOTIFY_EVENT_MAX +			\
				 (__u64)CKPT_INOTIFY_WATCHES_MAX *	\
				 RD_INOTIFY_WATCH_MAX)

/* Record the first problem; always returns -1. */
static int __printf(3, 4)
rd_err(struct ckpt_reader *r, __u64 off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_off = off;
	return -1;
}

/* Read up to @len bytes; returns how many (short only at end of stream). */
static ssize_t rd_raw(struct ckpt_reader *r, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(r->fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rd_err(r, r->pos + done, "read error (%s)",
				      strerror(errno));
		if (n == 0)
			break;
		done += n;
	}
	ckpt_xxh64_update(&r->sum, buf, done);
	r->pos += done;
	return done;
}

/* Read exactly @len bytes of the record at @rec_off. */
static int rd_need(struct ckpt_reader *r, void *buf, size_t len,
		   const struct ckpt_rec *rec)
{
	ssize_t n = rd_raw(r, buf, len);

	if (n < 0)
		return -1;
	if ((size_t)n < len)
		return rd_err(r, rec->off, "truncated %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

/* Read the rest of the fixed part of @rec, @size bytes in all. */
static int rd_body(struct ckpt_reader *r, struct ckpt_rec *rec, size_t size)
{
	return rd_need(r, (char *)&rec->u + sizeof(struct ckpt_hdr),
		       size - sizeof(struct ckpt_hdr), rec);
}

/* Read @len bytes of data into the bounce buffer, then zero padding. */
static int rd_data(struct ckpt_reader *r, size_t len, struct ckpt_rec *rec)
{
	size_t pad = CKPT_ALIGN_UP(len) - len;
	size_t i;

	if (len + pad > r->buf_size)
		return rd_err(r, rec->off, "%s record too large",
			      ckpt_type_name(rec->u.h.type));
	if (rd_need(r, r->buf, len + pad, rec))
		return -1;
	for (i = 0; i < pad; i++) {
		if (r->buf[len + i])
			return rd_err(r, r->pos - pad + i, "nonzero padding");
	}
	return 0;
}

static int rd_len(struct ckpt_reader *r, const struct ckpt_rec *rec,
		  __u64 want)
{
	if (rec->u.h.len != want)
		return rd_err(r, rec->off, "bad %s record length %u (want %llu)",
			      ckpt_type_name(rec->u.h.type), rec->u.h.len,
			      (unsigned long long)want);
	return 0;
}

/* Rules 1 and 2 on the number of tasks; 0 or -1 and @err. */
static int tree_count_check(__u32 nr, long pid_max, char *err, size_t errlen)
{
	if (nr && nr <= CKPT_TREE_MAX_TASKS && nr < pid_max)
		return 0;
	snprintf(err, errlen, "TREE of %u tasks (1..%u, and below pid_max %ld)",
		 nr, CKPT_TREE_MAX_TASKS, pid_max);
	return -1;
}

/* The HEADER's fields, as restart checks them; 0 or -1 and @err. */
static int header_check(const struct ckpt_hdr_header *h, char *err,
			size_t errlen)
{
	if (memcmp(h->magic, CKPT_MAGIC, CKPT_MAGIC_LEN))
		snprintf(err, errlen, "bad magic (not a checkpoint image)");
	else if (h->version != CKPT_VERSION)
		snprintf(err, errlen, "unsupported image version %u",
			 h->version);
	else if (h->arch != CKPT_ARCH_X86_64)
		snprintf(err, errlen, "unsupported architecture %u", h->arch);
	else if (h->page_size != RD_PAGE_SIZE)
		snprintf(err, errlen, "bad page size %u", h->page_size);
	else if (!h->xstate_size || h->xstate_size > CKPT_HDR_MAX / 2)
		snprintf(err, errlen, "bad xstate size %u", h->xstate_size);
	else
		return 0;
	return -1;
}

static int rd_header(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_header *h = &rec->u.header;

	if (rd_len(r, rec, sizeof(*h)) || rd_body(r, rec, sizeof(*h)))
		return -1;
	if (header_check(h, r->err, sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	r->page_size = h->page_size;
	r->xstate_size = h->xstate_size;
	r->xstate_features = h->xstate_features;
	r->state = RD_TREE;
	return 0;
}

/* The TREE record: its entries are kept to match the sections. */
static int rd_tree(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_tree *t = &rec->u.tree;
	__u64 size;

	if (rec->u.h.len < sizeof(*t))
		return rd_len(r, rec, sizeof(*t));
	if (rd_body(r, rec, sizeof(*t)))
		return -1;
	if (tree_count_check(t->nr_tasks, ckpt_pid_max(), r->err,
			     sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	size = (__u64)t->nr_tasks * sizeof(*r->tasks);
	if (rd_len(r, rec, sizeof(*t) + CKPT_ALIGN_UP(size)))
		return -1;
	r->tasks = malloc(CKPT_ALIGN_UP(size));
	r->objrefs = calloc(t->nr_tasks, sizeof(*r->objrefs));
	if (!r->tasks || !r->objrefs)
		return rd_err(r, rec->off, "out of memory");
	if (rd_need(r, r->tasks, CKPT_ALIGN_UP(size), rec))
		return -1;
	r->nr_tasks = t->nr_tasks;
	if (ckpt_check_tree(t, r->tasks, ckpt_pid_max(), r->err,
			    sizeof(r->err))) {
		r->err_off = rec->off;
		return -1;
	}
	r->section = -1;
	r->zombie = -1;
	r->state = RD_TASK;
	return 0;
}

/* SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU (the same on every arch we read) */
static int rd_stop_signal(int sig)
{
	return sig == 19 || sig == 20 || sig == 21 || sig == 22;
}

/* Scheduling and prctl() attributes, in range. */
static int rd_task_attrs(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	int rt = t->policy == RD_SCHED_FIFO || t->policy == RD_SCHED_RR;

	if (t->nice < -20 || t->nice > 19 || t->policy > RD_SCHED_IDLE ||
	    t->policy == RD_SCHED_ISO ||
	    (rt && (t->rt_priority < 1 || t->rt_priority > 99)) ||
	    (!rt && t->rt_priority))
		return rd_err(r, rec->off,
			      "bad TASK nice %d policy %u priority %u",
			      t->nice, t->policy, t->rt_priority);
	if (t->flags & CKPT_TASK_STOPPED ?
	    !rd_stop_signal(t->stop_signal) ||
	    (t->stop_code && t->stop_code != t->stop_signal) :
	    t->stop_signal || t->stop_code)
		return rd_err(r, rec->off,
			      "bad TASK stop signal %d code %d (flags %#x)",
			      t->stop_signal, t->stop_code, t->flags);
	if (t->flags & ~CKPT_TASK_FLAGS_ALL || t->dumpable > 2 ||
	    t->pdeath_signal < 0 || t->pdeath_signal > RD_NSIG)
		return rd_err(r, rec->off,
			      "bad TASK flags %#x dumpable %u pdeath signal %d",
			      t->flags, t->dumpable, t->pdeath_signal);
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TASK padding");
	return 0;
}

/* ---- sections: one per live TREE entry, in order ---- */

static const char * const obj_kind_names[CKPT_OBJ_NR_KINDS] = {
	[CKPT_OBJ_KIND_MM] = "mm",
	[CKPT_OBJ_KIND_FILES] = "files",
	[CKPT_OBJ_KIND_FS] = "fs",
	[CKPT_OBJ_KIND_SIGHAND] = "sighand",
	[CKPT_OBJ_KIND_SIGNAL] = "signal",
};

static size_t refset_hash(__s32 ref, size_t size)
{
	return ((__u32)ref * 2654435761U) & (size - 1);
}

static int refset_has(const struct ckpt_refset *s, __s32 ref)
{
	size_t i;

	if (!s->size)
		return 0;
	for (i = refset_hash(ref, s->size); s->slot[i];
	     i = (i + 1) & (s->size - 1)) {
		if (s->slot[i] == ref)
			return 1;
	}
	return 0;
}

static void refset_put(struct ckpt_refset *s, __s32 ref)
{
	size_t i = refset_hash(ref, s->size);

	while (s->slot[i])
		i = (i + 1) & (s->size - 1);
	s->slot[i] = ref;
	s->used++;
}

/* Add @ref (> 0, not yet in @s); -1 if out of memory. */
static int refset_add(struct ckpt_refset *s, __s32 ref)
{
	struct ckpt_refset bigger = { 0 };
	size_t i;

	if (2 * (s->used + 1) > s->size) {
		bigger.size = s->size ? 2 * s->size : 64;
		bigger.slot = calloc(bigger.size, sizeof(*bigger.slot));
		if (!bigger.slot)
			return -1;
		for (i = 0; i < s->size; i++) {
			if (s->slot[i])
				refset_put(&bigger, s->slot[i]);
		}
		free(s->slot);
		*s = bigger;
	}
	refset_put(s, ref);
	return 0;
}

static int rd_file_known(const struct ckpt_reader *r, __s32 objref)
{
	return refset_has(&r->files, objref);
}

/* The pty of objref @objref, if its PTY record was read. */
static struct ckpt_pty_seen *rd_pty_find(const struct ckpt_reader *r,
					 __s32 objref)
{
	size_t i;

	for (i = 0; i < r->nr_ptys; i++) {
		if (r->ptys[i].objref == objref)
			return &r->ptys[i];
	}
	return NULL;
}

/*
 * What already has the objref @ref, or NULL: the kernel keeps every
 * object in one objhash, so an objref names one object of one type.
 */
static const char *rd_objref_owner(const struct ckpt_reader *r, __s32 ref)
{
	int k;

	if (rd_file_known(r, ref))
		return "file";
	if (refset_has(&r->pipes, ref))
		return refset_has(&r->fifos, ref) ? "fifo" : "pipe";
	if (refset_has(&r->socks, ref))
		return "socket";
	if (refset_has(&r->inodes, ref))
		return "unlinked inode";
	if (rd_pty_find(r, ref))
		return "pty";
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		if (refset_has(&r->seen[k], ref))
			return obj_kind_names[k];
	}
	return NULL;
}

/* The next entry that has a section (is not a zombie), or nr_tasks. */
static long rd_next_live(const struct ckpt_reader *r, long i)
{
	for (i++; i < (long)r->nr_tasks; i++) {
		if (!(r->tasks[i].flags & CKPT_TREE_ZOMBIE))
			return i;
	}
	return i;
}

/* The entry of the process @pid (a parent, or a thread's process). */
static long rd_find_process(const struct ckpt_reader *r, long before,
			    __s32 pid)
{
	long i;

	for (i = before - 1; i >= 0; i--) {
		if (r->tasks[i].pid == pid)
			return i;
	}
	return -1;
}

/*
 * What the section of entry @i must share with an earlier one: a thread
 * its process's mm, handlers and signal state, and with SHARE_FILES or
 * SHARE_FS its fd table or fs; a process's signal state is its own.
 */
static int rd_sharing(struct ckpt_reader *r, const struct ckpt_rec *rec,
		      long i)
{
	const struct ckpt_tree_task *e = &r->tasks[i];
	const __s32 *mine = r->objrefs[i], *other;
	int thread = e->pid != e->tgid, k;
	long o = rd_find_process(r, i, thread ? e->tgid : e->ppid);

	if (!thread && r->sec_new[CKPT_OBJ_KIND_SIGNAL] == 0)
		return rd_err(r, rec->off,
			      "process %d shares signal objref %d with another",
			      e->pid, mine[CKPT_OBJ_KIND_SIGNAL]);
	if (o < 0 || r->tasks[o].flags & CKPT_TREE_ZOMBIE)
		return 0;	/* the root, or a thread of a zombie */
	other = r->objrefs[o];
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		int must = thread && (k == CKPT_OBJ_KIND_MM ||
				      k == CKPT_OBJ_KIND_SIGHAND ||
				      k == CKPT_OBJ_KIND_SIGNAL);

		if (k == CKPT_OBJ_KIND_FILES)
			must = e->flags & CKPT_TREE_SHARE_FILES;
		if (k == CKPT_OBJ_KIND_FS)
			must = e->flags & CKPT_TREE_SHARE_FS;
		if (must && mine[k] != other[k])
			return rd_err(r, rec->off,
				      "task %d has %s objref %d, not %d of task %d it shares it with",
				      e->pid, obj_kind_names[k], mine[k],
				      other[k], r->tasks[o].pid);
	}
	return 0;
}

/* The next zombie entry after @i, or nr_tasks. */
static long rd_next_zombie(const struct ckpt_reader *r, long i)
{
	for (i++; i < (long)r->nr_tasks; i++) {
		if (r->tasks[i].flags & CKPT_TREE_ZOMBIE)
			return i;
	}
	return i;
}

/*
 * A wait status a process can end with: an exit code, or a signal whose
 * default action ends it, the core-dump bit only with one that dumps.
 */
static int rd_zombie_status_ok(__s32 status)
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

/*
 * The zombies' sections come first, in TREE order: TASK (no objrefs, no
 * user pointers, not stopped), CRED, RLIMITS.
 */
static int rd_zombie_task(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	long i = rd_next_zombie(r, r->zombie);

	if (t->pid != r->tasks[i].pid || t->tgid != r->tasks[i].tgid)
		return rd_err(r, rec->off,
			      "TASK %d (tgid %d) where the section of zombie %d (TREE entry %ld) belongs",
			      t->pid, t->tgid, r->tasks[i].pid, i);
	if (t->mm_objref || t->files_objref || t->fs_objref ||
	    t->sighand_objref || t->signal_objref || t->set_child_tid ||
	    t->clear_child_tid || t->robust_list || t->robust_list_len ||
	    t->rseq || t->rseq_len || t->rseq_sig ||
	    t->flags & CKPT_TASK_STOPPED)
		return rd_err(r, rec->off,
			      "TASK of zombie %d: objrefs, user pointers or flags %#x",
			      t->pid, t->flags);
	if (!rd_zombie_status_ok(r->tasks[i].exit_code))
		return rd_err(r, rec->off,
			      "zombie %d: a process cannot end with wait status %#x",
			      t->pid, r->tasks[i].exit_code);
	r->zombie = i;
	r->saw_cred = r->saw_rlimits = 0;
	r->state = RD_ZCRED;
	return 0;
}

/* A TASK record opens the section of the next live TREE entry. */
static int rd_section(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_task *t = &rec->u.task;
	const __s32 refs[CKPT_OBJ_NR_KINDS] = {
		t->mm_objref, t->files_objref, t->fs_objref,
		t->sighand_objref, t->signal_objref,
	};
	long i = rd_next_live(r, r->section);
	const char *owner;
	int k;

	if (i >= (long)r->nr_tasks)
		return rd_err(r, rec->off,
			      "TASK %d after the sections of every TREE task",
			      t->pid);
	if (t->flags & CKPT_TASK_ZOMBIE_ONLY)
		return rd_err(r, rec->off,
			      "TASK %d: flags %#x of a zombie in a live section",
			      t->pid, t->flags);
	if (t->pid != r->tasks[i].pid || t->tgid != r->tasks[i].tgid)
		return rd_err(r, rec->off,
			      "TASK %d (tgid %d) where TREE entry %ld has pid %d tgid %d",
			      t->pid, t->tgid, i, r->tasks[i].pid,
			      r->tasks[i].tgid);
	r->section = i;
	r->saw_fs = r->saw_files = r->saw_sighand = r->saw_signal = 0;
	r->saw_restart_block = r->saw_cred = r->saw_rlimits = 0;
	r->saw_cgroup = 0;
	memset(r->std_queued, 0, sizeof(r->std_queued));
	r->nr_siginfo = r->nr_timers = 0;
	r->sec_mm = 0;
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		if (refs[k] <= 0)
			return rd_err(r, rec->off, "TASK %d: bad %s objref %d",
				      t->pid, obj_kind_names[k], refs[k]);
		r->objrefs[i][k] = refs[k];
		r->sec_new[k] = !refset_has(&r->seen[k], refs[k]);
		if (!r->sec_new[k])
			continue;
		owner = rd_objref_owner(r, refs[k]);
		if (owner)
			return rd_err(r, rec->off,
				      "TASK %d: %s objref %d is already taken (%s)",
				      t->pid, obj_kind_names[k], refs[k], owner);
		if (refset_add(&r->seen[k], refs[k]))
			return rd_err(r, rec->off, "out of memory");
	}
	return rd_sharing(r, rec, i);
}

/* The TAIL: every live TREE entry had its section. */
static int rd_sections_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	long i = rd_next_live(r, r->section);

	if (i < (long)r->nr_tasks)
		return rd_err(r, rec->off,
			      "no section for task %d (TREE entry %ld)",
			      r->tasks[i].pid, i);
	return 0;
}

/* A record of the object @kind appears only where it is new. */
static int rd_obj_record(struct ckpt_reader *r, const struct ckpt_rec *rec,
			 int kind, __s32 objref)
{
	const __s32 *mine = r->objrefs[r->section];

	if (objref != mine[kind] || !r->sec_new[kind])
		return rd_err(r, rec->off,
			      "%s record of objref %d in the section of task %d, whose %s objref %d %s",
			      ckpt_type_name(rec->u.h.type), objref,
			      r->tasks[r->section].pid, obj_kind_names[kind],
			      mine[kind],
			      r->sec_new[kind] ? "it is not" :
						 "an earlier section brought");
	return 0;
}

static int rd_task(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_task *t = &rec->u.task;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
		return -1;
	if (t->set_child_tid >= RD_TASK_SIZE ||
	    t->clear_child_tid >= RD_TASK_SIZE ||
	    t->robust_list >= RD_TASK_SIZE || t->rseq >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "TASK user pointer outside user space");
	if (t->robust_list && t->robust_list_len != RD_ROBUST_LIST_LEN)
		return rd_err(r, rec->off, "bad robust list length %llu",
			      (unsigned long long)t->robust_list_len);
	if (t->rseq && (t->rseq_len < RD_RSEQ_MIN_LEN ||
			t->rseq % RD_RSEQ_MIN_LEN))
		return rd_err(r, rec->off, "bad rseq area %#llx length %u",
			      (unsigned long long)t->rseq, t->rseq_len);
	if (t->personality == RD_PERSONALITY_BAD)
		return rd_err(r, rec->off, "bad personality");
	if (rd_task_attrs(r, rec))
		return -1;
	if (r->section < 0 &&
	    rd_next_zombie(r, r->zombie) < (long)r->nr_tasks)
		return rd_zombie_task(r, rec);
	if (rd_section(r, rec))
		return -1;
	r->mm_objref = t->mm_objref;
	r->state = RD_CRED;
	return 0;
}

/* The mm's own addresses: in user space, no range inverted. */
static int rd_mm_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_mm *mm = &rec->u.mm;
	const __u64 f[] = {
		mm->start_code, mm->end_code, mm->start_data, mm->end_data,
		mm->start_brk, mm->brk, mm->start_stack, mm->arg_start,
		mm->arg_end, mm->env_start, mm->env_end,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (f[i] >= RD_TASK_SIZE)
			return rd_err(r, rec->off,
				      "MM address %#llx outside user space",
				      (unsigned long long)f[i]);
	}
	if (mm->start_code > mm->end_code || mm->start_data > mm->end_data ||
	    mm->start_brk > mm->brk || mm->arg_start > mm->arg_end ||
	    mm->env_start > mm->env_end)
		return rd_err(r, rec->off, "inverted MM range");
	return 0;
}

/* (type, value) pairs up to AT_NULL, zeroes after. */
static int rd_auxv(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const __u64 *auxv = rec->u.mm.auxv;
	unsigned int i, j;

	for (i = 0; i < CKPT_AUXV_WORDS && auxv[i]; i += 2)
		;
	if (i >= CKPT_AUXV_WORDS)
		return rd_err(r, rec->off, "auxv without AT_NULL");
	for (j = i; j < CKPT_AUXV_WORDS; j++) {
		if (auxv[j])
			return rd_err(r, rec->off, "data after the auxv's AT_NULL");
	}
	return 0;
}

/* The executable's path, between the MM record's fixed part and VMAs. */
static int rd_exe_path(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.mm.exe_path_len;

	rec->path[0] = '\0';
	if (!n)
		return 0;
	if (n < 2 || n > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad executable path length %u", n);
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	if (rec->path[0] != '/' || strnlen(rec->path, n) != n - 1)
		return rd_err(r, rec->off, "bad executable path");
	return 0;
}

static int rd_mm(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_mm *mm = &rec->u.mm;
	__u64 need, fixed;

	if (rec->u.h.len < sizeof(*mm))
		return rd_len(r, rec, sizeof(*mm));
	if (rd_body(r, rec, sizeof(*mm)))
		return -1;
	if (mm->nr_vmas > CKPT_MM_VMAS_MAX)
		return rd_err(r, rec->off, "too many VMAs (%u)", mm->nr_vmas);
	if ((mm->flags & ~CKPT_MM_FLAGS_ALL) ||
	    (mm->flags & (CKPT_MM_LOCK_FUTURE | CKPT_MM_LOCK_ONFAULT)) ==
	    CKPT_MM_LOCK_ONFAULT)
		return rd_err(r, rec->off, "bad MM flags %#x", mm->flags);
	if (mm->nr_cow > CKPT_MM_COW_MAX || (mm->nr_cow && !mm->nr_vmas))
		return rd_err(r, rec->off, "bad number of COW records (%u)",
			      mm->nr_cow);
	fixed = sizeof(*mm) + CKPT_ALIGN_UP(mm->exe_path_len);
	need = fixed + (__u64)mm->nr_vmas * sizeof(struct ckpt_hdr_vma) +
	       (__u64)mm->nr_cow * sizeof(struct ckpt_hdr_cow);
	if (need > rec->u.h.len)
		return rd_err(r, rec->off,
			      "MM record of length %u cannot hold %u VMAs and %u COW records",
			      rec->u.h.len, mm->nr_vmas, mm->nr_cow);
	if (!mm->nr_vmas && rec->u.h.len != fixed)
		return rd_len(r, rec, fixed);
	if (mm->objref != r->mm_objref)
		return rd_err(r, rec->off,
			      "MM objref %d does not match the task's %d",
			      mm->objref, r->mm_objref);
	/* pages shared with an address space of an earlier section */
	if (mm->cow_objref &&
	    (mm->cow_objref == mm->objref ||
	     !refset_has(&r->seen[CKPT_OBJ_KIND_MM], mm->cow_objref)))
		return rd_err(r, rec->off,
			      "MM shares pages with objref %d, no earlier address space",
			      mm->cow_objref);
	if (!mm->cow_objref && mm->nr_cow)
		return rd_err(r, rec->off,
			      "MM has COW records and no address space to share with");
	r->sec_mm = 1;
	if (rd_mm_fields(r, rec) || rd_auxv(r, rec) || rd_exe_path(r, rec))
		return -1;
	free(r->vmas);
	r->vmas = calloc(mm->nr_vmas ? mm->nr_vmas : 1, sizeof(*r->vmas));
	if (!r->vmas)
		return rd_err(r, rec->off, "out of memory");
	r->nr_vmas = 0;
	r->vmas_left = mm->nr_vmas;
	r->cow_left = mm->nr_cow;
	r->cow_objref = mm->cow_objref;
	r->cow_vma = 0;
	r->cow_end = 0;
	r->mm_off = rec->off;
	r->mm_end = rec->off + rec->u.h.len;
	r->state = mm->nr_vmas ? RD_VMA : RD_CPU;
	return 0;
}

static int rd_vma_path(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.vma.path_len;

	if (rec->u.vma.kind != CKPT_VMA_FILE &&
	    rec->u.vma.kind != CKPT_VMA_SHMEM) {
		if (n)
			return rd_err(r, rec->off, "path in a %s VMA",
				      ckpt_vma_kind_name(rec->u.vma.kind));
		rec->path[0] = '\0';
		return 0;
	}
	if (n < 2 || n > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad VMA path length %u", n);
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	/* a shmem object's name is no path */
	if ((rec->u.vma.kind == CKPT_VMA_FILE && rec->path[0] != '/') ||
	    strnlen(rec->path, n) != n - 1)
		return rd_err(r, rec->off, "bad VMA path");
	return 0;
}

/* Flags that do not go together, as the kernel's restart sees them. */
static int rd_vma_flags_bad(const struct ckpt_hdr_vma *v)
{
	__u32 f = v->flags;

	if ((f & CKPT_VMA_LOCKONFAULT) && !(f & CKPT_VMA_LOCKED))
		return 1;
	if ((f & CKPT_VMA_HUGEPAGE) && (f & CKPT_VMA_NOHUGEPAGE))
		return 1;
	if ((f & CKPT_VMA_MAYWRITE) && !(f & CKPT_VMA_SHARED))
		return 1;
	if ((f & CKPT_VMA_SHARED) && v->kind != CKPT_VMA_FILE &&
	    v->kind != CKPT_VMA_SHMEM)
		return 1;
	if (v->kind == CKPT_VMA_SHMEM &&
	    (f & (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE)) !=
	    (CKPT_VMA_SHARED | CKPT_VMA_MAYWRITE))
		return 1;
	if ((f & (CKPT_VMA_WIPEONFORK | CKPT_VMA_COW)) &&
	    v->kind != CKPT_VMA_ANON)
		return 1;
	return (f & CKPT_VMA_SHARED) && (f & CKPT_VMA_WRITE) &&
	       !(f & CKPT_VMA_MAYWRITE);
}

static int rd_vma_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_vma *v = &rec->u.vma;
	__u64 mask = r->page_size - 1;

	if (v->kind < CKPT_VMA_ANON || v->kind > CKPT_VMA_SHMEM)
		return rd_err(r, rec->off, "unknown VMA kind %u", v->kind);
	if (v->flags & ~CKPT_VMA_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown VMA flags %#x", v->flags);
	if (v->kind == CKPT_VMA_SHMEM ? v->objref <= 0 : v->objref != 0)
		return rd_err(r, rec->off, "bad VMA objref %d", v->objref);
	if (v->start >= v->end || (v->start & mask) || (v->end & mask) ||
	    v->end > RD_TASK_SIZE)
		return rd_err(r, rec->off, "bad VMA range %#llx-%#llx",
			      (unsigned long long)v->start,
			      (unsigned long long)v->end);
	if (r->nr_vmas && v->start < r->vmas[r->nr_vmas - 1].end)
		return rd_err(r, rec->off, "VMA %#llx-%#llx out of order",
			      (unsigned long long)v->start,
			      (unsigned long long)v->end);
	if ((v->flags & CKPT_VMA_GROWSDOWN) && v->kind != CKPT_VMA_ANON)
		return rd_err(r, rec->off, "growsdown %s VMA",
			      ckpt_vma_kind_name(v->kind));
	if (rd_vma_flags_bad(v))
		return rd_err(r, rec->off, "VMA flags %#x on a %s VMA", v->flags,
			      ckpt_vma_kind_name(v->kind));
	if ((v->kind == CKPT_VMA_FILE || v->kind == CKPT_VMA_SHMEM) &&
	    (v->pgoff > RD_MAX_PGOFF ||
	     v->pgoff + (v->end - v->start) / r->page_size > RD_MAX_PGOFF))
		return rd_err(r, rec->off, "VMA file offset %#llx out of range",
			      (unsigned long long)v->pgoff);
	return 0;
}

/* [vvar] mappings, then [vdso] right after them; both or neither. */
static int rd_vdso_check(struct ckpt_reader *r)
{
	const struct ckpt_range *v = r->vmas;
	size_t i, n = r->nr_vmas;
	long vdso = -1, vvar = -1;

	for (i = 0; i < n; i++) {
		if (v[i].kind == CKPT_VMA_VVAR && vvar < 0)
			vvar = i;
		if (v[i].kind != CKPT_VMA_VDSO)
			continue;
		if (vdso >= 0)
			return rd_err(r, r->mm_off, "two vdso VMAs");
		vdso = i;
	}
	if (vdso < 0 && vvar < 0)
		return 0;
	if (vdso < 0 || vvar < 0)
		return rd_err(r, r->mm_off, "vdso or vvar VMA alone");
	for (i = vvar; i < (size_t)vdso; i++) {
		if (v[i].kind != CKPT_VMA_VVAR || v[i].end != v[i + 1].start)
			return rd_err(r, r->mm_off,
				      "vvar VMA does not adjoin the vdso");
	}
	return 0;
}

static int rd_vma(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_vma *v = &rec->u.vma;
	struct ckpt_range *range;

	if (rec->u.h.len < sizeof(*v))
		return rd_len(r, rec, sizeof(*v));
	if (rd_body(r, rec, sizeof(*v)))
		return -1;
	if (rd_len(r, rec, sizeof(*v) + CKPT_ALIGN_UP(v->path_len)))
		return -1;
	if (rd_vma_check(r, rec) || rd_vma_path(r, rec))
		return -1;

	range = &r->vmas[r->nr_vmas++];
	range->start = v->start;
	range->end = v->end;
	range->kind = v->kind;
	range->flags = v->flags;
	r->vmas_left--;
	if ((v->flags & CKPT_VMA_COW) && !r->cow_objref)
		return rd_err(r, rec->off,
			      "VMA shares pages and its MM with no address space");
	if (!r->vmas_left && !r->cow_left && r->pos != r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record has %llu bytes after its %zu VMAs",
			      (unsigned long long)(r->mm_end - r->pos),
			      r->nr_vmas);
	if ((r->vmas_left || r->cow_left) && r->pos == r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record ends after %zu of its %zu VMAs",
			      r->nr_vmas, r->nr_vmas + r->vmas_left);
	if (r->vmas_left)
		return 0;
	r->state = r->cow_left ? RD_COW : RD_CPU;
	return rd_vdso_check(r);
}

/* A run of pages inside one COW mapping, after the previous run. */
static int rd_cow(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cow *c = &rec->u.cow;
	const struct ckpt_range *v;
	__u64 end;

	if (rd_len(r, rec, sizeof(*c)) || rd_body(r, rec, sizeof(*c)))
		return -1;
	end = c->addr + (__u64)c->nr_pages * r->page_size;
	if (!c->nr_pages || c->pad || c->addr % r->page_size ||
	    c->addr < r->cow_end)
		return rd_err(r, rec->off, "bad COW run of %u pages at %#llx",
			      c->nr_pages, (unsigned long long)c->addr);
	while (r->cow_vma < r->nr_vmas && r->vmas[r->cow_vma].end <= c->addr)
		r->cow_vma++;
	v = r->cow_vma < r->nr_vmas ? &r->vmas[r->cow_vma] : NULL;
	if (!v || v->start > c->addr || end > v->end ||
	    !(v->flags & CKPT_VMA_COW))
		return rd_err(r, rec->off,
			      "COW run %#llx-%#llx is not inside one shared anonymous VMA",
			      (unsigned long long)c->addr,
			      (unsigned long long)end);
	r->cow_end = end;
	if (--r->cow_left && r->pos == r->mm_end)
		return rd_err(r, r->mm_off, "MM record ends before its COW records");
	if (!r->cow_left && r->pos != r->mm_end)
		return rd_err(r, r->mm_off,
			      "MM record has %llu bytes after its COW records",
			      (unsigned long long)(r->mm_end - r->pos));
	if (!r->cow_left)
		r->state = RD_CPU;
	return 0;
}

/* The standard-format xsave header, as the kernel validates it. */
static int rd_xsave_check(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u64 hdr[XSAVE_HDR_SIZE / 8];
	unsigned int i;

	memcpy(hdr, r->buf + XSAVE_HDR_OFFSET, sizeof(hdr));
	if (hdr[0] & ~r->xstate_features)
		return rd_err(r, rec->off,
			      "xstate uses features %#llx not in the header",
			      (unsigned long long)(hdr[0] & ~r->xstate_features));
	for (i = 1; i < XSAVE_HDR_SIZE / 8; i++) {
		if (hdr[i])
			return rd_err(r, rec->off,
				      "bad xsave header (compacted or reserved bits)");
	}
	return 0;
}

static int rd_cpu(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_cpu *c = &rec->u.cpu;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)))
		return -1;
	if (c->xstate_size < XSAVE_MIN || c->xstate_size > r->xstate_size)
		return rd_err(r, rec->off, "bad CPU xstate size %u (header %u)",
			      c->xstate_size, r->xstate_size);
	if (c->pad)
		return rd_err(r, rec->off, "nonzero CPU padding");
	if (c->cs != RD_USER_CS || c->ss != RD_USER_DS)
		return rd_err(r, rec->off, "not a 64-bit task (cs %#llx ss %#llx)",
			      (unsigned long long)c->cs,
			      (unsigned long long)c->ss);
	if (c->ds || c->es || c->fs || c->gs)
		return rd_err(r, rec->off, "nonzero data segment selectors");
	if (c->rip >= RD_TASK_SIZE || c->fs_base >= RD_TASK_SIZE ||
	    c->gs_base >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "rip, fs or gs base outside user space");
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP(c->xstate_size)))
		return -1;
	if (rd_data(r, c->xstate_size, rec))
		return -1;
	if (rd_xsave_check(r, rec))
		return -1;
	r->in_restart_block = (__s64)c->orig_rax >= 0 &&
			      (__s64)c->rax == -RD_ERESTART_RESTARTBLOCK;
	r->state = RD_EXTRA;
	return 0;
}

/* The VMA containing @addr, or NULL. */
static const struct ckpt_range *rd_find_vma(struct ckpt_reader *r, __u64 addr)
{
	size_t lo = 0, hi = r->nr_vmas, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < r->vmas[mid].start)
			hi = mid;
		else if (addr >= r->vmas[mid].end)
			lo = mid + 1;
		else
			return &r->vmas[mid];
	}
	return NULL;
}

static int rd_pages_range(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	__u64 addr = rec->u.pages.addr;
	__u64 end = addr + (__u64)rec->u.pages.nr_pages * r->page_size;
	const struct ckpt_range *v;

	if (addr & (r->page_size - 1))
		return rd_err(r, rec->off, "bad PAGES address %#llx",
			      (unsigned long long)addr);
	v = rd_find_vma(r, addr);
	if (!v || end > v->end ||
	    (v->kind != CKPT_VMA_ANON && v->kind != CKPT_VMA_FILE &&
	     v->kind != CKPT_VMA_SHMEM) ||
	    (v->kind == CKPT_VMA_FILE && (v->flags & CKPT_VMA_SHARED)))
		return rd_err(r, rec->off,
			      "pages %#llx-%#llx not inside one anon or file VMA",
			      (unsigned long long)addr,
			      (unsigned long long)end);
	return 0;
}

static int rd_pages(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pages *p = &rec->u.pages;
	__u64 left;
	size_t n;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)))
		return -1;
	if (!p->nr_pages || p->nr_pages > CKPT_PAGES_MAX)
		return rd_err(r, rec->off, "bad PAGES count %u", p->nr_pages);
	if (p->pad)
		return rd_err(r, rec->off, "nonzero PAGES padding");
	left = (__u64)p->nr_pages * r->page_size;
	if (rd_len(r, rec, sizeof(*p) + left) || rd_pages_range(r, rec))
		return -1;
	while (left) {
		n = left < r->buf_size ? left : r->buf_size;
		if (rd_need(r, r->buf, n, rec))
			return -1;
		left -= n;
	}
	return 0;
}

/* @before: the running hash as it was before the TAIL's header. */
static int rd_tail(struct ckpt_reader *r, struct ckpt_rec *rec,
		   const struct ckpt_xxh64 *before)
{
	struct ckpt_hdr_tail *t = &rec->u.tail;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)))
		return -1;
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TAIL padding");
	rec->sum = ckpt_xxh64_digest(before);
	if (t->xxh64 != rec->sum)
		return rd_err(r, rec->off,
			      "xxh64 mismatch (image %016llx, data %016llx)",
			      (unsigned long long)t->xxh64,
			      (unsigned long long)rec->sum);
	if (t->nr_records != r->nr_records)
		return rd_err(r, rec->off,
			      "record count mismatch (tail %u, image %u)",
			      t->nr_records, r->nr_records);
	r->state = RD_END;
	return 0;
}

static const __u32 rd_expect[] = {
	[RD_HEADER] = CKPT_HDR_HEADER,
	[RD_TREE] = CKPT_HDR_TREE,
	[RD_TASK] = CKPT_HDR_TASK,
	[RD_ZCRED] = CKPT_HDR_CRED,
	[RD_ZRLIMITS] = CKPT_HDR_RLIMITS,
	[RD_CRED] = CKPT_HDR_CRED,
	[RD_MM] = CKPT_HDR_MM,
	[RD_VMA] = CKPT_HDR_VMA,
	[RD_COW] = CKPT_HDR_COW,
	[RD_CPU] = CKPT_HDR_CPU,
	[RD_EXTRA] = CKPT_HDR_PAGES,
	[RD_FD] = CKPT_HDR_FD,
	[RD_PAGES] = CKPT_HDR_PAGES,
	[RD_PIPE] = CKPT_HDR_PIPE,
	[RD_PIPE_BUF] = CKPT_HDR_PIPE_BUF,
	[RD_EPOLL_ITEM] = CKPT_HDR_EPOLL_ITEM,
	[RD_UNIX] = CKPT_HDR_UNIX,
	[RD_UNIX_SKB] = CKPT_HDR_UNIX_SKB,
	[RD_INOTIFY_EVENT] = CKPT_HDR_INOTIFY_EVENT,
	[RD_INOTIFY_WATCH] = CKPT_HDR_INOTIFY_WATCH,
	[RD_PTY] = CKPT_HDR_PTY,
};

/* The record type that must come next; RD_ANON's depends on its FILE. */
static __u32 rd_expected(const struct ckpt_reader *r)
{
	return r->state == RD_ANON ? r->anon_type : rd_expect[r->state];
}

/* ---- files: FS, FILE, FILE_DATA, FILES and its FDs ---- */

#define RD_MAX_FILE	0x7fffffffffffffffULL
#define RD_MAX_FDS	(1U << 20)

/* A NUL-terminated string of @len bytes (and padding) into rec->path. */
static int rd_string(struct ckpt_reader *r, struct ckpt_rec *rec, __u32 len,
		     int absolute)
{
	if (len < 2 || len > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad %s string length %u",
			      ckpt_type_name(rec->u.h.type), len);
	if (rd_data(r, len, rec))
		return -1;
	memcpy(rec->path, r->buf, len);
	if (strnlen(rec->path, len) != len - 1 ||
	    (absolute && rec->path[0] != '/'))
		return rd_err(r, rec->off, "malformed %s path",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

static int rd_fs(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_fs *f = &rec->u.fs;
	char cwd[CKPT_PATH_MAX];

	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)))
		return -1;
	if (r->saw_fs++)
		return rd_err(r, rec->off, "second FS record");
	if (rd_obj_record(r, rec, CKPT_OBJ_KIND_FS, f->objref))
		return -1;
	if (f->umask & ~0777U)
		return rd_err(r, rec->off, "bad umask %#o", f->umask);
	if (f->cwd_len > CKPT_PATH_MAX || f->root_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*f) + CKPT_ALIGN_UP(f->cwd_len) +
		   CKPT_ALIGN_UP(f->root_len)))
		return rd_err(r, rec->off, "bad FS path lengths");
	if (rd_string(r, rec, f->cwd_len, 1))
		return -1;
	memcpy(cwd, rec->path, f->cwd_len);
	if (rd_string(r, rec, f->root_len, 1))
		return -1;
	memcpy(rec->path, cwd, f->cwd_len);
	return 0;
}

static int rd_data_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (r->data_objref)
		return rd_err(r, rec->off,
			      "unlinked file objref %d lacks %llu bytes of data",
			      r->data_objref,
			      (unsigned long long)r->data_left);
	return 0;
}

/* Open files come with the section that brings its fd table. */
static int rd_with_files(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (!r->sec_new[CKPT_OBJ_KIND_FILES])
		return rd_err(r, rec->off,
			      "%s record in the section of task %d, whose fd table an earlier section brought",
			      ckpt_type_name(rec->u.h.type),
			      r->tasks[r->section].pid);
	return 0;
}

static int rd_is_pipe(__u32 kind)
{
	return kind == CKPT_FILE_PIPE || kind == CKPT_FILE_FIFO;
}

/* Kinds whose FILE names an object of its own by obj_objref. */
static int rd_has_obj(__u32 kind)
{
	return rd_is_pipe(kind) || kind == CKPT_FILE_UNIX ||
	       kind == CKPT_FILE_PTY || kind == CKPT_FILE_UNLINKED;
}

/* Kinds opened again by their path; the others' path only describes it. */
static int rd_by_path(__u32 kind)
{
	return kind == CKPT_FILE_REG || kind == CKPT_FILE_DIR ||
	       kind == CKPT_FILE_CHR || kind == CKPT_FILE_UNLINKED ||
	       kind == CKPT_FILE_FIFO;
}

/* The record that comes right after a FILE of @kind and has its state. */
static __u32 rd_anon_type(__u32 kind)
{
	switch (kind) {
	case CKPT_FILE_EVENTFD:
		return CKPT_HDR_EVENTFD;
	case CKPT_FILE_SIGNALFD:
		return CKPT_HDR_SIGNALFD;
	case CKPT_FILE_TIMERFD:
		return CKPT_HDR_TIMERFD;
	case CKPT_FILE_EPOLL:
		return CKPT_HDR_EPOLL;
	case CKPT_FILE_INOTIFY:
		return CKPT_HDR_INOTIFY;
	}
	return 0;
}

static int rd_file_check(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	int inherit = f->kind == CKPT_FILE_INHERIT;
	const char *owner;

	if (f->objref <= 0)
		return rd_err(r, rec->off, "bad FILE objref %d", f->objref);
	owner = rd_objref_owner(r, f->objref);
	if (owner)
		return rd_err(r, rec->off, "FILE objref %d is already taken (%s)",
			      f->objref, owner);
	if (f->kind < CKPT_FILE_REG || f->kind > CKPT_FILE_MAX_KIND)
		return rd_err(r, rec->off, "bad FILE kind %u", f->kind);
	if (f->f_flags & ~CKPT_FILE_FLAGS_ALL)
		return rd_err(r, rec->off, "bad FILE flags %#x", f->f_flags);
	/* a new epoll gets only the O_NONBLOCK of these */
	if (f->kind == CKPT_FILE_EPOLL && f->f_flags & ~RD_EPOLL_FILE_FLAGS)
		return rd_err(r, rec->off, "epoll FILE objref %d with flags %#o",
			      f->objref, f->f_flags);
	if (f->kind == CKPT_FILE_INOTIFY &&
	    f->f_flags & ~RD_INOTIFY_FILE_FLAGS)
		return rd_err(r, rec->off,
			      "inotify FILE objref %d with flags %#o",
			      f->objref, f->f_flags);
	if (rd_has_obj(f->kind) ? f->obj_objref <= 0 : f->obj_objref != 0)
		return rd_err(r, rec->off,
			      "%s FILE objref %d with %s objref %d",
			      ckpt_file_kind_name(f->kind), f->objref,
			      f->kind == CKPT_FILE_UNIX ? "socket" :
			      f->kind == CKPT_FILE_PTY ? "pty" :
			      f->kind == CKPT_FILE_UNLINKED ? "inode" : "pipe",
			      f->obj_objref);
	/* packets are for anonymous pipes: open() refuses O_DIRECT on a FIFO */
	if (f->kind == CKPT_FILE_FIFO && f->f_flags & RD_O_DIRECT)
		return rd_err(r, rec->off, "fifo FILE objref %d with O_DIRECT",
			      f->objref);
	if (inherit ? f->inherit_fd < 0 : f->inherit_fd != -1)
		return rd_err(r, rec->off, "bad FILE inherit fd %d",
			      f->inherit_fd);
	if (f->pos > RD_MAX_FILE || f->size > RD_MAX_FILE)
		return rd_err(r, rec->off, "bad FILE offset or size");
	return 0;
}

/*
 * A PIPE or FIFO file names its pipe: the first to name it is followed
 * by the pipe's PIPE record, later ones only name it.  A pipe is
 * anonymous or a FIFO, and its objref is its own.
 */
static int rd_file_pipe(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	int fifo = f->kind == CKPT_FILE_FIFO;
	const char *owner;

	if (refset_has(&r->pipes, f->obj_objref)) {
		if (refset_has(&r->fifos, f->obj_objref) == fifo)
			return 0;
		return rd_err(r, rec->off,
			      "%s FILE objref %d names pipe %d, which is %s",
			      ckpt_file_kind_name(f->kind), f->objref,
			      f->obj_objref,
			      fifo ? "an anonymous pipe" : "a FIFO");
	}
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: pipe objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (refset_add(&r->pipes, f->obj_objref) ||
	    (fifo && refset_add(&r->fifos, f->obj_objref)))
		return rd_err(r, rec->off, "out of memory");
	r->pipe_objref = f->obj_objref;
	r->pipe_file = f->objref;
	r->state = RD_PIPE;
	return 0;
}

/*
 * A UNIX file names its socket the same way: the first FILE naming it
 * is followed by the socket's UNIX record (and a new peer's), later
 * ones only name it - but none may name a socket whose record said it
 * has no FILE (PEER_CLOSED).  A socket's objref is its own.
 */
static int rd_file_unix(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	const char *owner;

	if (refset_has(&r->socks, f->obj_objref)) {
		if (!refset_has(&r->closed_socks, f->obj_objref))
			return 0;
		return rd_err(r, rec->off,
			      "unix FILE objref %d names socket %d, whose UNIX record says it has no file (PEER_CLOSED)",
			      f->objref, f->obj_objref);
	}
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: socket objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (refset_add(&r->socks, f->obj_objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_objref = f->obj_objref;
	r->unix_file = f->objref;
	r->unix_first = 0;
	r->state = RD_UNIX;
	return 0;
}

/*
 * An UNLINKED file names its inode: the first FILE naming it is followed
 * by the inode's UNLINKED record (and its data), later ones only name it.
 * An inode's objref is its own.
 */
static int rd_file_unlinked(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	const char *owner;

	if (refset_has(&r->inodes, f->obj_objref))
		return 0;
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: inode objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	if (refset_add(&r->inodes, f->obj_objref))
		return rd_err(r, rec->off, "out of memory");
	r->inode_objref = f->obj_objref;
	r->anon_type = CKPT_HDR_UNLINKED;
	r->anon_file = f->objref;
	r->state = RD_ANON;
	return 0;
}

/* ---- ptys: the PTY after the first FILE naming one ---- */

#define RD_PTY_MASTER_RDEV	0x502U		/* new_encode_dev(5:2) */
#define RD_PTY_SLAVE_MAJOR	136U
#define RD_ICANON		0000002U
#define RD_CSIZE_CREAD_PARENB	0000660U
#define RD_CS8_CREAD		0000260U
#define RD_N_TTY		0
#define RD_STATUS_FLAGS		0106000U	/* O_APPEND, O_NONBLOCK, O_LARGEFILE */

static __u32 rd_rdev_major(__u32 rdev)
{
	return (rdev & 0xfff00) >> 8;
}

static __u32 rd_rdev_minor(__u32 rdev)
{
	return (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
}

/*
 * A FILE of a pty names its end by rdev: /dev/ptmx's for the master, of
 * f_flags its PTY's and once, the slave's device for a slave.  Checked
 * when the pty is known: at once, or once its PTY record was read.
 */
static int rd_pty_file_end(struct ckpt_reader *r, const struct ckpt_rec *rec,
			   const struct ckpt_hdr_file *f,
			   struct ckpt_pty_seen *p)
{
	if (f->rdev == RD_PTY_MASTER_RDEV) {
		if (p->master_taken || f->f_flags != p->master_flags)
			return rd_err(r, rec->off,
				      "pty FILE objref %d: a second master of pty %d, or flags %#o, not its PTY's %#o",
				      f->objref, p->objref, f->f_flags,
				      p->master_flags);
		p->master_taken = 1;
		return 0;
	}
	if (rd_rdev_minor(f->rdev) != p->index ||
	    p->flags & CKPT_PTY_SLAVE_CLOSED)
		return rd_err(r, rec->off,
			      "pty FILE objref %d: slave %u:%u of pty %d (/dev/pts/%u%s)",
			      f->objref, rd_rdev_major(f->rdev),
			      rd_rdev_minor(f->rdev), p->objref, p->index,
			      p->flags & CKPT_PTY_SLAVE_CLOSED ?
			      ", whose slave is closed" : "");
	return 0;
}

static int rd_file_pty(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_file *f = &rec->u.file;
	struct ckpt_pty_seen *p;
	const char *owner;

	if ((f->mode & 0170000) != 0020000 || f->pos || f->size ||
	    f->f_flags & ~CKPT_PTY_FILE_FLAGS_ALL ||
	    (f->f_flags & 3) == 3 ||
	    (f->rdev != RD_PTY_MASTER_RDEV &&
	     rd_rdev_major(f->rdev) != RD_PTY_SLAVE_MAJOR))
		return rd_err(r, rec->off,
			      "pty FILE objref %d: mode %#o, flags %#o, rdev %#x, offset or size not 0",
			      f->objref, f->mode, f->f_flags, f->rdev);
	p = rd_pty_find(r, f->obj_objref);
	if (p)
		return rd_pty_file_end(r, rec, f, p);
	owner = rd_objref_owner(r, f->obj_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "FILE objref %d: pty objref %d is already taken (%s)",
			      f->objref, f->obj_objref, owner);
	r->pty_first = *f;
	r->state = RD_PTY;
	return 0;
}

static int rd_file(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file *f = &rec->u.file;

	if (rd_data_done(r, rec) || rd_with_files(r, rec))
		return -1;
	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)) || rd_file_check(r, rec))
		return -1;
	/* an INHERIT, PIPE or anonymous file's "path" only describes it */
	if (f->path_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*f) + CKPT_ALIGN_UP(f->path_len)) ||
	    rd_string(r, rec, f->path_len, rd_by_path(f->kind)))
		return -1;
	if (refset_add(&r->files, f->objref))
		return rd_err(r, rec->off, "out of memory");
	r->anon_type = rd_anon_type(f->kind);
	if (r->anon_type) {
		r->anon_file = f->objref;
		r->state = RD_ANON;
	}
	if (rd_is_pipe(f->kind))
		return rd_file_pipe(r, rec);
	if (f->kind == CKPT_FILE_PTY)
		return rd_file_pty(r, rec);
	if (f->kind == CKPT_FILE_UNLINKED)
		return rd_file_unlinked(r, rec);
	return f->kind == CKPT_FILE_UNIX ? rd_file_unix(r, rec) : 0;
}

/*
 * The UNLINKED record of an inode: a regular file's mode, an owner the
 * checkpointer could name, no more data than its size.  Its FILE_DATA
 * records come right after it.
 */
static int rd_unlinked(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unlinked *u = &rec->u.unlinked;

	if (rd_len(r, rec, sizeof(*u)) || rd_body(r, rec, sizeof(*u)))
		return -1;
	if (u->objref != r->inode_objref)
		return rd_err(r, rec->off,
			      "UNLINKED objref %d after FILE objref %d of inode %d",
			      u->objref, r->anon_file, r->inode_objref);
	if ((u->mode & 0170000) != 0100000 || u->mode & ~0177777U)
		return rd_err(r, rec->off, "UNLINKED mode %#o: no regular file",
			      u->mode);
	if (u->uid == (__u32)-1 || u->gid == (__u32)-1)
		return rd_err(r, rec->off, "bad UNLINKED owner %u:%u", u->uid,
			      u->gid);
	if (u->size > RD_MAX_FILE || u->data > u->size)
		return rd_err(r, rec->off,
			      "UNLINKED of size %llu with %llu bytes of data",
			      (unsigned long long)u->size,
			      (unsigned long long)u->data);
	if (u->atime_nsec >= 1000000000U || u->mtime_nsec >= 1000000000U)
		return rd_err(r, rec->off, "bad UNLINKED nanoseconds %u %u",
			      u->atime_nsec, u->mtime_nsec);
	r->data_objref = u->data ? r->anon_file : 0;
	r->data_off = 0;
	r->data_size = u->size;
	r->data_left = u->data;
	r->state = RD_EXTRA;
	return 0;
}

/*
 * A PIPE record: the pipe's size and how its nr_bufs buffers, which
 * follow nested, fill it.  What the counts allow is checked here, so
 * that a record that cannot add up fails at its start; the buffers are
 * checked against them as they come.
 */
static int rd_pipe(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pipe *p = &rec->u.pipe;
	__u64 base;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)))
		return -1;
	if (p->objref != r->pipe_objref)
		return rd_err(r, rec->off,
			      "PIPE objref %d after FILE objref %d of pipe %d",
			      p->objref, r->pipe_file, r->pipe_objref);
	if (p->pad)
		return rd_err(r, rec->off, "nonzero PIPE padding");
	/* a power of two no smaller than a page is a whole number of them */
	if (p->size < r->page_size || p->size > CKPT_PIPE_SIZE_MAX ||
	    p->size & (p->size - 1))
		return rd_err(r, rec->off, "bad PIPE size %u", p->size);
	if (p->bytes > p->size)
		return rd_err(r, rec->off, "PIPE bytes %llu above its size %u",
			      (unsigned long long)p->bytes, p->size);
	if (p->nr_bufs > p->size / r->page_size)
		return rd_err(r, rec->off,
			      "PIPE of %u buffers, more than its size %u holds",
			      p->nr_bufs, p->size);
	/* each buffer holds 1 to page_size bytes */
	if (p->bytes < p->nr_bufs ||
	    p->bytes > (__u64)p->nr_bufs * r->page_size)
		return rd_err(r, rec->off,
			      "PIPE of %u buffers cannot hold %llu bytes",
			      p->nr_bufs, (unsigned long long)p->bytes);
	/* each buffer's data is padded by 0 to CKPT_ALIGN - 1 bytes */
	base = sizeof(*p) + (__u64)p->nr_bufs *
	       sizeof(struct ckpt_hdr_pipe_buf) + p->bytes;
	if (rec->u.h.len < base ||
	    rec->u.h.len > base + (__u64)p->nr_bufs * (CKPT_ALIGN - 1))
		return rd_err(r, rec->off,
			      "bad PIPE record length %u for %u buffers of %llu bytes",
			      rec->u.h.len, p->nr_bufs,
			      (unsigned long long)p->bytes);
	r->pipe_objref = 0;
	r->pipe_off = rec->off;
	r->pipe_end = rec->off + rec->u.h.len;
	r->pipe_bytes = p->bytes;
	r->pipe_data = 0;
	r->bufs_left = r->nr_bufs = p->nr_bufs;
	r->state = p->nr_bufs ? RD_PIPE_BUF : RD_EXTRA;
	return 0;
}

static int rd_pipe_buf(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_pipe_buf *b = &rec->u.pipe_buf;

	if (rec->u.h.len < sizeof(*b))
		return rd_len(r, rec, sizeof(*b));
	if (rd_body(r, rec, sizeof(*b)))
		return -1;
	if (!b->len || b->len > r->page_size)
		return rd_err(r, rec->off, "bad PIPE_BUF length %u", b->len);
	if (b->flags & ~CKPT_PIPE_BUF_FLAGS ||
	    b->flags == CKPT_PIPE_BUF_FLAGS)
		return rd_err(r, rec->off, "unknown PIPE_BUF flags %#x",
			      b->flags);
	if (b->offset > r->page_size - b->len)
		return rd_err(r, rec->off,
			      "PIPE_BUF of %u bytes at offset %u runs past its page",
			      b->len, b->offset);
	if (b->pad)
		return rd_err(r, rec->off, "nonzero PIPE_BUF padding");
	if (rd_len(r, rec, sizeof(*b) + CKPT_ALIGN_UP(b->len)))
		return -1;
	if (b->len > r->pipe_bytes - r->pipe_data)
		return rd_err(r, rec->off,
			      "PIPE_BUF data past the %llu bytes of its PIPE",
			      (unsigned long long)r->pipe_bytes);
	if (rd_data(r, b->len, rec))
		return -1;
	r->pipe_data += b->len;
	r->bufs_left--;
	if (!r->bufs_left && r->pos != r->pipe_end)
		return rd_err(r, r->pipe_off,
			      "PIPE record has %llu bytes after its %u buffers",
			      (unsigned long long)(r->pipe_end - r->pos),
			      r->nr_bufs);
	if (r->bufs_left && r->pos == r->pipe_end)
		return rd_err(r, r->pipe_off,
			      "PIPE record ends after %u of its %u buffers",
			      r->nr_bufs - r->bufs_left, r->nr_bufs);
	if (!r->bufs_left && r->pipe_data != r->pipe_bytes)
		return rd_err(r, r->pipe_off,
			      "PIPE buffers hold %llu bytes, not its %llu",
			      (unsigned long long)r->pipe_data,
			      (unsigned long long)r->pipe_bytes);
	if (!r->bufs_left)
		r->state = RD_EXTRA;
	return 0;
}

static int rd_file_data(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_file_data *d = &rec->u.file_data;
	__u64 left;
	size_t n;

	if (rec->u.h.len < sizeof(*d))
		return rd_len(r, rec, sizeof(*d));
	if (rd_body(r, rec, sizeof(*d)))
		return -1;
	if (!r->data_objref || d->objref != r->data_objref ||
	    !d->len || d->len > CKPT_FILE_DATA_MAX || d->len > r->data_left)
		return rd_err(r, rec->off,
			      "FILE_DATA does not continue an unlinked file");
	if (d->offset < r->data_off || d->offset > r->data_size ||
	    d->len > r->data_size - d->offset)
		return rd_err(r, rec->off,
			      "FILE_DATA of %u bytes at %llu overlaps the one before (ending at %llu) or runs past the size %llu",
			      d->len, (unsigned long long)d->offset,
			      (unsigned long long)r->data_off,
			      (unsigned long long)r->data_size);
	if (rd_len(r, rec, sizeof(*d) + CKPT_ALIGN_UP(d->len)))
		return -1;
	for (left = CKPT_ALIGN_UP(d->len); left; left -= n) {
		n = left < r->buf_size ? left : r->buf_size;
		if (rd_need(r, r->buf, n, rec))
			return -1;
	}
	r->data_off = d->offset + d->len;
	r->data_left -= d->len;
	if (!r->data_left)
		r->data_objref = 0;
	return 0;
}

static int rd_files(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_files *f = &rec->u.files;

	if (rd_data_done(r, rec))
		return -1;
	if (rec->u.h.len < sizeof(*f))
		return rd_len(r, rec, sizeof(*f));
	if (rd_body(r, rec, sizeof(*f)))
		return -1;
	if (r->saw_files++)
		return rd_err(r, rec->off, "second FILES record");
	if (rd_obj_record(r, rec, CKPT_OBJ_KIND_FILES, f->objref))
		return -1;
	if (f->objref <= 0 || f->nr_fds > RD_MAX_FDS)
		return rd_err(r, rec->off, "bad FILES objref %d or count %u",
			      f->objref, f->nr_fds);
	if (rd_len(r, rec, sizeof(*f) +
		   (__u64)f->nr_fds * sizeof(struct ckpt_hdr_fd)))
		return -1;
	r->files_off = rec->off;
	r->files_end = rec->off + rec->u.h.len;
	r->fds_left = f->nr_fds;
	r->last_fd = -1;
	if (f->nr_fds)
		r->state = RD_FD;
	return 0;
}

static int rd_fd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_fd *f = &rec->u.fd;

	if (rd_len(r, rec, sizeof(*f)) || rd_body(r, rec, sizeof(*f)))
		return -1;
	if (f->fd <= r->last_fd || f->flags & ~CKPT_FD_CLOEXEC || f->pad)
		return rd_err(r, rec->off, "bad FD %d (after %d) flags %#x",
			      f->fd, r->last_fd, f->flags);
	if (!rd_file_known(r, f->file_objref))
		return rd_err(r, rec->off, "FD %d names unknown file objref %d",
			      f->fd, f->file_objref);
	r->last_fd = f->fd;
	if (--r->fds_left == 0)
		r->state = RD_EXTRA;
	return 0;
}

/* What restart requires before the contents. */
static int rd_extra_done(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (rd_data_done(r, rec))
		return -1;
	const char *missing = NULL;

	if (r->sec_new[CKPT_OBJ_KIND_FS] && !r->saw_fs)
		missing = "FS";
	else if (r->sec_new[CKPT_OBJ_KIND_FILES] && !r->saw_files)
		missing = "FILES";
	else if (r->sec_new[CKPT_OBJ_KIND_SIGHAND] && !r->saw_sighand)
		missing = "SIGHAND";
	else if (!r->saw_signal)
		missing = "SIGNAL";
	else if (!r->saw_cred)
		missing = "CRED";
	else if (r->sec_new[CKPT_OBJ_KIND_SIGNAL] && !r->saw_rlimits)
		missing = "RLIMITS";
	if (missing)
		return rd_err(r, rec->off,
			      "no %s record in the section of task %d",
			      missing, r->tasks[r->section].pid);
	return 0;
}

/*
 * Records that may stand, in any order, between the CPU record and the
 * first PAGES record: each type's check, as the kernel's restart does it.
 */
typedef int (*rd_fn)(struct ckpt_reader *r, struct ckpt_rec *rec);

/* ---- identity: CRED and RLIMITS ---- */

static int rd_once(struct ckpt_reader *r, const struct ckpt_rec *rec,
		   int *seen)
{
	if ((*seen)++)
		return rd_err(r, rec->off, "second %s record",
			      ckpt_type_name(rec->u.h.type));
	return 0;
}

static int rd_cred_groups(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.cred.ngroups, i, gid;

	if (rd_data(r, (size_t)n * sizeof(gid), rec))
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(&gid, r->buf + i * sizeof(gid), sizeof(gid));
		if (gid == (__u32)-1)
			return rd_err(r, rec->off, "CRED group id -1");
	}
	return 0;
}

/* (uid_t)-1 is no user: the kernel cannot map it. */
static int rd_cred_ids(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cred *c = &rec->u.cred;
	const __u32 ids[] = { c->uid, c->euid, c->suid, c->fsuid,
			      c->gid, c->egid, c->sgid, c->fsgid };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (ids[i] == (__u32)-1)
			return rd_err(r, rec->off, "CRED id -1");
	}
	return 0;
}

static int rd_cred(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_cred *c = &rec->u.cred;
	__u64 all;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)) || rd_once(r, rec, &r->saw_cred))
		return -1;
	if (c->ngroups > CKPT_NGROUPS_MAX)
		return rd_err(r, rec->off, "too many CRED groups (%u)",
			      c->ngroups);
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP((__u64)c->ngroups * 4)))
		return -1;
	if (rd_cred_ids(r, rec))
		return -1;
	all = c->cap_inheritable | c->cap_permitted | c->cap_effective |
	      c->cap_bset | c->cap_ambient;
	if (all & ~RD_CAP_VALID || c->securebits & ~RD_SECUREBITS_VALID ||
	    c->cap_effective & ~c->cap_permitted ||
	    c->cap_ambient & ~(c->cap_permitted & c->cap_inheritable))
		return rd_err(r, rec->off,
			      "bad CRED capability sets or securebits");
	return rd_cred_groups(r, rec);
}

/*
 * Process-wide state (RLIMITS, POSIX_TIMER, SIGINFO of the shared queue)
 * comes with the first section naming the signal objref.
 */
static int rd_process_wide(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	if (!r->sec_new[CKPT_OBJ_KIND_SIGNAL])
		return rd_err(r, rec->off,
			      "%s record in the section of task %d, whose process's signal state came earlier",
			      ckpt_type_name(rec->u.h.type),
			      r->tasks[r->section].pid);
	return 0;
}

static int rd_rlimits(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_rlimit *rl = rec->u.rlimits.rlim;
	int i;

	if (rd_len(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_body(r, rec, sizeof(rec->u.rlimits)) ||
	    rd_once(r, rec, &r->saw_rlimits))
		return -1;
	if (r->state == RD_ZRLIMITS)
		r->state = RD_TASK;	/* the zombie's section is complete */
	else if (rd_process_wide(r, rec))
		return -1;
	for (i = 0; i < CKPT_RLIM_NLIMITS; i++) {
		if (rl[i].cur > rl[i].max)
			return rd_err(r, rec->off,
				      "RLIMITS: limit %d soft above hard", i);
	}
	if (rl[RD_RLIMIT_CPU].cur != CKPT_RLIM_INFINITY)
		return rd_err(r, rec->off, "RLIMITS: finite CPU soft limit");
	return 0;
}

/* ---- signals: SIGHAND, SIGNAL, SIGINFO and RESTART_BLOCK ---- */

#define RD_SIGKILL		9
#define RD_SIGSTOP		19
#define RD_SIGRTMIN		32
#define RD_SIG_UNBLOCKABLE	((1ULL << (RD_SIGKILL - 1)) | \
				 (1ULL << (RD_SIGSTOP - 1)))
#define RD_SA_FLAGS		0xdc000807ULL	/* x86-64 UAPI_SA_FLAGS */
#define RD_SS_ONSTACK		1U
#define RD_SS_DISABLE		2U
#define RD_SS_AUTODISARM	(1U << 31)
#define RD_MINSIGSTKSZ		2048U
#define RD_KTIME_MAX		0x7fffffffffffffffULL
#define RD_MAX_SIGINFO		(64U << 10)
#define RD_SI_TIMER		(-2)
#define RD_SIGEV_SIGNAL		0
#define RD_SIGEV_NONE		1
#define RD_SIGEV_THREAD		2
#define RD_SIGEV_THREAD_ID	4
#define RD_MAX_TIMERS		(64U << 10)

static int rd_sigaction(struct ckpt_reader *r, const struct ckpt_rec *rec,
			int sig, const struct ckpt_sigaction *a)
{
	int kernel_only = sig == RD_SIGKILL || sig == RD_SIGSTOP;

	if (a->mask & RD_SIG_UNBLOCKABLE)
		return rd_err(r, rec->off,
			      "signal %d's mask holds SIGKILL or SIGSTOP", sig);
	if (a->handler >= RD_TASK_SIZE || a->restorer >= RD_TASK_SIZE)
		return rd_err(r, rec->off,
			      "signal %d's handler or restorer outside user space",
			      sig);
	if (a->flags & ~RD_SA_FLAGS)
		return rd_err(r, rec->off, "signal %d has unknown flags %#llx",
			      sig, (unsigned long long)a->flags);
	if (kernel_only && (a->handler || a->flags || a->restorer || a->mask))
		return rd_err(r, rec->off, "signal %d cannot have an action",
			      sig);
	return 0;
}

static int rd_sighand(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	int i;

	if (rd_len(r, rec, sizeof(rec->u.sighand)) ||
	    rd_body(r, rec, sizeof(rec->u.sighand)) ||
	    rd_once(r, rec, &r->saw_sighand) ||
	    rd_obj_record(r, rec, CKPT_OBJ_KIND_SIGHAND,
			  rec->u.sighand.objref))
		return -1;
	if (rec->u.sighand.pad)
		return rd_err(r, rec->off, "nonzero SIGHAND padding");
	for (i = 0; i < CKPT_NSIG; i++) {
		if (rd_sigaction(r, rec, i + 1, &rec->u.sighand.action[i]))
			return -1;
	}
	return 0;
}

static int rd_altstack(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;
	__u32 mode = s->altstack_flags & ~RD_SS_AUTODISARM;
	__u64 sp = s->altstack_sp, size = s->altstack_size;
	int ok;

	if (!size)
		ok = !sp;
	else
		ok = mode != RD_SS_DISABLE && size >= RD_MINSIGSTKSZ &&
		     sp < RD_TASK_SIZE && size <= RD_TASK_SIZE - sp;
	if (mode != 0 && mode != RD_SS_ONSTACK && mode != RD_SS_DISABLE)
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad alternate stack %#llx size %llu flags %#x",
			      (unsigned long long)sp, (unsigned long long)size,
			      s->altstack_flags);
	return 0;
}

static int rd_signal(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signal *s = &rec->u.signal;

	if (rd_len(r, rec, sizeof(*s)) || rd_body(r, rec, sizeof(*s)) ||
	    rd_once(r, rec, &r->saw_signal))
		return -1;
	if (s->flags & ~CKPT_SIGNAL_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown SIGNAL flags %#x", s->flags);
	if (!(s->flags & CKPT_SIGNAL_RESTORE_SIGMASK) && s->saved_sigmask)
		return rd_err(r, rec->off, "saved mask without a sleep");
	if (s->real.value > RD_KTIME_MAX || s->real.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad ITIMER_REAL value or interval");
	if (s->virt.value > RD_KTIME_MAX || s->virt.interval > RD_KTIME_MAX ||
	    s->prof.value > RD_KTIME_MAX || s->prof.interval > RD_KTIME_MAX)
		return rd_err(r, rec->off,
			      "bad ITIMER_VIRTUAL or ITIMER_PROF value or interval");
	if (s->next_timer_id > 0x7fffffffU || s->pad)
		return rd_err(r, rec->off, "bad next timer id %u",
			      s->next_timer_id);
	return rd_altstack(r, rec);
}

static int rd_siginfo(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_siginfo *si = &rec->u.siginfo;
	__u64 bit;

	if (rd_len(r, rec, sizeof(*si)) || rd_body(r, rec, sizeof(*si)))
		return -1;
	if (si->queue != CKPT_SIGQ_THREAD && si->queue != CKPT_SIGQ_PROCESS)
		return rd_err(r, rec->off, "unknown signal queue %u",
			      si->queue);
	if (si->queue == CKPT_SIGQ_PROCESS && rd_process_wide(r, rec))
		return -1;
	if (si->signo < 1 || si->signo > CKPT_NSIG ||
	    si->signo == RD_SIGKILL || si->signo == RD_SIGSTOP)
		return rd_err(r, rec->off, "bad pending signal number %d",
			      si->signo);
	if (si->si_code == RD_SI_TIMER)
		return rd_err(r, rec->off, "POSIX timer signal %d pending",
			      si->signo);
	bit = 1ULL << (si->signo - 1);
	if (si->signo < RD_SIGRTMIN &&
	    (r->std_queued[si->queue - 1] & bit))
		return rd_err(r, rec->off, "signal %d queued twice",
			      si->signo);
	r->std_queued[si->queue - 1] |= bit;
	if (++r->nr_siginfo > RD_MAX_SIGINFO)
		return rd_err(r, rec->off, "too many pending signals");
	return 0;
}

static int rd_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7 || clock == 11;
}

static int rd_restart_block(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_restart_block *b = &rec->u.restart_block;
	int ok = 0;

	if (rd_len(r, rec, sizeof(*b)) || rd_body(r, rec, sizeof(*b)) ||
	    rd_once(r, rec, &r->saw_restart_block))
		return -1;
	if (!r->in_restart_block)
		return rd_err(r, rec->off,
			      "RESTART_BLOCK without an interrupted call");
	if (b->kind == CKPT_RESTART_NANOSLEEP)
		ok = rd_clock_ok(b->clockid) && !b->nfds && !b->has_timeout &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_POLL)
		ok = !b->clockid && b->nfds <= 0x7fffffffU &&
		     b->has_timeout <= 1 && (b->has_timeout || !b->remaining) &&
		     !b->val && !b->bitset && !b->futex_flags;
	else if (b->kind == CKPT_RESTART_FUTEX)
		ok = (b->clockid == 0 || b->clockid == 1) && !b->nfds &&
		     !b->has_timeout && b->bitset &&
		     !(b->futex_flags & ~CKPT_FUTEX_FLAGS_ALL) &&
		     !(b->uaddr & 3);
	if (!ok || b->pad || b->uaddr >= RD_TASK_SIZE ||
	    b->remaining > RD_KTIME_MAX)
		return rd_err(r, rec->off, "bad RESTART_BLOCK kind %u", b->kind);
	return 0;
}

/* CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME */
static int rd_timer_clock_ok(__s32 clock)
{
	return clock == 0 || clock == 1 || clock == 7;
}

static int rd_posix_timer(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_posix_timer *t = &rec->u.posix_timer;
	int ok;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)) ||
	    rd_process_wide(r, rec))
		return -1;
	ok = t->id >= 0 && rd_timer_clock_ok(t->clockid) &&
	     t->it.value <= RD_KTIME_MAX && t->it.interval <= RD_KTIME_MAX;
	if (t->notify == RD_SIGEV_NONE)
		ok = ok && !t->signo;
	else if (t->notify == RD_SIGEV_SIGNAL ||
		 t->notify == RD_SIGEV_THREAD ||
		 t->notify == RD_SIGEV_THREAD_ID)
		ok = ok && t->signo >= 1 && t->signo <= CKPT_NSIG;
	else
		ok = 0;
	if (!ok)
		return rd_err(r, rec->off,
			      "bad POSIX timer %d: clock %d, notification %d, signal %d or time",
			      t->id, t->clockid, t->notify, t->signo);
	if (++r->nr_timers > RD_MAX_TIMERS)
		return rd_err(r, rec->off, "too many POSIX timers");
	return 0;
}

/* ---- eventfd, signalfd, timerfd, epoll: a record after their FILE ---- */

/* The record of the FILE before it: it carries that FILE's objref. */
static int rd_anon_objref(struct ckpt_reader *r, const struct ckpt_rec *rec,
			  __s32 objref)
{
	if (objref != r->anon_file)
		return rd_err(r, rec->off, "%s objref %d after FILE objref %d",
			      ckpt_type_name(rec->u.h.type), objref,
			      r->anon_file);
	r->state = RD_EXTRA;
	return 0;
}

static int rd_eventfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_eventfd *e = &rec->u.eventfd;

	if (rd_len(r, rec, sizeof(*e)) || rd_body(r, rec, sizeof(*e)) ||
	    rd_anon_objref(r, rec, e->objref))
		return -1;
	if (e->flags & ~CKPT_EVENTFD_SEMAPHORE)
		return rd_err(r, rec->off, "unknown EVENTFD flags %#x",
			      e->flags);
	/* eventfd_write() never lets the counter reach ULLONG_MAX */
	if (e->count == ~0ULL)
		return rd_err(r, rec->off, "bad EVENTFD count %#llx",
			      (unsigned long long)e->count);
	return 0;
}

static int rd_signalfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_signalfd *s = &rec->u.signalfd;

	if (rd_len(r, rec, sizeof(*s)) || rd_body(r, rec, sizeof(*s)) ||
	    rd_anon_objref(r, rec, s->objref))
		return -1;
	if (s->pad)
		return rd_err(r, rec->off, "nonzero SIGNALFD padding");
	/* signalfd() drops them: they are never read from one */
	if (s->sigmask & RD_SIG_UNBLOCKABLE)
		return rd_err(r, rec->off,
			      "SIGNALFD mask %#llx holds SIGKILL or SIGSTOP",
			      (unsigned long long)s->sigmask);
	return 0;
}

static int rd_timerfd(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_timerfd *t = &rec->u.timerfd;

	if (rd_len(r, rec, sizeof(*t)) || rd_body(r, rec, sizeof(*t)) ||
	    rd_anon_objref(r, rec, t->objref))
		return -1;
	if (!rd_timer_clock_ok(t->clockid))
		return rd_err(r, rec->off, "bad TIMERFD clock %d", t->clockid);
	if (t->flags & ~CKPT_TIMERFD_CANCEL_ON_SET)
		return rd_err(r, rec->off, "unknown TIMERFD flags %#x",
			      t->flags);
	/* only a clock that can be set has settings to cancel on */
	if (t->flags & CKPT_TIMERFD_CANCEL_ON_SET && t->clockid != 0)
		return rd_err(r, rec->off,
			      "TIMERFD cancel-on-set on clock %d, not CLOCK_REALTIME",
			      t->clockid);
	if (t->pad)
		return rd_err(r, rec->off, "nonzero TIMERFD padding");
	return 0;
}

/* An EPOLL record: exactly its nr_items ITEMs follow, nested. */
static int rd_epoll(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll *e = &rec->u.epoll;

	if (rec->u.h.len < sizeof(*e))
		return rd_len(r, rec, sizeof(*e));
	if (rd_body(r, rec, sizeof(*e)) || rd_anon_objref(r, rec, e->objref))
		return -1;
	if (e->nr_items > RD_EPOLL_ITEMS_MAX)
		return rd_err(r, rec->off, "EPOLL of %u watches (at most %u)",
			      e->nr_items, RD_EPOLL_ITEMS_MAX);
	if (rd_len(r, rec, sizeof(*e) + (__u64)e->nr_items *
		   sizeof(struct ckpt_hdr_epoll_item)))
		return -1;
	r->epoll_objref = e->objref;
	r->epoll_off = rec->off;
	r->epoll_end = rec->off + rec->u.h.len;
	r->items_left = e->nr_items;
	if (e->nr_items)
		r->state = RD_EPOLL_ITEM;
	return 0;
}

/*
 * A watch is on a file restart has opened already: an earlier FILE
 * record, in any section, and not the epoll itself, which epoll_ctl()
 * refuses and which does not exist yet while its watches are added.
 */
static int rd_epoll_target(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll_item *i = &rec->u.epoll_item;
	const char *owner;

	if (i->file_objref == r->epoll_objref)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d names its own epoll, objref %d",
			      i->fd, i->file_objref);
	if (rd_file_known(r, i->file_objref))
		return 0;
	owner = rd_objref_owner(r, i->file_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d names objref %d, which is a %s, not a file",
			      i->fd, i->file_objref, owner);
	return rd_err(r, rec->off,
		      "EPOLL_ITEM fd %d names file objref %d, which no FILE record before it has",
		      i->fd, i->file_objref);
}

static int rd_epoll_item(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_epoll_item *i = &rec->u.epoll_item;

	if (rd_len(r, rec, sizeof(*i)) || rd_body(r, rec, sizeof(*i)))
		return -1;
	if (i->fd < 0)
		return rd_err(r, rec->off, "bad EPOLL_ITEM fd %d", i->fd);
	if (i->pad)
		return rd_err(r, rec->off, "nonzero EPOLL_ITEM padding");
	if (i->events & ~RD_EPOLL_EVENTS)
		return rd_err(r, rec->off,
			      "EPOLL_ITEM fd %d has events %#x, which epoll_ctl() refuses",
			      i->fd, i->events);
	if (rd_epoll_target(r, rec))
		return -1;
	if (!--r->items_left)
		r->state = RD_EXTRA;
	return 0;
}

/* ---- unix sockets: UNIX records after the first FILE naming one ---- */

/* What a UNIX record's own fields must say, wherever it stands. */
static int rd_unix_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *state = ckpt_unix_state_name(u->state);
	int connected = u->state == CKPT_UNIX_CONNECTED;
	int listening = u->state == CKPT_UNIX_LISTEN;

	if (listening ? u->nr_pending > u->backlog + 1ULL : u->nr_pending)
		return rd_err(r, rec->off,
			      "%s UNIX objref %d with %u connections pending",
			      state, u->objref, u->nr_pending);
	if (u->flags & CKPT_UNIX_EMBRYO &&
	    (!connected || u->flags != CKPT_UNIX_EMBRYO || u->addr_len))
		return rd_err(r, rec->off,
			      "UNIX objref %d: an embryo with flags %#x, address of %u bytes",
			      u->objref, u->flags, u->addr_len);
	if (u->type != RD_SOCK_STREAM && u->type != RD_SOCK_DGRAM &&
	    u->type != RD_SOCK_SEQPACKET)
		return rd_err(r, rec->off, "bad UNIX type %u", u->type);
	if (u->state < CKPT_UNIX_UNCONNECTED || u->state > CKPT_UNIX_LISTEN)
		return rd_err(r, rec->off, "bad UNIX state %u", u->state);
	if (u->flags & ~CKPT_UNIX_FLAGS_ALL)
		return rd_err(r, rec->off, "unknown UNIX flags %#x", u->flags);
	if (u->flags & CKPT_UNIX_UNLINKED && !(u->flags & CKPT_UNIX_BOUND))
		return rd_err(r, rec->off, "UNIX objref %d: UNLINKED, not bound",
			      u->objref);
	if (u->shutdown & ~(CKPT_UNIX_SHUT_RD | CKPT_UNIX_SHUT_WR))
		return rd_err(r, rec->off, "unknown UNIX shutdown %#x",
			      u->shutdown);
	if (connected ? u->peer_objref <= 0 : u->peer_objref != 0)
		return rd_err(r, rec->off,
			      "%s UNIX objref %d with peer objref %d", state,
			      u->objref, u->peer_objref);
	/* listen() refuses a datagram socket */
	if (listening && u->type == RD_SOCK_DGRAM)
		return rd_err(r, rec->off, "listening dgram UNIX objref %d",
			      u->objref);
	if (listening ? u->backlog > RD_UNIX_BACKLOG_MAX : u->backlog != 0)
		return rd_err(r, rec->off, "%s UNIX objref %d with backlog %u",
			      state, u->objref, u->backlog);
	/* listen() refuses an unbound socket: a listener has a name */
	if (listening && !u->addr_len)
		return rd_err(r, rec->off,
			      "listening UNIX objref %d without an address",
			      u->objref);
	/*
	 * Queues are saved for connected sockets only: a listener's holds
	 * connections not accepted yet, not data, and an unconnected
	 * socket's has no peer in the image to have sent it.
	 */
	if (!connected && u->nr_skbs)
		return rd_err(r, rec->off, "%s UNIX objref %d with %u skbs",
			      state, u->objref, u->nr_skbs);
	/* only an accepted socket has an address it was not bound to */
	if (u->flags & CKPT_UNIX_BOUND ? !u->addr_len :
	    u->addr_len && (!connected || u->type == RD_SOCK_DGRAM))
		return rd_err(r, rec->off,
			      "%s UNIX objref %d: address of %u bytes, flags %#x",
			      state, u->objref, u->addr_len, u->flags);
	return 0;
}

/*
 * The sizes: what the counts allow is checked here, so that a record
 * that cannot add up fails at its start; the skbs are checked against
 * them as they come.
 */
static int rd_unix_size(struct ckpt_reader *r, const struct ckpt_rec *rec,
			int attrs)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	__u64 base;

	if (u->addr_len > RD_UNIX_PATH_MAX)
		return rd_err(r, rec->off, "bad UNIX address length %u",
			      u->addr_len);
	if (u->nr_skbs > CKPT_UNIX_SKBS_MAX)
		return rd_err(r, rec->off, "UNIX of %u skbs (at most %u)",
			      u->nr_skbs, CKPT_UNIX_SKBS_MAX);
	if (u->bytes > CKPT_UNIX_BYTES_MAX)
		return rd_err(r, rec->off, "UNIX of %llu bytes (at most %u)",
			      (unsigned long long)u->bytes,
			      CKPT_UNIX_BYTES_MAX);
	/* each skb holds up to CKPT_UNIX_SKB_MAX bytes, a stream one 1+ */
	if ((u->type == RD_SOCK_STREAM && u->bytes < u->nr_skbs) ||
	    u->bytes > (__u64)u->nr_skbs * CKPT_UNIX_SKB_MAX)
		return rd_err(r, rec->off,
			      "UNIX of %u skbs cannot hold %llu bytes",
			      u->nr_skbs, (unsigned long long)u->bytes);
	/* each skb's data is padded by 0 to CKPT_ALIGN - 1 bytes */
	base = sizeof(*u) + CKPT_ALIGN_UP(u->addr_len) + (__u64)u->nr_skbs *
	       sizeof(struct ckpt_hdr_unix_skb) + u->bytes;
	if (rec->u.h.len < base ||
	    rec->u.h.len > base + (__u64)u->nr_skbs * (CKPT_ALIGN - 1) +
			   (attrs ? sizeof(struct ckpt_unix_attrs) : 0) +
			   (__u64)u->nr_skbs * CKPT_ALIGN_UP(CKPT_UNIX_SKB_FDS_MAX *
						      sizeof(__s32)))
		return rd_err(r, rec->off,
			      "bad UNIX record length %u for an address of %u bytes and %u skbs of %llu bytes",
			      rec->u.h.len, u->addr_len, u->nr_skbs,
			      (unsigned long long)u->bytes);
	return 0;
}

/*
 * A connected pair is one object.  The first record of a socket names a
 * peer not met before, whose record comes right after it; that one
 * names it back, with the same type, and only it may be PEER_CLOSED:
 * the end met first is the one a FILE named.  An objref names one
 * object, so the peer's is no earlier socket's, nor anything else's.
 */
static int rd_unix_pair(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *owner;

	if (u->flags & CKPT_UNIX_PEER_CLOSED && !r->unix_first)
		return rd_err(r, rec->off,
			      "PEER_CLOSED on UNIX objref %d, which is not the second record of a connected pair",
			      u->objref);
	if (r->unix_first) {
		if (u->peer_objref == r->unix_first &&
		    u->type == r->unix_type)
			return 0;
		return rd_err(r, rec->off,
			      "UNIX objref %d (%s, peer %d) is not the peer of the %s socket %d before it",
			      u->objref, ckpt_sock_type_name(u->type),
			      u->peer_objref, ckpt_sock_type_name(r->unix_type),
			      r->unix_first);
	}
	if (u->state != CKPT_UNIX_CONNECTED)
		return 0;
	if (u->peer_objref == u->objref)
		return rd_err(r, rec->off, "UNIX objref %d is its own peer",
			      u->objref);
	owner = rd_objref_owner(r, u->peer_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "UNIX objref %d: peer objref %d is already taken (%s)",
			      u->objref, u->peer_objref, owner);
	if (refset_add(&r->socks, u->peer_objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_peer = u->peer_objref;
	r->unix_type = u->type;
	return 0;
}

/*
 * After a listener, its pending connections: each the connecting
 * socket's record (a new objref, its peer the embryo's new one, nothing
 * queued for it), then the embryo's (EMBRYO, naming it back), which no
 * FILE may name.
 */
static int rd_unix_pending(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;
	const char *owner;

	if (r->unix_client) {
		if (u->objref == r->unix_objref &&
		    u->peer_objref == r->unix_client &&
		    u->flags & CKPT_UNIX_EMBRYO && u->type == r->unix_lsn_type)
			return refset_add(&r->closed_socks, u->objref) ?
			       rd_err(r, rec->off, "out of memory") : 0;
		return rd_err(r, rec->off,
			      "UNIX objref %d is not the embryo %d of the socket %d connecting before it",
			      u->objref, r->unix_objref, r->unix_client);
	}
	if (u->state != CKPT_UNIX_CONNECTED || u->flags & CKPT_UNIX_EMBRYO ||
	    u->nr_skbs || u->type != r->unix_lsn_type ||
	    u->peer_objref == u->objref)
		return rd_err(r, rec->off,
			      "UNIX objref %d (%s %s, peer %d, %u skbs) is no connection waiting at a %s listener",
			      u->objref, ckpt_unix_state_name(u->state),
			      ckpt_sock_type_name(u->type), u->peer_objref,
			      u->nr_skbs, ckpt_sock_type_name(r->unix_lsn_type));
	owner = rd_objref_owner(r, u->objref) ?:
		rd_objref_owner(r, u->peer_objref);
	if (owner)
		return rd_err(r, rec->off,
			      "UNIX objref %d, peer %d: an objref is already taken (%s)",
			      u->objref, u->peer_objref, owner);
	if (refset_add(&r->socks, u->objref) ||
	    refset_add(&r->socks, u->peer_objref))
		return rd_err(r, rec->off, "out of memory");
	return 0;
}

#define RD_S_IFMT	0170000
#define RD_S_IFSOCK	0140000

/* After a path a socket is BOUND to: its file's owner and mode. */
static int rd_unix_attrs(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_unix_attrs ua;

	if (rd_data(r, sizeof(ua), rec))
		return -1;
	memcpy(&ua, r->buf, sizeof(ua));
	if ((ua.mode & RD_S_IFMT) != RD_S_IFSOCK ||
	    ua.mode & ~(RD_S_IFMT | 07777) || ua.pad ||
	    ua.uid == (__u32)-1 || ua.gid == (__u32)-1)
		return rd_err(r, rec->off,
			      "UNIX objref %d: its file of mode %#o, owner %u:%u, padding %u",
			      rec->u.unix_sock.objref, ua.mode, ua.uid, ua.gid,
			      ua.pad);
	return 0;
}

/*
 * The bound address, into rec->path: a leading NUL makes it abstract,
 * any bytes; otherwise it is a path, absolute - restart binds it again
 * and cannot know what a relative one was relative to - and ending in
 * its only NUL.
 */
static int rd_unix_addr(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.unix_sock.addr_len;

	rec->path[0] = '\0';
	if (!n)
		return 0;
	if (rd_data(r, n, rec))
		return -1;
	memcpy(rec->path, r->buf, n);
	if (rec->path[0] &&
	    (rec->path[0] != '/' || strnlen(rec->path, n) != n - 1))
		return rd_err(r, rec->off,
			      "UNIX objref %d bound to a path that is not absolute and NUL-terminated",
			      rec->u.unix_sock.objref);
	/* an abstract name is no file: nothing to unlink */
	if (rec->u.unix_sock.flags & CKPT_UNIX_UNLINKED && !rec->path[0])
		return rd_err(r, rec->off,
			      "UNIX objref %d: UNLINKED, bound to an abstract name",
			      rec->u.unix_sock.objref);
	if (rec->u.unix_sock.flags & CKPT_UNIX_BOUND && rec->path[0])
		return rd_unix_attrs(r, rec);
	/* an abstract name has no file: its record no room for one */
	return rd_unix_size(r, rec, 0);
}

/*
 * After a socket's record and skbs: its new peer's record, a listener's
 * pending connections, or the rest.
 */
static void rd_unix_done(struct ckpt_reader *r, const struct ckpt_hdr_unix *u)
{
	if (u && u->state == CKPT_UNIX_LISTEN && u->nr_pending) {
		r->unix_pending = u->nr_pending;
		r->unix_lsn_type = u->type;
		r->unix_client = 0;
		r->unix_objref = 0;
		r->state = RD_UNIX;
		return;
	}
	if (r->unix_pending && !r->unix_client) {
		/* the connecting socket's: its embryo comes next */
		r->unix_client = r->unix_objref;
		r->unix_objref = r->unix_peer;
		r->unix_peer = 0;
		r->state = RD_UNIX;
		return;
	}
	if (r->unix_pending && --r->unix_pending) {
		r->unix_client = 0;
		r->unix_objref = 0;
		r->state = RD_UNIX;
		return;
	}
	r->unix_client = 0;
	if (r->unix_peer) {
		r->unix_first = r->unix_objref;
		r->unix_objref = r->unix_peer;
		r->unix_peer = 0;
		r->state = RD_UNIX;
		return;
	}
	r->unix_objref = 0;
	r->unix_first = 0;
	r->state = RD_EXTRA;
}

static int rd_unix(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix *u = &rec->u.unix_sock;

	if (rec->u.h.len < sizeof(*u))
		return rd_len(r, rec, sizeof(*u));
	if (rd_body(r, rec, sizeof(*u)))
		return -1;
	if (r->unix_pending) {
		if (rd_unix_fields(r, rec) ||
		    rd_unix_size(r, rec, u->flags & CKPT_UNIX_BOUND) ||
		    rd_unix_pending(r, rec) || rd_unix_addr(r, rec))
			return -1;
		/* the connecting socket names its embryo, read next */
		if (!r->unix_client) {
			r->unix_objref = u->objref;
			r->unix_peer = u->peer_objref;
		}
	} else if (u->objref != r->unix_objref && r->unix_first) {
		return rd_err(r, rec->off,
			      "UNIX objref %d after socket %d, whose peer %d comes next",
			      u->objref, r->unix_first, r->unix_objref);
	} else if (u->objref != r->unix_objref) {
		return rd_err(r, rec->off,
			      "UNIX objref %d after FILE objref %d of socket %d",
			      u->objref, r->unix_file, r->unix_objref);
	} else if (u->flags & CKPT_UNIX_EMBRYO) {
		return rd_err(r, rec->off,
			      "UNIX objref %d: an embryo, not after a listener",
			      u->objref);
	} else if (rd_unix_fields(r, rec) ||
		   rd_unix_size(r, rec, u->flags & CKPT_UNIX_BOUND) ||
		   rd_unix_pair(r, rec) || rd_unix_addr(r, rec)) {
		return -1;
	}
	if (u->flags & CKPT_UNIX_PEER_CLOSED &&
	    refset_add(&r->closed_socks, u->objref))
		return rd_err(r, rec->off, "out of memory");
	r->unix_off = rec->off;
	r->unix_end = rec->off + rec->u.h.len;
	r->unix_bytes = u->bytes;
	r->unix_skb_type = u->type;
	r->unix_data = 0;
	r->skbs_left = r->nr_skbs = u->nr_skbs;
	r->unix_hdr = *u;
	if (u->nr_skbs)
		r->state = RD_UNIX_SKB;
	else
		rd_unix_done(r, u);
	return 0;
}

/* The files in flight with a queued skb: FILEs of the image before it. */
static int rd_unix_skb_fds(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	__u32 n = rec->u.unix_skb.nr_fds, i;
	__s32 ref;

	if (!n)
		return 0;
	if (rd_data(r, n * sizeof(ref), rec))
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(&ref, r->buf + i * sizeof(ref), sizeof(ref));
		if (!rd_file_known(r, ref))
			return rd_err(r, rec->off,
				      "UNIX_SKB: file objref %d in flight is no FILE before it",
				      ref);
	}
	return 0;
}

static int rd_unix_skb(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_unix_skb *s = &rec->u.unix_skb;
	__u64 left;

	if (rec->u.h.len < sizeof(*s))
		return rd_len(r, rec, sizeof(*s));
	if (rd_body(r, rec, sizeof(*s)))
		return -1;
	/* a datagram may be empty, a run of stream bytes not */
	if ((!s->len && r->unix_skb_type == RD_SOCK_STREAM) ||
	    s->len > CKPT_UNIX_SKB_MAX)
		return rd_err(r, rec->off, "bad UNIX_SKB length %u", s->len);
	if (s->nr_fds > CKPT_UNIX_SKB_FDS_MAX)
		return rd_err(r, rec->off, "UNIX_SKB with %u files in flight",
			      s->nr_fds);
	if (rd_len(r, rec, sizeof(*s) + CKPT_ALIGN_UP(s->len) +
			   CKPT_ALIGN_UP(s->nr_fds * sizeof(__s32))))
		return -1;
	if (s->len > r->unix_bytes - r->unix_data)
		return rd_err(r, rec->off,
			      "UNIX_SKB data past the %llu bytes of its UNIX",
			      (unsigned long long)r->unix_bytes);
	/* more than the bounce buffer holds: the last piece, then padding */
	for (left = s->len; left > r->buf_size; left -= r->buf_size) {
		if (rd_need(r, r->buf, r->buf_size, rec))
			return -1;
	}
	if (rd_data(r, left, rec) || rd_unix_skb_fds(r, rec))
		return -1;
	r->unix_data += s->len;
	r->skbs_left--;
	if (!r->skbs_left && r->pos != r->unix_end)
		return rd_err(r, r->unix_off,
			      "UNIX record has %llu bytes after its %u skbs",
			      (unsigned long long)(r->unix_end - r->pos),
			      r->nr_skbs);
	if (r->skbs_left && r->pos == r->unix_end)
		return rd_err(r, r->unix_off,
			      "UNIX record ends after %u of its %u skbs",
			      r->nr_skbs - r->skbs_left, r->nr_skbs);
	if (!r->skbs_left && r->unix_data != r->unix_bytes)
		return rd_err(r, r->unix_off,
			      "UNIX skbs hold %llu bytes, not its %llu",
			      (unsigned long long)r->unix_data,
			      (unsigned long long)r->unix_bytes);
	if (!r->skbs_left)
		rd_unix_done(r, &r->unix_hdr);
	return 0;
}

/* ---- inotify: its EVENTs, then its WATCHes, nested in INOTIFY ---- */

/* After the INOTIFY or one of its records: what comes next. */
static int rd_inotify_next(struct ckpt_reader *r)
{
	if (r->ino_events_left) {
		r->state = RD_INOTIFY_EVENT;
		return 0;
	}
	if (r->ino_watches_left) {
		r->state = RD_INOTIFY_WATCH;
		return 0;
	}
	r->state = RD_EXTRA;
	if (r->pos != r->ino_end)
		return rd_err(r, r->ino_off,
			      "INOTIFY record has %llu bytes after its records",
			      (unsigned long long)(r->ino_end - r->pos));
	return 0;
}

static int rd_inotify(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify *i = &rec->u.inotify;
	__u64 least;

	if (rec->u.h.len < sizeof(*i))
		return rd_len(r, rec, sizeof(*i));
	if (rd_body(r, rec, sizeof(*i)) || rd_anon_objref(r, rec, i->objref))
		return -1;
	if (i->next_wd <= 0)
		return rd_err(r, rec->off, "bad INOTIFY next wd %d", i->next_wd);
	if (i->nr_events > CKPT_INOTIFY_EVENTS_MAX ||
	    i->nr_watches > CKPT_INOTIFY_WATCHES_MAX)
		return rd_err(r, rec->off,
			      "INOTIFY of %u events and %u watches (at most %u of each)",
			      i->nr_events, i->nr_watches,
			      CKPT_INOTIFY_EVENTS_MAX);
	/* each record at least its header, a WATCH's path 8 bytes */
	least = sizeof(*i) +
		(__u64)i->nr_events * sizeof(struct ckpt_hdr_inotify_event) +
		(__u64)i->nr_watches *
		(sizeof(struct ckpt_hdr_inotify_watch) + CKPT_ALIGN);
	if (rec->u.h.len < least)
		return rd_err(r, rec->off,
			      "bad INOTIFY record length %u for %u events and %u watches",
			      rec->u.h.len, i->nr_events, i->nr_watches);
	r->ino_off = rec->off;
	r->ino_end = rec->off + rec->u.h.len;
	r->ino_events_left = i->nr_events;
	r->ino_watches_left = i->nr_watches;
	r->ino_last_wd = 0;
	r->ino_overflow = 0;
	return rd_inotify_next(r);
}

/*
 * A queued event: a wd, a mask of what inotify keeps, a name without a
 * '/'; or the queue's one overflow event, wd -1 and nothing else.
 */
static int rd_inotify_event(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify_event *e = &rec->u.inotify_event;
	int overflow;

	if (rec->u.h.len < sizeof(*e))
		return rd_len(r, rec, sizeof(*e));
	if (rd_body(r, rec, sizeof(*e)))
		return -1;
	if (e->name_len == 1 || e->name_len > CKPT_INOTIFY_NAME_MAX)
		return rd_err(r, rec->off, "bad INOTIFY_EVENT name length %u",
			      e->name_len);
	if (rd_len(r, rec, sizeof(*e) + CKPT_ALIGN_UP(e->name_len)))
		return -1;
	if (!e->mask || e->mask & ~CKPT_INOTIFY_EVENT_MASK)
		return rd_err(r, rec->off, "bad INOTIFY_EVENT mask %#x",
			      e->mask);
	overflow = e->mask == CKPT_INOTIFY_Q_OVERFLOW;
	if (overflow && (e->wd != -1 || e->cookie || e->name_len ||
			 r->ino_overflow))
		return rd_err(r, rec->off,
			      "bad INOTIFY_EVENT overflow: wd %d cookie %#x name length %u%s",
			      e->wd, e->cookie, e->name_len,
			      r->ino_overflow ? ", after another" : "");
	if (!overflow && (e->wd <= 0 || e->mask & CKPT_INOTIFY_Q_OVERFLOW))
		return rd_err(r, rec->off, "bad INOTIFY_EVENT wd %d mask %#x",
			      e->wd, e->mask);
	rec->path[0] = '\0';
	if (e->name_len && rd_string(r, rec, e->name_len, 0))
		return -1;
	if (strchr(rec->path, '/'))
		return rd_err(r, rec->off, "INOTIFY_EVENT name with a '/'");
	r->ino_overflow |= overflow;
	r->ino_events_left--;
	return rd_inotify_next(r);
}

/* The S_IFMT types of i_mode */
static int rd_inotify_mode_ok(__u32 mode)
{
	switch (mode) {
	case 0140000: case 0120000: case 0100000: case 060000:
	case 040000: case 020000: case 010000:
		return 1;
	}
	return 0;
}

/* A watch: wds increasing, a mask inotify keeps, an absolute path. */
static int rd_inotify_watch(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_inotify_watch *w = &rec->u.inotify_watch;

	if (rec->u.h.len < sizeof(*w))
		return rd_len(r, rec, sizeof(*w));
	if (rd_body(r, rec, sizeof(*w)))
		return -1;
	if (w->path_len > CKPT_PATH_MAX ||
	    rd_len(r, rec, sizeof(*w) + CKPT_ALIGN_UP(w->path_len)))
		return rd_err(r, rec->off,
			      "bad INOTIFY_WATCH record length %u for a path of %u bytes",
			      rec->u.h.len, w->path_len);
	if (w->wd <= r->ino_last_wd)
		return rd_err(r, rec->off, "INOTIFY_WATCH wd %d after wd %d",
			      w->wd, r->ino_last_wd);
	if (w->mask & ~CKPT_INOTIFY_WATCH_MASK)
		return rd_err(r, rec->off,
			      "INOTIFY_WATCH wd %d has mask %#x, which inotify does not keep",
			      w->wd, w->mask);
	if (!rd_inotify_mode_ok(w->mode))
		return rd_err(r, rec->off, "INOTIFY_WATCH wd %d of type %#o",
			      w->wd, w->mode);
	if (rd_string(r, rec, w->path_len, 1))
		return -1;
	r->ino_last_wd = w->wd;
	r->ino_watches_left--;
	return rd_inotify_next(r);
}

/* Every field of a PTY record its queues do not say, as the kernel. */
static int rd_pty_fields(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr_pty *p = &rec->u.pty;
	const struct ckpt_termios *t = &p->termios;
	const __u32 stop_m = CKPT_PTY_MASTER_STOPPED | CKPT_PTY_MASTER_TCOOFF;
	const __u32 stop_s = CKPT_PTY_SLAVE_STOPPED | CKPT_PTY_SLAVE_TCOOFF;
	int canon = !!(t->lflag & RD_ICANON);
	long pid_max = ckpt_pid_max();

	if (p->objref != r->pty_first.obj_objref ||
	    p->index >= CKPT_PTY_INDEX_MAX || p->flags & ~CKPT_PTY_FLAGS_ALL ||
	    (p->flags & stop_m) == CKPT_PTY_MASTER_TCOOFF ||
	    (p->flags & stop_s) == CKPT_PTY_SLAVE_TCOOFF ||
	    (!canon && p->flags & CKPT_PTY_LNEXT) ||
	    p->master_flags & ~CKPT_PTY_FILE_FLAGS_ALL ||
	    (p->master_flags & 3) != 2 ||
	    p->pktstatus & ~CKPT_PTY_PKTSTATUS_ALL ||
	    (p->sid ? p->sid < 0 || p->sid >= pid_max || p->pgrp <= 0 ||
		      p->pgrp >= pid_max : p->pgrp != 0))
		return rd_err(r, rec->off,
			      "PTY objref %d (FILE names %d), index %u, flags %#x, master flags %#o, packet events %#x, session %d, group %d",
			      p->objref, r->pty_first.obj_objref, p->index,
			      p->flags, p->master_flags, p->pktstatus, p->sid,
			      p->pgrp);
	if (t->iflag & ~CKPT_PTY_IFLAGS || t->oflag & ~CKPT_PTY_OFLAGS ||
	    t->lflag & ~CKPT_PTY_LFLAGS || t->cflag & ~CKPT_PTY_CFLAGS ||
	    (t->cflag & RD_CSIZE_CREAD_PARENB) != RD_CS8_CREAD ||
	    t->line != RD_N_TTY || t->pad)
		return rd_err(r, rec->off,
			      "PTY objref %d: termios iflag %#o oflag %#o cflag %#o lflag %#o line %u",
			      p->objref, t->iflag, t->oflag, t->cflag, t->lflag,
			      t->line);
	if (p->in_bytes > (canon ? CKPT_PTY_BUF_SIZE : CKPT_PTY_BUF_SIZE - 1) ||
	    p->in_canon > p->in_bytes || (!canon && p->in_canon) ||
	    p->in_pending > CKPT_PTY_PENDING_MAX ||
	    p->out_bytes >= CKPT_PTY_BUF_SIZE ||
	    p->out_pending > CKPT_PTY_PENDING_MAX)
		return rd_err(r, rec->off,
			      "PTY objref %d: to the slave %u bytes, %u in lines, %u pending; to the master %u, %u pending",
			      p->objref, p->in_bytes, p->in_canon, p->in_pending,
			      p->out_bytes, p->out_pending);
	if (p->slave_mode & ~07777U || p->pad ||
	    p->slave_atime_nsec >= 1000000000U ||
	    p->slave_mtime_nsec >= 1000000000U ||
	    p->slave_uid == (__u32)-1 || p->slave_gid == (__u32)-1)
		return rd_err(r, rec->off,
			      "PTY objref %d: /dev/pts/%u owner %u:%u mode %#o",
			      p->objref, p->index, p->slave_uid, p->slave_gid,
			      p->slave_mode);
	return rd_len(r, rec, sizeof(*p) + CKPT_ALIGN_UP(p->in_bytes) +
		      CKPT_ALIGN_UP((p->in_canon + 7) / 8) +
		      CKPT_ALIGN_UP(p->in_pending) +
		      CKPT_ALIGN_UP(p->out_bytes) +
		      CKPT_ALIGN_UP(p->out_pending));
}

/*
 * A PTY record: its fields, its queues (the line ends within the
 * complete lines, the last of which ends), and the FILE that named the
 * pty first, which must be one of its ends.
 */
static int rd_pty(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_pty *p = &rec->u.pty;
	struct ckpt_pty_seen *seen;
	__u32 canon, eol;
	unsigned char last;

	if (rec->u.h.len < sizeof(*p))
		return rd_len(r, rec, sizeof(*p));
	if (rd_body(r, rec, sizeof(*p)) || rd_pty_fields(r, rec))
		return -1;
	canon = p->in_canon;
	eol = (canon + 7) / 8;
	if ((p->in_bytes && rd_data(r, p->in_bytes, rec)) ||
	    (eol && rd_data(r, eol, rec)))
		return -1;
	if (eol) {
		last = r->buf[eol - 1];
		if (!(r->buf[(canon - 1) / 8] & (1U << ((canon - 1) % 8))) ||
		    (canon % 8 && last & ~((1U << (canon % 8)) - 1)))
			return rd_err(r, rec->off,
				      "PTY objref %d: its %u bytes of complete lines do not end a line, or have line ends past them",
				      p->objref, canon);
	}
	if ((p->in_pending && rd_data(r, p->in_pending, rec)) ||
	    (p->out_bytes && rd_data(r, p->out_bytes, rec)) ||
	    (p->out_pending && rd_data(r, p->out_pending, rec)))
		return -1;
	seen = realloc(r->ptys, (r->nr_ptys + 1) * sizeof(*r->ptys));
	if (!seen)
		return rd_err(r, rec->off, "out of memory");
	r->ptys = seen;
	seen += r->nr_ptys++;
	seen->objref = p->objref;
	seen->index = p->index;
	seen->flags = p->flags;
	seen->master_flags = p->master_flags;
	seen->master_taken = 0;
	r->state = RD_EXTRA;
	return rd_pty_file_end(r, rec, &r->pty_first, seen);
}

/* Is @pid a live process of the TREE? */
static int rd_tree_process(const struct ckpt_reader *r, __s32 pid)
{
	__u32 i;

	for (i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].pid == pid && r->tasks[i].tgid == pid &&
		    !(r->tasks[i].flags & CKPT_TREE_ZOMBIE))
			return 1;
	return 0;
}

/*
 * A file lock: a POSIX one after the FILES of the table owning it, an
 * OFD or flock one after the FILE owning it.
 */
static int rd_lock(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_hdr_lock *l = &rec->u.lock;
	__s32 files = r->objrefs[r->section][CKPT_OBJ_KIND_FILES];
	int posix;

	if (rd_data_done(r, rec) || rd_with_files(r, rec) ||
	    rd_len(r, rec, sizeof(*l)) || rd_body(r, rec, sizeof(*l)))
		return -1;
	posix = l->kind == CKPT_LOCK_POSIX;
	if (l->kind < CKPT_LOCK_POSIX || l->kind > CKPT_LOCK_FLOCK ||
	    l->type > 1 || l->pad)
		return rd_err(r, rec->off, "bad LOCK kind %u type %u",
			      l->kind, l->type);
	if (l->start > l->end || l->end > CKPT_LOCK_EOF ||
	    (l->kind == CKPT_LOCK_FLOCK &&
	     (l->start || l->end != CKPT_LOCK_EOF)))
		return rd_err(r, rec->off, "bad LOCK range %llu-%llu",
			      (unsigned long long)l->start,
			      (unsigned long long)l->end);
	if (!rd_file_known(r, l->file_objref) ||
	    (posix ? l->owner_objref != files || !r->saw_files :
		     l->owner_objref != l->file_objref))
		return rd_err(r, rec->off,
			      "LOCK owner %d through file %d: not a %s",
			      l->owner_objref, l->file_objref,
			      posix ? "FILES read before it, through a FILE of it" :
			      "FILE before it, its own owner");
	if (posix ? !rd_tree_process(r, l->pid) : l->pid != 0)
		return rd_err(r, rec->off, "bad LOCK pid %d", l->pid);
	return 0;
}

/* An absolute path of plain names: no "//", ".", ".." or trailing '/'. */
static int rd_cgroup_path_ok(const char *path)
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

/* A CGROUP record: once, with the process's first task, a plain path. */
static int rd_cgroup(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	const struct ckpt_hdr_cgroup *c = &rec->u.cgroup;

	if (rec->u.h.len < sizeof(*c))
		return rd_len(r, rec, sizeof(*c));
	if (rd_body(r, rec, sizeof(*c)) || rd_once(r, rec, &r->saw_cgroup) ||
	    rd_process_wide(r, rec))
		return -1;
	if (c->pad || c->path_len > CKPT_PATH_MAX)
		return rd_err(r, rec->off, "bad CGROUP path length %u",
			      c->path_len);
	if (rd_len(r, rec, sizeof(*c) + CKPT_ALIGN_UP(c->path_len)) ||
	    rd_string(r, rec, c->path_len, 1))
		return -1;
	if (!rd_cgroup_path_ok(rec->path))
		return rd_err(r, rec->off, "bad CGROUP path %s", rec->path);
	return 0;
}

static const rd_fn rd_extra[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_CRED] = rd_cred,
	[CKPT_HDR_RLIMITS] = rd_rlimits,
	[CKPT_HDR_FS] = rd_fs,
	[CKPT_HDR_FILE] = rd_file,
	[CKPT_HDR_FILE_DATA] = rd_file_data,
	[CKPT_HDR_FILES] = rd_files,
	[CKPT_HDR_SIGHAND] = rd_sighand,
	[CKPT_HDR_SIGNAL] = rd_signal,
	[CKPT_HDR_SIGINFO] = rd_siginfo,
	[CKPT_HDR_POSIX_TIMER] = rd_posix_timer,
	[CKPT_HDR_RESTART_BLOCK] = rd_restart_block,
	[CKPT_HDR_LOCK] = rd_lock,
	[CKPT_HDR_CGROUP] = rd_cgroup,
};

/* Check @rec's generic header against the stream's state. */
static int rd_check_hdr(struct ckpt_reader *r, const struct ckpt_rec *rec)
{
	const struct ckpt_hdr *h = &rec->u.h;
	const char *name = ckpt_type_name(h->type);
	__u64 max = CKPT_HDR_MAX;

	if (!h->type || h->type >= CKPT_HDR_MAX_TYPE)
		return rd_err(r, rec->off, "unknown record type %u", h->type);
	if (h->type == CKPT_HDR_PAGES)
		max = sizeof(struct ckpt_hdr_pages) +
		      (__u64)CKPT_PAGES_MAX * RD_PAGE_SIZE;
	if (h->type == CKPT_HDR_FILE_DATA)
		max = sizeof(struct ckpt_hdr_file_data) + CKPT_FILE_DATA_MAX;
	if (h->type == CKPT_HDR_TREE)
		max = CKPT_PREFIX_MAX - sizeof(struct ckpt_hdr_header);
	if (h->type == CKPT_HDR_PIPE)
		max = RD_PIPE_REC_MAX;
	if (h->type == CKPT_HDR_PIPE_BUF)
		max = sizeof(struct ckpt_hdr_pipe_buf) + RD_PAGE_SIZE;
	if (h->type == CKPT_HDR_MM)
		max = sizeof(struct ckpt_hdr_mm) + CKPT_PATH_MAX +
		      (__u64)CKPT_MM_VMAS_MAX *
		      (sizeof(struct ckpt_hdr_vma) + CKPT_PATH_MAX);
	if (h->type == CKPT_HDR_FILES)
		max = sizeof(struct ckpt_hdr_files) +
		      (__u64)CKPT_FILES_FDS_MAX * sizeof(struct ckpt_hdr_fd);
	if (h->type == CKPT_HDR_EPOLL)
		max = RD_EPOLL_REC_MAX;
	if (h->type == CKPT_HDR_UNIX)
		max = RD_UNIX_REC_MAX;
	if (h->type == CKPT_HDR_UNIX_SKB)
		max = sizeof(struct ckpt_hdr_unix_skb) + CKPT_UNIX_SKB_MAX +
		      CKPT_ALIGN_UP(CKPT_UNIX_SKB_FDS_MAX * sizeof(__s32));
	if (h->type == CKPT_HDR_INOTIFY)
		max = RD_INOTIFY_REC_MAX;
	if (h->type == CKPT_HDR_INOTIFY_EVENT)
		max = RD_INOTIFY_EVENT_MAX;
	if (h->type == CKPT_HDR_INOTIFY_WATCH)
		max = RD_INOTIFY_WATCH_MAX;
	if (h->len < sizeof(*h) || h->len % CKPT_ALIGN || h->len > max)
		return rd_err(r, rec->off, "bad %s record length %u",
			      name, h->len);
	if ((r->state == RD_VMA || r->state == RD_COW) &&
	    rec->off + h->len > r->mm_end)
		return rd_err(r, rec->off,
			      "%s record runs past its MM record", name);
	if (r->state == RD_FD && rec->off + h->len > r->files_end)
		return rd_err(r, rec->off,
			      "%s record runs past its FILES record", name);
	if (r->state == RD_PIPE_BUF && rec->off + h->len > r->pipe_end)
		return rd_err(r, rec->off,
			      "%s record runs past its PIPE record", name);
	if (r->state == RD_EPOLL_ITEM && rec->off + h->len > r->epoll_end)
		return rd_err(r, rec->off,
			      "%s record runs past its EPOLL record", name);
	if (r->state == RD_UNIX_SKB && rec->off + h->len > r->unix_end)
		return rd_err(r, rec->off,
			      "%s record runs past its UNIX record", name);
	if ((r->state == RD_INOTIFY_EVENT || r->state == RD_INOTIFY_WATCH) &&
	    rec->off + h->len > r->ino_end)
		return rd_err(r, rec->off,
			      "%s record runs past its INOTIFY record", name);
	/* an unlinked file's data comes whole, before anything else */
	if (r->data_objref && h->type != CKPT_HDR_FILE_DATA)
		return rd_err(r, rec->off,
			      "%s record where %llu more bytes of FILE_DATA of FILE objref %d belong",
			      name, (unsigned long long)r->data_left,
			      r->data_objref);
	if (h->type == rd_expected(r))
		return 0;
	if ((r->state == RD_PAGES || r->state == RD_EXTRA) &&
	    (h->type == CKPT_HDR_TAIL || h->type == CKPT_HDR_TASK))
		return 0;
	if (r->state == RD_EXTRA && rd_extra[h->type])
		return 0;
	if (r->state == RD_VMA || r->state == RD_COW)
		return rd_err(r, rec->off, "%s record inside MM", name);
	if (r->state == RD_FD)
		return rd_err(r, rec->off, "%s record inside FILES", name);
	if (r->state == RD_PIPE_BUF)
		return rd_err(r, rec->off, "%s record inside PIPE", name);
	if (r->state == RD_EPOLL_ITEM)
		return rd_err(r, rec->off, "%s record inside EPOLL", name);
	if (r->state == RD_UNIX_SKB)
		return rd_err(r, rec->off, "%s record inside UNIX", name);
	if ((r->state == RD_INOTIFY_EVENT || r->state == RD_INOTIFY_WATCH) &&
	    h->type != CKPT_HDR_INOTIFY_EVENT &&
	    h->type != CKPT_HDR_INOTIFY_WATCH)
		return rd_err(r, rec->off, "%s record inside INOTIFY", name);
	if (r->state == RD_PIPE)
		return rd_err(r, rec->off,
			      "%s record where the PIPE of pipe %d, first named by FILE objref %d, belongs",
			      name, r->pipe_objref, r->pipe_file);
	if (r->state == RD_ANON)
		return rd_err(r, rec->off,
			      "%s record where the %s of FILE objref %d belongs",
			      name, ckpt_type_name(r->anon_type), r->anon_file);
	if (r->state == RD_PTY)
		return rd_err(r, rec->off,
			      "%s record where the PTY of pty %d, first named by FILE objref %d, belongs",
			      name, r->pty_first.obj_objref,
			      r->pty_first.objref);
	if (r->state == RD_UNIX && r->unix_first)
		return rd_err(r, rec->off,
			      "%s record where the UNIX of socket %d, peer of socket %d, belongs",
			      name, r->unix_objref, r->unix_first);
	if (r->state == RD_UNIX)
		return rd_err(r, rec->off,
			      "%s record where the UNIX of socket %d, first named by FILE objref %d, belongs",
			      name, r->unix_objref, r->unix_file);
	if (h->type == CKPT_HDR_PIPE)
		return rd_err(r, rec->off,
			      "PIPE record not right after the first FILE of its pipe");
	if (h->type == CKPT_HDR_PIPE_BUF)
		return rd_err(r, rec->off, "PIPE_BUF record outside PIPE");
	if (h->type == CKPT_HDR_EVENTFD || h->type == CKPT_HDR_SIGNALFD ||
	    h->type == CKPT_HDR_TIMERFD || h->type == CKPT_HDR_EPOLL ||
	    h->type == CKPT_HDR_INOTIFY || h->type == CKPT_HDR_UNLINKED)
		return rd_err(r, rec->off,
			      "%s record not right after its FILE", name);
	if ((h->type == CKPT_HDR_INOTIFY_EVENT ||
	     h->type == CKPT_HDR_INOTIFY_WATCH) &&
	    r->state != RD_INOTIFY_EVENT && r->state != RD_INOTIFY_WATCH)
		return rd_err(r, rec->off, "%s record outside INOTIFY", name);
	if (h->type == CKPT_HDR_EPOLL_ITEM)
		return rd_err(r, rec->off, "EPOLL_ITEM record outside EPOLL");
	if (h->type == CKPT_HDR_UNIX)
		return rd_err(r, rec->off,
			      "UNIX record not right after the first FILE of its socket, nor after its peer's UNIX");
	if (h->type == CKPT_HDR_UNIX_SKB)
		return rd_err(r, rec->off, "UNIX_SKB record outside UNIX");
	if (h->type == CKPT_HDR_PTY)
		return rd_err(r, rec->off,
			      "PTY record not right after the first FILE of its pty");
	return rd_err(r, rec->off, "unexpected %s record (want %s)", name,
		      ckpt_type_name(rd_expected(r)));
}

/* After the tail: nothing may follow. */
static int rd_end(struct ckpt_reader *r)
{
	char c;
	ssize_t n = rd_raw(r, &c, 1);

	if (n < 0)
		return -1;
	if (n)
		return rd_err(r, r->pos - 1, "data after the tail");
	r->state = RD_DONE;
	return 0;
}

static int rd_record(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	switch (rec->u.h.type) {
	case CKPT_HDR_HEADER:
		return rd_header(r, rec);
	case CKPT_HDR_TREE:
		return rd_tree(r, rec);
	case CKPT_HDR_TASK:
		if (r->state == RD_EXTRA && rd_extra_done(r, rec))
			return -1;
		return rd_task(r, rec);
	case CKPT_HDR_CRED:
		if (r->state == RD_ZCRED) {
			r->state = RD_ZRLIMITS;
			return rd_cred(r, rec);
		}
		if (r->state != RD_CRED)
			return rd_cred(r, rec);
		if (rd_cred(r, rec))
			return -1;
		r->state = r->sec_new[CKPT_OBJ_KIND_MM] ? RD_MM : RD_CPU;
		return 0;
	case CKPT_HDR_MM:
		return rd_mm(r, rec);
	case CKPT_HDR_VMA:
		return rd_vma(r, rec);
	case CKPT_HDR_COW:
		return rd_cow(r, rec);
	case CKPT_HDR_CPU:
		return rd_cpu(r, rec);
	case CKPT_HDR_FD:
		return rd_fd(r, rec);
	case CKPT_HDR_PIPE:
		return rd_pipe(r, rec);
	case CKPT_HDR_PIPE_BUF:
		return rd_pipe_buf(r, rec);
	case CKPT_HDR_EVENTFD:
		return rd_eventfd(r, rec);
	case CKPT_HDR_SIGNALFD:
		return rd_signalfd(r, rec);
	case CKPT_HDR_TIMERFD:
		return rd_timerfd(r, rec);
	case CKPT_HDR_EPOLL:
		return rd_epoll(r, rec);
	case CKPT_HDR_EPOLL_ITEM:
		return rd_epoll_item(r, rec);
	case CKPT_HDR_UNIX:
		return rd_unix(r, rec);
	case CKPT_HDR_UNIX_SKB:
		return rd_unix_skb(r, rec);
	case CKPT_HDR_INOTIFY:
		return rd_inotify(r, rec);
	case CKPT_HDR_INOTIFY_EVENT:
		return rd_inotify_event(r, rec);
	case CKPT_HDR_INOTIFY_WATCH:
		return rd_inotify_watch(r, rec);
	case CKPT_HDR_PTY:
		return rd_pty(r, rec);
	case CKPT_HDR_UNLINKED:
		return rd_unlinked(r, rec);
	case CKPT_HDR_PAGES:
		if (r->state == RD_EXTRA && rd_extra_done(r, rec))
			return -1;
		if (!r->sec_mm)
			return rd_err(r, rec->off,
				      "PAGES record in the section of task %d, which shares an earlier mm",
				      r->tasks[r->section].pid);
		r->state = RD_PAGES;
		return rd_pages(r, rec);
	default:
		return rd_extra[rec->u.h.type](r, rec);
	}
}

int ckpt_reader_next(struct ckpt_reader *r, struct ckpt_rec *rec)
{
	struct ckpt_xxh64 before = r->sum;
	ssize_t n;

	if (r->state == RD_DONE)
		return 0;
	if (r->state == RD_END)
		return rd_end(r);

	memset(&rec->u, 0, sizeof(rec->u));
	rec->off = r->pos;
	rec->depth = r->state == RD_VMA || r->state == RD_COW ||
		     r->state == RD_FD ||
		     r->state == RD_PIPE_BUF || r->state == RD_EPOLL_ITEM ||
		     r->state == RD_UNIX_SKB || r->state == RD_INOTIFY_EVENT ||
		     r->state == RD_INOTIFY_WATCH;
	rec->sum = 0;
	n = rd_raw(r, &rec->u.h, sizeof(rec->u.h));
	if (n < 0)
		return -1;
	if (n == 0 && r->state == RD_HEADER)
		return rd_err(r, rec->off, "empty image");
	if (n == 0)
		return rd_err(r, rec->off, "missing %s record",
			      r->state != RD_PAGES && r->state != RD_EXTRA ?
			      ckpt_type_name(rd_expected(r)) :
			      rd_next_live(r, r->section) < (long)r->nr_tasks ?
			      "TASK" : "TAIL");
	if (n < (ssize_t)sizeof(rec->u.h))
		return rd_err(r, rec->off, "truncated record header");
	if (rd_check_hdr(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && r->state == RD_EXTRA &&
	    rd_extra_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL && rd_sections_done(r, rec))
		return -1;
	if (rec->u.h.type == CKPT_HDR_TAIL)
		return rd_tail(r, rec, &before) ? -1 : 1;
	if (rd_record(r, rec))
		return -1;
	r->nr_records++;
	return 1;
}

int ckpt_reader_init(struct ckpt_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ckpt_xxh64_init(&r->sum);
	r->state = RD_HEADER;
	r->buf_size = RD_BUF_SIZE;
	r->buf = malloc(r->buf_size);
	if (!r->buf) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void ckpt_reader_fini(struct ckpt_reader *r)
{
	int k;

	free(r->buf);
	free(r->vmas);
	free(r->files.slot);
	free(r->tasks);
	free(r->objrefs);
	for (k = 0; k < CKPT_OBJ_NR_KINDS; k++) {
		free(r->seen[k].slot);
		r->seen[k].slot = NULL;
	}
	free(r->pipes.slot);
	free(r->fifos.slot);
	r->pipes.slot = NULL;
	r->fifos.slot = NULL;
	free(r->socks.slot);
	free(r->closed_socks.slot);
	free(r->inodes.slot);
	r->inodes.slot = NULL;
	free(r->ptys);
	r->socks.slot = NULL;
	r->closed_socks.slot = NULL;
	r->tasks = NULL;
	r->objrefs = NULL;
	r->buf = NULL;
	r->vmas = NULL;
	r->files.slot = NULL;
}

/* A caller about to restart: default dispositions, nothing blocked. */
void ckpt_reset_signals(void)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---------------------------------------------------------------------- */
/* the tree, read and checked before anything is forked */

#define PID_MAX_LIMIT	(4L << 20)	/* the kernel's highest pid_max */

long ckpt_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long max = 0;

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 ? max : PID_MAX_LIMIT;
}

/* What the checks below need of the tree: the entry of a pid. */
struct tree_ctx {
	const struct ckpt_tree_task *tasks;
	__u32 nr;
	__u32 *by_pid;		/* entry indexes sorted by pid */
	__s32 *fork_pgid;	/* per process: its group when created */
	char *err;
	size_t errlen;
};

static const struct ckpt_tree_task *sort_tasks;

static int cmp_pid(const void *a, const void *b)
{
	__s32 x = sort_tasks[*(const __u32 *)a].pid;
	__s32 y = sort_tasks[*(const __u32 *)b].pid;

	return x < y ? -1 : x > y;
}

/* The indexes of @nr @tasks, sorted by pid (malloc'd), or NULL. */
static __u32 *tree_index(const struct ckpt_tree_task *tasks, __u32 nr)
{
	__u32 *by_pid = malloc((nr ? nr : 1) * sizeof(*by_pid));
	__u32 i;

	if (!by_pid)
		return NULL;
	for (i = 0; i < nr; i++)
		by_pid[i] = i;
	sort_tasks = tasks;
	qsort(by_pid, nr, sizeof(*by_pid), cmp_pid);
	return by_pid;
}

/* The entry whose pid is @pid, or -1. */
static long tree_lookup(const struct ckpt_tree_task *tasks,
			const __u32 *by_pid, __u32 nr, __s32 pid)
{
	size_t lo = 0, hi = nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tasks[by_pid[mid]].pid < pid)
			lo = mid + 1;
		else if (tasks[by_pid[mid]].pid > pid)
			hi = mid;
		else
			return by_pid[mid];
	}
	return -1;
}

static long tree_find(const struct tree_ctx *c, __s32 pid)
{
	return tree_lookup(c->tasks, c->by_pid, c->nr, pid);
}

long ckpt_tree_find(const struct ckpt_tree *t, __s32 pid)
{
	return tree_lookup(t->tasks, t->by_pid, t->tree->nr_tasks, pid);
}

static int __printf(3, 4)
tree_err(const struct tree_ctx *c, long i, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "TREE entry %ld (pid %d): ", i,
			 c->tasks[i].pid);
	va_list ap;

	if (n < 0 || (size_t)n >= c->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int is_process(const struct ckpt_tree_task *t)
{
	return t->pid == t->tgid;
}

/* Rule 8: a wait status, of an exit or of a signal. */
/* A zombie's name ends within its field; the others have none. */
static int comm_ok(const struct ckpt_tree_task *t)
{
	size_t i;

	if (t->flags & CKPT_TREE_ZOMBIE)
		return memchr(t->comm, '\0', sizeof(t->comm)) != NULL;
	for (i = 0; i < sizeof(t->comm); i++)
		if (t->comm[i])
			return 0;
	return 1;
}

static int exit_code_ok(__s32 code)
{
	int sig = code & 0x7f;

	if (!(code & ~0xff00))
		return 1;
	return !(code & ~0xff) && sig >= 1 && sig <= CKPT_NSIG;
}

/* Rule 4: @i is a thread of the process at @proc. */
static int check_thread(const struct tree_ctx *c, long i, long proc)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p;

	if (proc < 0 || t->tgid != c->tasks[proc].pid)
		return tree_err(c, i,
				"thread of tgid %d does not follow its process",
				t->tgid);
	p = &c->tasks[proc];
	if (t->ppid != p->ppid || t->pgid != p->pgid || t->sid != p->sid)
		return tree_err(c, i,
				"thread's ppid %d pgid %d sid %d differ from its process's %d %d %d",
				t->ppid, t->pgid, t->sid, p->ppid, p->pgid,
				p->sid);
	if (t->exit_signal || t->flags & (CKPT_TREE_ZOMBIE |
					  CKPT_TREE_SUBREAPER))
		return tree_err(c, i,
				"thread with exit signal %d or flags %#x",
				t->exit_signal, t->flags);
	return 0;
}

/* Rule 6: the session. */
static int check_sid(const struct tree_ctx *c, long i, __s32 parent_sid)
{
	const struct ckpt_tree_task *t = &c->tasks[i];
	long l = t->sid ? tree_find(c, t->sid) : -1;

	if (t->sid && (l < 0 || !is_process(&c->tasks[l]) ||
		       c->tasks[l].sid != t->sid))
		return tree_err(c, i,
				"session %d has no leader in the tree", t->sid);
	if (t->sid != t->pid && t->sid != parent_sid)
		return tree_err(c, i,
				"session %d is neither its own nor its parent's (%d)",
				t->sid, parent_sid);
	if (t->sid == t->pid && t->pgid != t->pid)
		return tree_err(c, i, "session leader in process group %d",
				t->pgid);
	return 0;
}

/*
 * Rule 7: the process group.  A process is created in its parent's
 * group as it was then (@parent_pgid: the group the parent was created
 * in or made), or makes its own; it may join another one during the
 * restart, which a zombie cannot.
 */
static int check_pgid(const struct tree_ctx *c, long i, __s32 parent_pgid)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *l;
	long li;

	c->fork_pgid[i] = t->pgid == t->pid ? t->pid : parent_pgid;
	if (t->pgid == c->fork_pgid[i])
		return 0;
	if (t->flags & CKPT_TREE_ZOMBIE)
		return tree_err(c, i,
				"zombie in process group %d, neither its own nor its parent's (%d)",
				t->pgid, parent_pgid);
	li = t->pgid ? tree_find(c, t->pgid) : -1;
	l = li < 0 ? NULL : &c->tasks[li];
	if (!l || !is_process(l) || l->flags & CKPT_TREE_ZOMBIE ||
	    l->pgid != l->pid || l->sid != t->sid)
		return tree_err(c, i,
				"process group %d has no live leader in the tree and session %d",
				t->pgid, t->sid);
	return 0;
}

/* Rules 3, 5, 6, 7 and 8 for a process; @i 0 is the root. */
static int check_process(const struct tree_ctx *c, long i, __u32 tree_flags)
{
	const struct ckpt_tree_task *t = &c->tasks[i], *p = NULL;
	long pi = -1;
	int ret;

	if (t->exit_signal < 0 || t->exit_signal > CKPT_NSIG)
		return tree_err(c, i, "bad exit signal %d", t->exit_signal);
	if (!i && (t->ppid || t->flags & (CKPT_TREE_ZOMBIE |
					   CKPT_TREE_SHARE_FILES |
					   CKPT_TREE_SHARE_FS)))
		return tree_err(c, i, "root with parent %d or flags %#x",
				t->ppid, t->flags);
	if (!i && tree_flags & CKPT_TREE_PIDNS && t->pid != 1)
		return tree_err(c, i, "root of a pid namespace is not pid 1");
	if (i) {
		pi = tree_find(c, t->ppid);
		if (pi < 0 || pi >= i)
			return tree_err(c, i, "parent %d %s", t->ppid,
					pi < 0 ? "is not in the tree" :
						 "comes after its child");
		p = &c->tasks[pi];
		if (!is_process(p) || p->flags & CKPT_TREE_ZOMBIE)
			return tree_err(c, i, "parent %d is a %s", t->ppid,
					is_process(p) ? "zombie" : "thread");
	}
	ret = check_sid(c, i, p ? p->sid : 0);
	if (!ret)
		ret = check_pgid(c, i, p ? c->fork_pgid[pi] : 0);
	if (!ret && t->flags & CKPT_TREE_ZOMBIE && !exit_code_ok(t->exit_code))
		ret = tree_err(c, i, "zombie with bad exit status %#x",
			       t->exit_code);
	if (!ret && !comm_ok(t))
		ret = tree_err(c, i, "bad name");
	return ret;
}

/* Rules 1 and 2: counts, flags, pids. */
static int check_entries(struct tree_ctx *c, __u32 tree_flags, long pid_max)
{
	__u32 i;

	if (tree_flags & ~CKPT_TREE_FLAGS_ALL) {
		snprintf(c->err, c->errlen, "unknown TREE flags %#x",
			 tree_flags);
		return -EINVAL;
	}
	for (i = 0; i < c->nr; i++) {
		if (c->tasks[i].flags & ~CKPT_TREE_TASK_FLAGS_ALL)
			return tree_err(c, i, "unknown flags %#x",
					c->tasks[i].flags);
		if (c->tasks[i].pid < 1 || c->tasks[i].pid >= pid_max ||
		    c->tasks[i].tgid < 1)
			return tree_err(c, i, "tgid %d: pid or tgid outside 1..%ld",
					c->tasks[i].tgid, pid_max - 1);
		/*
		 * a thread has its process's parent: the root's threads
		 * have none either
		 */
		if (i && !c->tasks[i].ppid && is_process(&c->tasks[i]))
			return tree_err(c, i, "a second root (parent 0)");
	}
	c->by_pid = tree_index(c->tasks, c->nr);
	if (!c->by_pid) {
		snprintf(c->err, c->errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 1; i < c->nr; i++) {
		if (c->tasks[c->by_pid[i]].pid == c->tasks[c->by_pid[i - 1]].pid)
			return tree_err(c, c->by_pid[i], "pid twice in the tree");
	}
	return 0;
}

int ckpt_check_tree(const struct ckpt_hdr_tree *h,
		    const struct ckpt_tree_task *tasks, long pid_max,
		    char *err, size_t errlen)
{
	struct tree_ctx c = {
		.tasks = tasks, .nr = h->nr_tasks, .err = err,
		.errlen = errlen,
	};
	long i, proc = -1;
	int ret;

	if (tree_count_check(c.nr, pid_max, err, errlen))
		return -EINVAL;
	c.fork_pgid = malloc(c.nr * sizeof(*c.fork_pgid));
	if (!c.fork_pgid) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = check_entries(&c, h->flags, pid_max);
	if (!ret && !is_process(&tasks[0]))
		ret = tree_err(&c, 0, "root is a thread of %d", tasks[0].tgid);
	for (i = 0; !ret && i < (long)c.nr; i++) {
		if (!is_process(&tasks[i])) {
			ret = check_thread(&c, i, proc);
			continue;
		}
		proc = i;
		ret = check_process(&c, i, h->flags);
	}
	free(c.by_pid);
	free(c.fork_pgid);
	return ret;
}

/* Read the record of @type at @off in t->prefix; its length, or < 0. */
static ssize_t read_prefix_record(int fd, struct ckpt_tree *t, size_t off,
				  __u32 type, size_t min)
{
	struct ckpt_hdr h;
	ssize_t n = read_full(fd, t->prefix + off, sizeof(h));

	if (n < 0)
		return -errno;
	if (n == 0 && !off) {
		snprintf(t->err, sizeof(t->err), "empty image");
		return -EINVAL;
	}
	if (n < (ssize_t)sizeof(h)) {
		snprintf(t->err, sizeof(t->err), "truncated image: no %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	memcpy(&h, t->prefix + off, sizeof(h));
	if (h.type != type) {
		snprintf(t->err, sizeof(t->err),
			 "unexpected %s record at offset %zu (want %s)",
			 ckpt_type_name(h.type), off, ckpt_type_name(type));
		return -EINVAL;
	}
	if (h.len < min || h.len % CKPT_ALIGN || h.len > CKPT_PREFIX_MAX - off) {
		snprintf(t->err, sizeof(t->err), "bad %s record length %u",
			 ckpt_type_name(type), h.len);
		return -EINVAL;
	}
	n = read_full(fd, t->prefix + off + sizeof(h), h.len - sizeof(h));
	if (n < 0)
		return -errno;
	if (n < (ssize_t)(h.len - sizeof(h))) {
		snprintf(t->err, sizeof(t->err), "truncated %s record",
			 ckpt_type_name(type));
		return -EINVAL;
	}
	return h.len;
}

int ckpt_read_tree(int fd, struct ckpt_tree *t)
{
	const size_t hlen = sizeof(struct ckpt_hdr_header);
	ssize_t n;

	memset(t, 0, sizeof(*t));
	t->prefix = malloc(CKPT_PREFIX_MAX);
	if (!t->prefix) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -ENOMEM;
	}
	n = read_prefix_record(fd, t, 0, CKPT_HDR_HEADER, hlen);
	if (n >= 0 && n != (ssize_t)hlen) {
		snprintf(t->err, sizeof(t->err),
			 "bad HEADER record length %zd", n);
		n = -EINVAL;
	}
	if (n < 0)
		goto fail;
	t->header = (const struct ckpt_hdr_header *)t->prefix;
	if (header_check(t->header, t->err, sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	n = read_prefix_record(fd, t, hlen, CKPT_HDR_TREE,
			       sizeof(struct ckpt_hdr_tree));
	if (n < 0)
		goto fail;
	t->len = hlen + n;
	t->tree = (const struct ckpt_hdr_tree *)(t->prefix + hlen);
	t->tasks = (const struct ckpt_tree_task *)(t->tree + 1);
	if (tree_count_check(t->tree->nr_tasks, ckpt_pid_max(), t->err,
			     sizeof(t->err))) {
		n = -EINVAL;
		goto fail;
	}
	if ((__u64)t->tree->nr_tasks * sizeof(*t->tasks) !=
	    n - sizeof(*t->tree)) {
		snprintf(t->err, sizeof(t->err),
			 "bad TREE record length %zd (want %zu)", n,
			 sizeof(*t->tree) +
			 t->tree->nr_tasks * sizeof(*t->tasks));
		n = -EINVAL;
		goto fail;
	}
	n = ckpt_check_tree(t->tree, t->tasks, ckpt_pid_max(), t->err,
			    sizeof(t->err));
	if (n)
		goto fail;
	t->by_pid = tree_index(t->tasks, t->tree->nr_tasks);
	if (t->by_pid)
		return 0;
	snprintf(t->err, sizeof(t->err), "out of memory");
	n = -ENOMEM;
fail:
	if (n < 0 && !t->err[0])
		snprintf(t->err, sizeof(t->err), "read error (%s)",
			 strerror(-n));
	return n;
}

void ckpt_tree_free(struct ckpt_tree *t)
{
	free(t->prefix);
	free(t->by_pid);
	memset(t, 0, sizeof(*t));
}
