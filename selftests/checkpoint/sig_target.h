/* SPDX-License-Identifier: GPL-2.0 */
/* What sig_target sets up, for signal_test to check against. */
#ifndef _CKPT_SIG_TARGET_H
#define _CKPT_SIG_TARGET_H

#define ALTSTACK_SIZE		(64 << 10)
#define SLEEP_MS		4000	/* the sleeping modes' sleep */
#define ITIMER_VALUE_S		5
#define ITIMER_INTERVAL_S	3
#define TIMER_FIRE_MS		4000	/* the "timers" mode's first timer */

#endif /* _CKPT_SIG_TARGET_H */
