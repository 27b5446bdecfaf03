/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What epoll_target sets up, for epoll_test to check against (see
 * epoll_target.c for the modes and what each prints).
 */
#ifndef _CKPT_EPOLL_TARGET_H
#define _CKPT_EPOLL_TARGET_H

/*
 * The watches of every mode, each with its own data: a u64 whose two
 * halves both differ from watch to watch, so that a lost or truncated
 * data field, or one watch's data given to another, shows.
 */
enum ep_watch {
	/* "ready" */
	W_P1, W_FIFO, W_P2W, W_P3, W_P4W, W_P4R,
	/* "flags" */
	W_ET1, W_ET2, W_ET3, W_OS1, W_OS2, W_OS3,
	/* "nested" */
	W_N1, W_N2A, W_N2B, W_N3, W_N4,
	/* "moved" */
	W_GONE, W_OTHER, W_K1, W_K2, W_Q1, W_Q2,
	/* "mix" */
	W_MA1, W_MA2, W_MAF, W_MB1,
	/* "outside" */
	W_OUT,
	/* "image" */
	W_I1, W_I2,
	W_NR
};

static inline unsigned long long ep_data(int watch)
{
	return 0x5eed0000c0de0000ULL ^ ((unsigned long long)(watch + 1) << 40) ^
	       (unsigned long long)(watch + 1) * 0x10001ULL;
}

/* "flags": the epoll and the fds of its watches */
#define FL_EPOLL	10
#define FL_ET1		11	/* read end, EPOLLIN | EPOLLET, fired */
#define FL_ET2		13	/* read end, EPOLLIN | EPOLLET, empty */
#define FL_OS1		15	/* read end, EPOLLIN | EPOLLONESHOT, fired */
#define FL_OS2		17	/* the same, its writer closed later */
#define FL_OS3		19	/* read end, EPOLLIN | EPOLLONESHOT, empty */
#define FL_ET3		22	/* write end, EPOLLOUT | EPOLLET, fired */

/*
 * "outside": the epoll the test passes at fd 3 watches the test's pipe
 * read end, added at fd OUT_TFD; the target has its own pipe at that fd.
 */
#define OUT_EPOLL	3
#define OUT_TFD		40

/* "image": the epoll, and the pipe ends it watches */
#define IMG_EPOLL	10
#define IMG_RD		11	/* EPOLLIN, data in the pipe */
#define IMG_WR		12	/* EPOLLOUT */

/* "mix": the processes, each printing its lines with its letter first */
enum { MIX_A, MIX_B, MIX_C, MIX_NR };

#endif /* _CKPT_EPOLL_TARGET_H */
