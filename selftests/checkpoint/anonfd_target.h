/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What anonfd_target sets up, for anonfd_test to check against (see
 * anonfd_target.c for the modes and what each prints).
 */
#ifndef _CKPT_ANONFD_TARGET_H
#define _CKPT_ANONFD_TARGET_H

/* every mode's files are at fds ANON_FD0, ANON_FD0 + 1, ... */
#define ANON_FD0	10

/* "eventfd": counts beyond 2^32, up to the largest a write can make */
#define EFD_BIG		((1ULL << 32) + 12)
#define EFD_MAX		(~0ULL - 1)
#define EFD_SEM		3		/* a semaphore's count */

/*
 * "timerfd": seven timers, at ANON_FD0 + TFD_*.  ARMED fires TFD_ARMED_S
 * seconds after it is set, then every TFD_ARMED_PERIOD_MS; MANY fired
 * every TFD_MANY_MS for TFD_MANY_WAIT_MS before "ready", unread, so it
 * has at least TFD_MANY_MIN ticks; SET was given TFD_SET_TICKS ticks by
 * TFD_IOC_SET_TICKS.
 */
enum {
	TFD_ARMED,		/* MONOTONIC, relative, periodic */
	TFD_DISARMED,		/* MONOTONIC, never fires, has a period */
	TFD_ONESHOT,		/* MONOTONIC, fired once, unread */
	TFD_MANY,		/* REALTIME, periodic, fired many times */
	TFD_ABS,		/* REALTIME, absolute, in TFD_LATER_S */
	TFD_CANCEL,		/* the same, TFD_TIMER_CANCEL_ON_SET */
	TFD_SET,		/* BOOTTIME, disarmed, ticks set */
	TFD_NR
};

#define TFD_ARMED_S		6
#define TFD_ARMED_PERIOD_MS	1000
#define TFD_DISARMED_PERIOD_MS	500
#define TFD_MANY_MS		20
#define TFD_MANY_WAIT_MS	400
#define TFD_MANY_MIN		(TFD_MANY_WAIT_MS / TFD_MANY_MS)
#define TFD_LATER_S		120
#define TFD_SET_TICKS		1000000007ULL

/* "image": one of each, for the broken images */
enum { IMG_EVENTFD, IMG_SIGNALFD, IMG_TIMERFD };
#define IMG_COUNT	((1ULL << 32) + 5)

#endif /* _CKPT_ANONFD_TARGET_H */
