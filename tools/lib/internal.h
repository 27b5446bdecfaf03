/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libckpt's insides: what its files share, not for its users.
 */
#ifndef _LIBCKPT_INTERNAL_H
#define _LIBCKPT_INTERNAL_H

#include <sys/types.h>

#include "../libckpt.h"
#include "../../checkpoint/format.h"

/* the reader's state: which record comes next */
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
/* f_flags an epoll keeps: O_ACCMODE, O_NONBLOCK, O_LARGEFILE (x86-64) */
#define RD_EPOLL_FILE_FLAGS	0104003U
#define RD_EPOLL_ITEMS_MAX	CKPT_EPOLL_ITEMS_MAX
/*
 * The events epoll_ctl() takes: EPOLLIN, PRI, OUT, ERR, HUP, NVAL,
 * RDNORM, RDBAND, WRNORM, WRBAND, MSG (0x7ff), RDHUP (0x2000),
 * EXCLUSIVE, WAKEUP, ONESHOT and ET (bits 28 to 31).
 */
#define RD_EPOLL_EVENTS		0xf00027ffU
#define RD_UNIX_PATH_MAX	108	/* sizeof(sun_path) */
#define RD_UNIX_BACKLOG_MAX	65535	/* the largest a restart takes */
/* an inotify: made O_RDONLY; O_NONBLOCK, O_APPEND, O_NOATIME, O_LARGEFILE */
#define RD_INOTIFY_FILE_FLAGS	01106000U
#define RD_INOTIFY_EVENT_MAX	(sizeof(struct ckpt_hdr_inotify_event) + \
				 CKPT_INOTIFY_NAME_MAX)
#define RD_INOTIFY_WATCH_MAX	(sizeof(struct ckpt_hdr_inotify_watch) + \
				 CKPT_PATH_MAX)

/* Record the first problem; always returns -1. */

/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET: the types a UNIX may have */
#define RD_SOCK_STREAM		1
#define RD_SOCK_DGRAM		2
#define RD_SOCK_SEQPACKET	5

/* signals, files, ptys, sockets: what the kernel takes */
#define RD_MAX_FILE	0x7fffffffffffffffULL
#define RD_MAX_FDS	(1U << 20)
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
#define RD_PTY_MASTER_RDEV	0x502U		/* new_encode_dev(5:2) */
#define RD_PTY_SLAVE_MAJOR	136U
#define RD_ICANON		0000002U
#define RD_CSIZE_CREAD_PARENB	0000660U
#define RD_CS8_CREAD		0000260U
#define RD_N_TTY		0
#define RD_S_IFMT	0170000
#define RD_S_IFSOCK	0140000

/*
 * Records that may stand, in any order, between the CPU record and the
 * first PAGES record: each type's check, as the kernel's restart does it.
 */
typedef int (*rd_fn)(struct ckpt_reader *r, struct ckpt_rec *rec);

ssize_t ckpt_read_full(int fd, void *buf, size_t len);
__printf(3, 4) int rd_err(struct ckpt_reader *r, __u64 off, const char *fmt, ...);
int rd_need(struct ckpt_reader *r, void *buf, size_t len,
		   const struct ckpt_rec *rec);
int rd_body(struct ckpt_reader *r, struct ckpt_rec *rec, size_t size);
int rd_data(struct ckpt_reader *r, size_t len, struct ckpt_rec *rec);
int rd_len(struct ckpt_reader *r, const struct ckpt_rec *rec,
		  __u64 want);
int rd_refset_has(const struct ckpt_refset *s, __s32 ref);
int rd_refset_add(struct ckpt_refset *s, __s32 ref);
int rd_file_known(const struct ckpt_reader *r, __s32 objref);
struct ckpt_pty_seen *rd_pty_find(const struct ckpt_reader *r,
					 __s32 objref);
const char *rd_objref_owner(const struct ckpt_reader *r, __s32 ref);
int rd_obj_record(struct ckpt_reader *r, const struct ckpt_rec *rec,
			 int kind, __s32 objref);
int rd_mm(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_vma(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_cow(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_cpu(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_pages(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_tail(struct ckpt_reader *r, struct ckpt_rec *rec,
		   const struct ckpt_xxh64 *before);
__u32 rd_expected(const struct ckpt_reader *r);
int rd_string(struct ckpt_reader *r, struct ckpt_rec *rec, __u32 len,
		     int absolute);
int rd_fs(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_file(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_unlinked(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_pipe(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_pipe_buf(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_file_data(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_files(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_fd(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_extra_done(struct ckpt_reader *r, const struct ckpt_rec *rec);
int rd_lock(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_file_pty(struct ckpt_reader *r, const struct ckpt_rec *rec);
int rd_pty(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_cred(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_rlimits(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_sighand(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_signal(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_siginfo(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_restart_block(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_timer_clock_ok(__s32 clock);
int rd_posix_timer(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_cgroup(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_eventfd(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_signalfd(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_timerfd(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_epoll(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_epoll_item(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_inotify(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_inotify_event(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_inotify_watch(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_unix(struct ckpt_reader *r, struct ckpt_rec *rec);
int rd_unix_skb(struct ckpt_reader *r, struct ckpt_rec *rec);

#endif /* _LIBCKPT_INTERNAL_H */
