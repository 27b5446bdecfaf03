// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile images: take a valid image of "ckpt_target wait", break one
 * thing in it, and check that restart refuses it - with -1/EINVAL while
 * the caller is still intact, or by killing the caller once its address
 * space is gone - but never runs the restored program.  ckptinfo must
 * reject every broken image too, and accept the valid one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "util.h"

#define MAX_VMAS	512

/* Where the records of the valid image are. */
struct layout {
	size_t header, task, mm, cpu, pages, tail;
	size_t cred, rlimits;
	size_t vma[MAX_VMAS];
	size_t nr_vmas;
	__u32 top;		/* the type of the last top-level record */
};

/* Each record ckpt_image_walk() meets: an MM holds VMAs only. */
static int walk_rec(void *arg, size_t off, const struct ckpt_hdr *h,
		    int parent)
{
	struct layout *l = arg;

	if (parent >= 0) {
		if (l->top != CKPT_HDR_MM)
			return 0;
		if (h->type != CKPT_HDR_VMA || l->nr_vmas == MAX_VMAS)
			return -1;
		l->vma[l->nr_vmas++] = off;
		return 0;
	}
	l->top = h->type;
	switch (h->type) {
	case CKPT_HDR_TASK:
		l->task = off;
		break;
	case CKPT_HDR_MM:
		l->mm = off;
		break;
	case CKPT_HDR_CPU:
		l->cpu = off;
		break;
	case CKPT_HDR_CRED:
		l->cred = off;
		break;
	case CKPT_HDR_RLIMITS:
		l->rlimits = off;
		break;
	case CKPT_HDR_PAGES:
		if (!l->pages)
			l->pages = off;
		break;
	case CKPT_HDR_TAIL:
		l->tail = off;
		break;
	}
	return 0;
}

/* Find the records; any surprise in the kernel's own image is fatal. */
static int walk(const unsigned char *buf, size_t len, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	if (ckpt_image_walk(buf, len, walk_rec, l))
		return -1;
	if (!l->task || !l->mm || !l->nr_vmas || !l->cpu || !l->pages ||
	    !l->cred || !l->rlimits)
		return -1;
	return l->tail + sizeof(struct ckpt_hdr_tail) == len ? 0 : -1;
}

enum outcome {
	RUNS,			/* the image is fine: the program runs */
	REFUSED,		/* restart() fails with EINVAL */
	REFUSED_OR_KILLED,	/* that, or the caller dies of SIGKILL */
};

/* Which record a corruption hits. */
enum where {
	AT_START, AT_HEADER, AT_TASK, AT_MM, AT_VMA_FIRST, AT_VMA_MID,
	AT_VMA_LAST, AT_CPU, AT_PAGES, AT_TAIL, AT_CRED, AT_RLIMITS,
};

enum op {
	NONE,
	SET32,		/* the __u32 at the field becomes @val */
	ADD32,		/* @val is added to it */
	XOR8,		/* the byte at the field is xored with @val */
	CUT,		/* the image ends at the field */
};

#define F(type, member)		offsetof(struct type, member)
#define HDR_LEN			F(ckpt_hdr, len)
#define HDR_TYPE		F(ckpt_hdr, type)
#define PAGE_DATA		sizeof(struct ckpt_hdr_pages)

static size_t where_off(const struct layout *l, enum where w)
{
	switch (w) {
	case AT_START:
		return 0;
	case AT_HEADER:
		return l->header;
	case AT_TASK:
		return l->task;
	case AT_MM:
		return l->mm;
	case AT_VMA_FIRST:
		return l->vma[0];
	case AT_VMA_MID:
		return l->vma[l->nr_vmas / 2];
	case AT_VMA_LAST:
		return l->vma[l->nr_vmas - 1];
	case AT_CPU:
		return l->cpu;
	case AT_PAGES:
		return l->pages;
	case AT_TAIL:
		return l->tail;
	case AT_CRED:
		return l->cred;
	case AT_RLIMITS:
		return l->rlimits;
	}
	return 0;
}

static void corrupt(unsigned char *buf, size_t *len, const struct layout *l,
		    enum where where, size_t field, enum op op, __u32 val)
{
	size_t off = where_off(l, where) + field;
	__u32 v;

	memcpy(&v, buf + off, sizeof(v));
	switch (op) {
	case NONE:
		return;
	case SET32:
	case ADD32:
		v = op == SET32 ? val : v + val;
		memcpy(buf + off, &v, sizeof(v));
		return;
	case XOR8:
		buf[off] ^= val;
		return;
	case CUT:
		*len = off;
		return;
	}
}

FIXTURE(image) {
	unsigned char *buf;
	size_t len;
	struct layout l;
	int fd;		/* the (corrupted) image */
	pid_t pid;
};

FIXTURE_VARIANT(image) {
	enum where where;
	size_t field;
	enum op op;
	__u32 val;
	enum outcome outcome;
};

FIXTURE_VARIANT_ADD(image, valid) {
	.op = NONE, .outcome = RUNS,
};

FIXTURE_VARIANT_ADD(image, empty) {
	.where = AT_START, .op = CUT, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, bad_magic) {
	.where = AT_HEADER, .field = F(ckpt_hdr_header, magic),
	.op = XOR8, .val = 0xff, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, bad_version) {
	.where = AT_HEADER, .field = F(ckpt_hdr_header, version),
	.op = SET32, .val = CKPT_VERSION + 1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, bad_arch) {
	.where = AT_HEADER, .field = F(ckpt_hdr_header, arch),
	.op = SET32, .val = 0x7f, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, header_len_too_small) {
	.where = AT_HEADER, .field = HDR_LEN,
	.op = SET32, .val = sizeof(struct ckpt_hdr) - 4, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, unaligned_len) {
	.where = AT_TASK, .field = HDR_LEN,
	.op = ADD32, .val = 4, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, unknown_type) {
	.where = AT_TASK, .field = HDR_TYPE,
	.op = SET32, .val = CKPT_HDR_MAX_TYPE + 10, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, truncated_in_task) {
	.where = AT_TASK, .field = sizeof(struct ckpt_hdr_task) / 2,
	.op = CUT, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, truncated_in_mm) {
	.where = AT_VMA_MID, .field = sizeof(struct ckpt_hdr_vma) / 2,
	.op = CUT, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, vma_past_mm) {
	.where = AT_VMA_LAST, .field = HDR_LEN,
	.op = ADD32, .val = CKPT_ALIGN, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, nr_vmas_mismatch) {
	.where = AT_MM, .field = F(ckpt_hdr_mm, nr_vmas),
	.op = ADD32, .val = 1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, bad_vma_kind) {
	.where = AT_VMA_FIRST, .field = F(ckpt_hdr_vma, kind),
	.op = SET32, .val = 99, .outcome = REFUSED,
};

/* the high half of a 64-bit field */
#define HI32(type, member)	(F(type, member) + 4)

FIXTURE_VARIANT_ADD(image, task_bad_mm_objref) {
	.where = AT_TASK, .field = F(ckpt_hdr_task, mm_objref),
	.op = SET32, .val = 77, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, task_rseq_misaligned) {
	.where = AT_TASK, .field = F(ckpt_hdr_task, rseq),
	.op = XOR8, .val = 1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, vma_beyond_user_space) {
	.where = AT_VMA_LAST, .field = HI32(ckpt_hdr_vma, end),
	.op = SET32, .val = 0xffff8000, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, vma_overlaps_next) {
	.where = AT_VMA_FIRST, .field = HI32(ckpt_hdr_vma, end),
	.op = SET32, .val = 0x7fff, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, vma_lockonfault_unlocked) {
	.where = AT_VMA_FIRST, .field = F(ckpt_hdr_vma, flags),
	.op = SET32, .val = CKPT_VMA_READ | CKPT_VMA_LOCKONFAULT,
	.outcome = REFUSED,
};

/* writable and shared, from a file that was not open for writing */
FIXTURE_VARIANT_ADD(image, vma_shared_not_maywrite) {
	.where = AT_VMA_FIRST, .field = F(ckpt_hdr_vma, flags),
	.op = SET32, .val = CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_SHARED,
	.outcome = REFUSED,
};

/* an objref names a shmem object: a file mapping has none */
FIXTURE_VARIANT_ADD(image, vma_objref_not_shmem) {
	.where = AT_VMA_FIRST, .field = F(ckpt_hdr_vma, objref),
	.op = SET32, .val = 5, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, mm_auxv_after_at_null) {
	.where = AT_MM, .field = F(ckpt_hdr_mm, auxv[CKPT_AUXV_WORDS - 1]),
	.op = SET32, .val = 1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, mm_exe_path_too_long) {
	.where = AT_MM, .field = F(ckpt_hdr_mm, exe_path_len),
	.op = SET32, .val = CKPT_HDR_MAX, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, mm_exe_path_unterminated) {
	.where = AT_MM, .field = F(ckpt_hdr_mm, exe_path_len),
	.op = ADD32, .val = (__u32)-1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cpu_rip_in_kernel) {
	.where = AT_CPU, .field = HI32(ckpt_hdr_cpu, rip),
	.op = SET32, .val = 0xffff8000, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cpu_xstate_too_small) {
	.where = AT_CPU, .field = F(ckpt_hdr_cpu, xstate_size),
	.op = SET32, .val = 64, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, task_nice_out_of_range) {
	.where = AT_TASK, .field = F(ckpt_hdr_task, nice),
	.op = SET32, .val = 20, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, task_policy_deadline) {
	.where = AT_TASK, .field = F(ckpt_hdr_task, policy),
	.op = SET32, .val = 6, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, task_pdeath_signal) {
	.where = AT_TASK, .field = F(ckpt_hdr_task, pdeath_signal),
	.op = SET32, .val = 65, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cred_groups_mismatch) {
	.where = AT_CRED, .field = F(ckpt_hdr_cred, ngroups),
	.op = ADD32, .val = 3, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cred_unmapped_uid) {
	.where = AT_CRED, .field = F(ckpt_hdr_cred, euid),
	.op = SET32, .val = 0xffffffff, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cred_effective_not_permitted) {
	.where = AT_CRED, .field = F(ckpt_hdr_cred, cap_permitted),
	.op = SET32, .val = 0, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, cred_unknown_cap) {
	.where = AT_CRED, .field = HI32(ckpt_hdr_cred, cap_bset),
	.op = SET32, .val = 0x80000000, .outcome = REFUSED,
};

/* RLIMIT_NOFILE (7): soft 4 GiB more than it was, above the hard 4096 */
FIXTURE_VARIANT_ADD(image, rlimit_soft_above_hard) {
	.where = AT_RLIMITS, .field = F(ckpt_hdr_rlimits, rlim[7].cur) + 4,
	.op = SET32, .val = 1, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, rlimit_len) {
	.where = AT_RLIMITS, .field = HDR_LEN,
	.op = ADD32, .val = CKPT_ALIGN, .outcome = REFUSED,
};

FIXTURE_VARIANT_ADD(image, pages_outside_mappings) {
	.where = AT_PAGES, .field = HI32(ckpt_hdr_pages, addr),
	.op = SET32, .val = 0x10, .outcome = REFUSED_OR_KILLED,
};

FIXTURE_VARIANT_ADD(image, xxh64_mismatch) {
	.where = AT_PAGES, .field = PAGE_DATA + 123,
	.op = XOR8, .val = 0x10, .outcome = REFUSED_OR_KILLED,
};

FIXTURE_VARIANT_ADD(image, truncated_in_pages) {
	.where = AT_PAGES, .field = PAGE_DATA + 1000,
	.op = CUT, .outcome = REFUSED_OR_KILLED,
};

FIXTURE_VARIANT_ADD(image, missing_tail) {
	.where = AT_TAIL, .op = CUT, .outcome = REFUSED_OR_KILLED,
};

FIXTURE_VARIANT_ADD(image, tail_count_mismatch) {
	.where = AT_TAIL, .field = F(ckpt_hdr_tail, nr_records),
	.op = ADD32, .val = 1, .outcome = REFUSED_OR_KILLED,
};

/* the checksum does not cover the TAIL: its padding is checked alone */
FIXTURE_VARIANT_ADD(image, tail_pad) {
	.where = AT_TAIL, .field = F(ckpt_hdr_tail, pad),
	.op = SET32, .val = 1, .outcome = REFUSED_OR_KILLED,
};

FIXTURE_SETUP(image)
{
	int fd = tmp_image(), ret;

	signal(SIGPIPE, SIG_IGN);
	self->fd = -1;
	self->pid = 0;
	ASSERT_LE(0, fd);
	ret = make_image("wait", fd);
	ASSERT_EQ(0, ret) {
		TH_LOG("cannot make an image: %s", strerror(-ret));
		close(fd);
	}
	self->len = read_file(fd, &self->buf);
	close(fd);
	ASSERT_NE(0, self->len);
	ASSERT_EQ(0, walk(self->buf, self->len, &self->l)) {
		TH_LOG("unexpected layout of a %zu byte image", self->len);
	}
	corrupt(self->buf, &self->len, &self->l, variant->where,
		variant->field, variant->op, variant->val);
	self->fd = image_file(self->buf, self->len);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(image)
{
	kill_reap(self->pid);
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
}

TEST_F(image, restart)
{
	int status;

	self->pid = fork_restart(self->fd, -1, -1);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, wait_timeout(self->pid, &status, TIMEOUT_MS)) {
		TH_LOG("the restarting child hangs");
	}
	self->pid = 0;

	switch (variant->outcome) {
	case RUNS:
		/* "wait" reads end of file from /dev/null and exits 0 */
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
		break;
	case REFUSED:
		EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL));
		break;
	case REFUSED_OR_KILLED:
		EXPECT_TRUE(CALL_FAILED_WITH(status, EINVAL) ||
			    KILLED_BY(status, SIGKILL));
		break;
	}
	if (!_metadata->passed)
		TH_LOG("status %#x (exit %d: EINVAL; 0: the program ran)",
		       status, RESTART_EXIT_BASE + EINVAL);
}

static const char *ckptinfo_path(void)
{
	const char *path = getenv("CKPTINFO");

	return path && *path ? path : "/usr/bin/ckptinfo";
}

/* Run ckptinfo on @in_fd; its exit status, stderr's first line in @msg. */
static int run_ckptinfo(int in_fd, char *msg, size_t size, pid_t *pid)
{
	int err = tmp_image(), status = -1;
	ssize_t n;

	if (err < 0)
		return -1;
	*pid = fork();
	if (!*pid) {
		dup2(in_fd, STDIN_FILENO);
		dup2(open("/dev/null", O_WRONLY), STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execl(ckptinfo_path(), "ckptinfo", (char *)NULL);
		_exit(127);
	}
	if (*pid > 0 && !wait_timeout(*pid, &status, TIMEOUT_MS))
		*pid = 0;
	n = pread(err, msg, size - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	if (strchr(msg, '\n'))
		*strchr(msg, '\n') = '\0';
	close(err);
	return status;
}

TEST_F(image, ckptinfo)
{
	char msg[256];
	int status;

	if (access(ckptinfo_path(), X_OK))
		SKIP(return, "no %s (set CKPTINFO)", ckptinfo_path());
	status = run_ckptinfo(self->fd, msg, sizeof(msg), &self->pid);
	TH_LOG("ckptinfo: status %#x, said: %s", status, msg);
	if (variant->outcome == RUNS) {
		EXPECT_EQ(0, status);
		EXPECT_STREQ("", msg);
		return;
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	EXPECT_EQ(0, strncmp(msg, "ckptinfo: ", 10));
	EXPECT_NE(NULL, strstr(msg, " at offset "));
}

/* ckptinfo on the valid image, in ways the variants do not cover. */
FIXTURE(info) {
	unsigned char *buf;
	size_t len;
	int fd;
	pid_t pid;
};

FIXTURE_SETUP(info)
{
	int fd, ret;

	signal(SIGPIPE, SIG_IGN);
	self->fd = -1;
	self->pid = 0;
	if (access(ckptinfo_path(), X_OK))
		SKIP(return, "no %s (set CKPTINFO)", ckptinfo_path());
	fd = tmp_image();
	ASSERT_LE(0, fd);
	ret = make_image("wait", fd);
	ASSERT_EQ(0, ret) {
		TH_LOG("cannot make an image: %s", strerror(-ret));
		close(fd);
	}
	self->len = read_file(fd, &self->buf);
	close(fd);
	ASSERT_NE(0, self->len);
}

FIXTURE_TEARDOWN(info)
{
	kill_reap(self->pid);
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
}

TEST_F(info, trailing_data)
{
	static const unsigned char junk[CKPT_ALIGN];
	char msg[256];
	int status;

	if (_metadata->skip)
		return;
	self->fd = image_file(self->buf, self->len);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(sizeof(junk), pwrite(self->fd, junk, sizeof(junk),
				       self->len));
	status = run_ckptinfo(self->fd, msg, sizeof(msg), &self->pid);
	TH_LOG("ckptinfo: status %#x, said: %s", status, msg);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

/* Through a pipe: ckptinfo must not seek. */
TEST_F(info, from_pipe)
{
	char msg[256];
	int p[2], status;
	pid_t writer;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	writer = fork();
	ASSERT_LE(0, writer);
	if (!writer) {
		close(p[0]);
		_exit(write(p[1], self->buf, self->len) != (ssize_t)self->len);
	}
	close(p[1]);
	status = run_ckptinfo(p[0], msg, sizeof(msg), &self->pid);
	close(p[0]);
	kill_reap(writer);
	TH_LOG("ckptinfo: status %#x, said: %s", status, msg);
	EXPECT_EQ(0, status);
}

TEST_HARNESS_MAIN
