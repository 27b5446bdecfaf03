// SPDX-License-Identifier: GPL-2.0
/*
 * Pages a forked child shares with its parent (issue 12): after a
 * checkpoint and restart they are shared again, copy-on-write, as fork()
 * left them - the same physical pages in both (/proc/PID/pagemap) - and
 * the image holds them once.  Writes after the restart stay private to
 * the writer.  With the module's cow_share off, the same pages come back
 * as copies: same contents, nothing shared.  Broken COW records are
 * refused and leave no task behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "util.h"
#include "cow_target.h"

#define OUT_SIZE	512
#define PARAM	"/sys/module/checkpoint/parameters/cow_share"
#define PFN_MASK	((1ULL << 55) - 1)
#define PRESENT		(1ULL << 63)

static const char expect[] =
	"child memory ok\n"
	"child exit 0\n"
	"parent memory ok\n";

FIXTURE(cow) {
	int img;
	struct proc t;
	pid_t pids[TREE_MAX_TASKS];
	int nr;
	char out[OUT_SIZE];
};

FIXTURE_SETUP(cow)
{
	self->img = target_fixture("cow_target", &self->t);
	ASSERT_LE(0, self->img);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(cow)
{
	int i;

	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	proc_fini(&self->t);
	close(self->img);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int set_param(const char *value)
{
	int fd = open(PARAM, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* The page frames of the region in @pid: 0 where nothing is present. */
static int region_pfns(pid_t pid, uint64_t *pfn)
{
	char path[64];
	ssize_t n;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, pfn, REGION_PAGES * sizeof(*pfn),
		  COW_REGION / COW_PAGE * sizeof(*pfn));
	close(fd);
	if (n != (ssize_t)(REGION_PAGES * sizeof(*pfn)))
		return -1;
	for (i = 0; i < REGION_PAGES; i++)
		pfn[i] = pfn[i] & PRESENT ? pfn[i] & PFN_MASK : 0;
	return 0;
}

/* How many pages of the region @a and @b map the same frame of: -1 on error. */
static long shared_pages(pid_t a, pid_t b)
{
	static uint64_t pa[REGION_PAGES], pb[REGION_PAGES];
	long same = 0;
	size_t i;

	if (region_pfns(a, pa) || region_pfns(b, pb))
		return -1;
	for (i = 0; i < REGION_PAGES; i++)
		same += pa[i] && pa[i] == pb[i];
	return same;
}

/* The target started and set up, its two tasks noted. */
static void spawn(struct __test_metadata *_metadata, struct _test_data_cow *self)
{
	ASSERT_EQ(0, proc_spawn(&self->t, ""));
	ASSERT_EQ(0, settle_tree(self->t.pid, self->pids, &self->nr,
				 TIMEOUT_MS));
	ASSERT_EQ(2, self->nr);
}

/* Checkpointed with kill: every task gone when it returns. */
static void save(struct __test_metadata *_metadata, struct _test_data_cow *self)
{
	struct stat st;

	EXPECT_EQ(COW_SHARED, shared_pages(self->pids[0], self->pids[1]))
		TH_LOG("not shared as expected before the checkpoint");
	ASSERT_EQ(0, checkpoint(self->t.pid, self->img, CHECKPOINT_KILL,
				STDERR_FILENO));
	ASSERT_EQ(0, wait_gone(self->pids, self->nr, TIMEOUT_MS));
	self->t.pid = 0;
	proc_fini(&self->t);
	/* the shared pages are in the image once */
	ASSERT_EQ(0, fstat(self->img, &st));
	EXPECT_GT(REGION_PAGES * COW_PAGE * 5 / 4, (unsigned long)st.st_size)
		TH_LOG("image of %lld bytes for %lu shared bytes",
		       (long long)st.st_size, REGION_PAGES * COW_PAGE);
}

/* Restored by rstr, the region shared @want pages, then released. */
static void restore(struct __test_metadata *_metadata,
		    struct _test_data_cow *self, long want)
{
	pid_t pids[TREE_MAX_TASKS];
	int status, nr;

	ASSERT_EQ(0, proc_restore(&self->t, self->img, exec_rstr, NULL));
	ASSERT_EQ(0, settle_tree(self->pids[0], pids, &nr, TIMEOUT_MS));
	ASSERT_EQ(2, nr);
	ASSERT_EQ(self->pids[1], pids[1]);
	EXPECT_EQ(want, shared_pages(self->pids[0], self->pids[1]));
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  TIMEOUT_MS));
	EXPECT_STREQ(expect, self->out);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("rstr status %#x", status);
	self->nr = 0;
}

TEST_F(cow, never_checkpointed)
{
	int status;

	if (_metadata->skip)
		return;
	spawn(_metadata, self);
	EXPECT_EQ(COW_SHARED, shared_pages(self->pids[0], self->pids[1]));
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  TIMEOUT_MS));
	EXPECT_STREQ(expect, self->out);
	self->nr = 0;
}

TEST_F(cow, shared_again)
{
	if (_metadata->skip)
		return;
	spawn(_metadata, self);
	save(_metadata, self);
	restore(_metadata, self, COW_SHARED);
}

TEST_F(cow, copied_without_sharing)
{
	if (_metadata->skip)
		return;
	ASSERT_EQ(0, set_param("0"));
	spawn(_metadata, self);
	save(_metadata, self);
	restore(_metadata, self, 0);
	ASSERT_EQ(0, set_param("1"));
}

struct cow_at {
	size_t top;		/* the last top-level record met */
	size_t mm_at, cow;
};

static int cow_rec(void *arg, size_t off, const struct ckpt_hdr *h,
		   int parent)
{
	struct cow_at *c = arg;

	if (parent < 0)
		c->top = off;
	if (parent < 0 || h->type != CKPT_HDR_COW)
		return 0;
	c->mm_at = c->top;	/* the MM it is nested in */
	c->cow = off;
	return 1;
}

/* The offset of the first COW record of the image, 0 if none. */
static size_t first_cow(unsigned char *buf, size_t len, size_t *mm_at)
{
	struct cow_at c = {};

	if (ckpt_image_walk(buf, len, cow_rec, &c) != 1)
		return 0;
	*mm_at = c.mm_at;
	return c.cow;
}

/* rstr of @buf, edited, fails; none of the tree's pids is left. */
static void refused(struct __test_metadata *_metadata,
		    struct _test_data_cow *self, unsigned char *buf,
		    size_t len, const char *what)
{
	int img, status;
	pid_t pid, left;

	ASSERT_EQ(0, image_reseal(buf, len));
	img = image_file(buf, len);
	ASSERT_LE(0, img);
	pid = fork_call(img, -1, -1, exec_rstr, NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_timeout(pid, &status, TIMEOUT_MS)) TH_LOG("%s", what);
	EXPECT_FALSE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("%s: restored", what);
	/* killed, they come to us, the subreaper, to be reaped */
	left = wait_gone(self->pids, self->nr, TIMEOUT_MS);
	EXPECT_EQ(0, left) TH_LOG("%s: pid %d left", what, left);
	close(img);
}

TEST_F(cow, broken_records_refused)
{
	struct ckpt_hdr_cow *run;
	struct ckpt_hdr_mm *mm;
	unsigned char *buf = NULL, *copy;
	size_t len, at, mm_at = 0;

	if (_metadata->skip)
		return;
	spawn(_metadata, self);
	save(_metadata, self);
	ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
	len = read_file(self->img, &buf);
	ASSERT_NE(NULL, buf);
	at = first_cow(buf, len, &mm_at);
	ASSERT_LT(0, at);
	copy = malloc(len);
	ASSERT_NE(NULL, copy);

	memcpy(copy, buf, len);
	run = (struct ckpt_hdr_cow *)(copy + at);
	run->addr = COW_REGION + REGION_PAGES * COW_PAGE;
	refused(_metadata, self, copy, len, "run outside its mapping");

	memcpy(copy, buf, len);
	run = (struct ckpt_hdr_cow *)(copy + at);
	run->nr_pages = 0;
	refused(_metadata, self, copy, len, "empty run");

	memcpy(copy, buf, len);
	mm = (struct ckpt_hdr_mm *)(copy + mm_at);
	mm->cow_objref = mm->objref;
	refused(_metadata, self, copy, len, "shared with itself");

	memcpy(copy, buf, len);
	mm = (struct ckpt_hdr_mm *)(copy + mm_at);
	mm->cow_objref = 0;
	refused(_metadata, self, copy, len, "shared with nothing");

	free(copy);
	free(buf);
	self->nr = 0;
}

TEST_HARNESS_MAIN
