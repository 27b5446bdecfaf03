// SPDX-License-Identifier: GPL-2.0
/*
 * cow_target: a parent and a forked child sharing most of a region of
 * private anonymous memory copy-on-write, for cow_test.
 *
 *	cow_target
 *
 * The parent fills REGION_PAGES pages at COW_REGION (page i holds
 * pattern i) and forks.  The child writes pages CHILD_WROTE.., unmaps
 * CHILD_UNMAPPED.. and makes CHILD_RDONLY.. read-only (which keeps them
 * shared); the parent then writes PARENT_WROTE...  Every other page is
 * still the same page in both.  Set up, the parent prints "ready" and
 * both block in read(0).  Released, the child checks its memory, writes
 * a page it shared and exits; the parent checks that it still sees its
 * own, and prints the verdicts.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#define TARGET_NAME "cow_target"
#include "target.h"
#include "cow_target.h"

static unsigned char *page(unsigned long i)
{
	return (unsigned char *)COW_REGION + i * COW_PAGE;
}

/* Page @i as the parent filled it, or as @who wrote it over. */
static void fill(unsigned long i, unsigned char who)
{
	memset(page(i), (int)(i & 0xff), COW_PAGE);
	page(i)[0] = who;
}

static int holds(unsigned long i, unsigned char who)
{
	unsigned long j;

	if (page(i)[0] != who)
		return 0;
	for (j = 1; j < COW_PAGE; j++)
		if (page(i)[j] != (unsigned char)(i & 0xff))
			return 0;
	return 1;
}

static int in(unsigned long i, unsigned long first)
{
	return i >= first && i < first + COW_RUN;
}

/* What the child must see: its own writes, the parent's pages else. */
static int child_memory_ok(void)
{
	unsigned long i;

	for (i = 0; i < REGION_PAGES; i++) {
		if (in(i, CHILD_UNMAPPED))
			continue;
		if (!holds(i, in(i, CHILD_WROTE) ? 'c' : 'p'))
			return 0;
	}
	return 1;
}

static int parent_memory_ok(void)
{
	unsigned long i;

	for (i = 0; i < REGION_PAGES; i++)
		if (!holds(i, in(i, PARENT_WROTE) ? 'P' : 'p'))
			return 0;
	return 1;
}

static void child(int sync_fd)
{
	unsigned long i;

	for (i = CHILD_WROTE; i < CHILD_WROTE + COW_RUN; i++)
		fill(i, 'c');
	CHECK(munmap(page(CHILD_UNMAPPED), COW_RUN * COW_PAGE) == 0);
	CHECK(mprotect(page(CHILD_RDONLY), COW_RUN * COW_PAGE,
		       PROT_READ) == 0);
	CHECK(close(sync_fd) == 0);
	CHECK(block() == 0);
	say("child memory %s\n", child_memory_ok() ? "ok" : "BAD");
	/* a page it shared: its own copy now, the parent's stays */
	fill(SHARED_WRITTEN, 'c');
	_exit(holds(SHARED_WRITTEN, 'c') ? 0 : 1);
}

int main(void)
{
	unsigned long i;
	int sync[2];
	pid_t pid;
	void *p;
	char c;

	p = mmap((void *)COW_REGION, REGION_PAGES * COW_PAGE,
		 PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(p == (void *)COW_REGION);
	for (i = 0; i < REGION_PAGES; i++)
		fill(i, 'p');
	CHECK(pipe(sync) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(sync[0]) == 0);
		child(sync[1]);
	}
	CHECK(close(sync[1]) == 0);
	CHECK(read(sync[0], &c, 1) == 0 && close(sync[0]) == 0);
	for (i = PARENT_WROTE; i < PARENT_WROTE + COW_RUN; i++)
		fill(i, 'P');
	ready_and_wait();
	say("child exit %d\n", reap(pid));
	say("parent memory %s\n", parent_memory_ok() ? "ok" : "BAD");
	return 0;
}
