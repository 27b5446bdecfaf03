/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every test target shares.  Targets are small static programs
 * linked without util.c, so these are inline.
 */
#ifndef CKPT_SELFTEST_TARGET_H
#define CKPT_SELFTEST_TARGET_H

#include <errno.h>
#include <unistd.h>

/*
 * Wait for the test's release: the byte read from stdin, 0 at end of
 * file, -1 on error.  Interrupted reads (a restart, a handled signal)
 * are issued again.
 */
static inline int target_wait_byte(void)
{
	ssize_t n;
	char c = 0;

	do {
		n = read(STDIN_FILENO, &c, 1);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : c;
}

/* Block until released: 0, or -1 on error. */
static inline int block(void)
{
	return target_wait_byte() < 0 ? -1 : 0;
}

#endif
