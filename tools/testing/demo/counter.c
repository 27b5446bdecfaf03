// SPDX-License-Identifier: GPL-2.0
/*
 * counter: the demo's victim.  Prints an increasing number every 0.3 s;
 * the count lives only in this process's memory and registers, so after a
 * checkpoint and a restart it goes on from where it was stopped.
 *
 * usage: counter [LAST]	(counts forever without LAST)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const struct timespec tick = { .tv_nsec = 300 * 1000 * 1000 };
	unsigned long last = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
	unsigned long n;

	for (n = 1; !last || n <= last; n++) {
		/* the pid shows which process is counting: the restarted one differs */
		printf("counter[%d]: %lu\n", getpid(), n);
		fflush(stdout);
		nanosleep(&tick, NULL);	/* interrupted early: a short tick, fine */
	}
	return 0;
}
