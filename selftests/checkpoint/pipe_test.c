// SPDX-License-Identifier: GPL-2.0
/*
 * Pipes and FIFOs across checkpoint and restart (issue 5).  Each mode of
 * pipe_target runs three times: never checkpointed, which shows what the
 * kernel does with its pipes; checkpointed without kill, after which it
 * must go on exactly the same (the checkpoint consumes no data); and
 * restored by rstr from that image, which must do the same again.  What
 * it prints after its release - capacities, bytes buffered, F_GETFL of
 * each end, the length of each read of a packetized pipe, data checked
 * byte by byte - is compared with what is written here; the processes'
 * fds, their flags (/proc/PID/fdinfo), which fds are one open file
 * (kcmp) and which are ends of one pipe must be the same as when they
 * were checkpointed.
 *
 * Then images with a broken PIPE, PIPE_BUF or FILE record: the restart
 * must fail with EINVAL and return to its caller.
 *
 * rstr is $RSTR or /usr/bin/rstr (see rstr_path()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "pipe_target.h"

#define WAIT_MS		20000	/* a MiB through a pipe, emulated */
#define SIG_SIZE	8192
#define OUT_SIZE	4096

/*
 * What each mode prints after its release, checked on the kernel the
 * tests run on: a packetized write makes one packet per page it fills;
 * a write joins the last buffer if that is ordinary (not a packet) and
 * has room, even a packetized write; a read takes ordinary buffers one
 * after the other, and stops after the first packet.
 */
static const char expect_data[] =
	"p1 cap 65536 avail 10000 rd r wr w\n"
	"p1 data ok 10000\n"
	"p1 echo data ok 100\n"
	"p2 cap 16384 avail 16384 rd r,nonblock wr w\n"
	"p2 data ok 16384\n"
	"p2 read EAGAIN\n"
	"p2 echo data ok 100\n"
	"p3 cap 1048576 avail 1048576 rd r wr w,nonblock\n"
	"p3 write EAGAIN\n"
	"p3 data ok 1048576\n"
	"p3 echo data ok 100\n"
	"p4 cap 65536 avail 0 rd r,nonblock wr w,nonblock\n"
	"p4 read EAGAIN\n"
	"p4 echo data ok 100\n";

/* written: 1, 100, 4096, 5000, 7, 4095; after the release 3, 2 */
static const char expect_packet[] =
	"cap 65536 avail 13299 rd r wr w,direct\n"
	"read 1 ok\n"
	"read 100 ok\n"
	"read 4096 ok\n"
	"read 4096 ok\n"
	"read 904 ok\n"
	"read 7 ok\n"
	"read 4095 ok\n"
	"read 3 ok\n"
	"read 2 ok\n";

/*
 * Written (p packet, o ordinary): p100 o10 o20 p4096 p7 o4000 p200 o50
 * p60 o4096 p1, in buffers P100 O30 P4096 P7 O4000 P200 O110 O4096 P1;
 * after the release o3 p2 o1 p4096, in buffers O6 P4096.
 */
static const char expect_mixed[] =
	"cap 65536 avail 12640 rd r wr w,direct wr2 w,largefile\n"
	"read 100 ok\n"
	"read 4126 ok\n"
	"read 7 ok\n"
	"read 4200 ok\n"
	"read 4207 ok\n"
	"read 4102 ok\n";

/*
 * a: O10 then p5 p6 after the release, which join it: one read.  b: O4000
 * of which 3000 were read, then p200, too long for the rest of its page:
 * a packet of its own, which ends the first read; then o5.  c: the same,
 * p200 and o5 written before the checkpoint.  d: a one-page pipe holding
 * the last 96 bytes of a page is full.
 */
static const char expect_merge[] =
	"a avail 10\n"
	"read 21 ok\n"
	"b avail 1000\n"
	"read 1200 ok\n"
	"read 5 ok\n"
	"c avail 1205\n"
	"read 1200 ok\n"
	"read 5 ok\n"
	"d avail 96\n"
	"d write EAGAIN\n"
	"read 96 ok\n";

static const char expect_widow[] =
	"reader avail 5000 rd r\n"
	"reader data ok 5000\n"
	"reader read 0\n"
	"writer wr w\n"
	"writer write EPIPE\n";

/* 4096 bytes in a one-page pipe, then a writer of 12411 more asleep */
static const char expect_blocked[] =
	"cap 4096 avail 4096\n"
	"all data ok 16507\n"
	"then read 0\n"
	"writer exit 0\n";

static const char expect_fork[] =
	"b avail 2000 c avail 10\n"
	"a wr w b rd r c rd r wr w\n"
	"b data ok 5000\n"
	"c rd r,nonblock\n"
	"c data ok 5\n"
	"c read EAGAIN\n"
	"child exit 0\n";

static const char expect_fifo1[] =
	"cap 8192 avail 1000 rdwr rw,largefile rd r,nonblock,largefile wr w,largefile\n"
	"the fifo of its cwd\n"
	"fifo data ok 1000\n"
	"fifo read EAGAIN\n"
	"echo data ok 5\n";

static const char expect_fifo_mtime[] =
	"mtime kept\n"
	"fifo data ok 500\n";

static const char expect_fifo3[] =
	"reader exit 0\n"
	"writer exit 0\n"
	"avail 0 rdwr rw,largefile\n";

static const char expect_stdio[] =
	"writer exit 0\n"
	"reader exit 0\n";

static const char expect_image[] =
	"cap 16384 avail 12288\n"
	"image data ok 12288\n";

/* A pipe is "pipe N", numbered in order of appearance. */
static void pipe_what(const char *link, struct ino_list *inos, void *arg,
		      char *what, size_t size)
{
	unsigned long ino;

	(void)arg;
	if (sscanf(link, "pipe:[%lu]", &ino) == 1)
		snprintf(what, size, "pipe %d", ino_index(inos, ino));
	else
		snprintf(what, size, "%s", link);
}

/* The fds of @root's tree as text (see fd_signature()). */
static int signature(pid_t root, char *out, size_t size)
{
	return fd_signature(root, out, size, pipe_what, NULL);
}

FIXTURE(pipes) {
	char dir[PATH_MAX];	/* the targets' cwd, for FIFOs */
	int img;
	struct proc t;		/* the target, or rstr */
	pid_t pids[TREE_MAX_TASKS]; /* the tree last seen */
	int nr;
	char before[SIG_SIZE];	/* its fds when checkpointed */
	char now[SIG_SIZE];
	char out[OUT_SIZE];	/* what it printed */
};

#define SELF	FIXTURE_DATA(pipes)
#define META	struct __test_metadata *_metadata

FIXTURE_SETUP(pipes)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	self->nr = 0;
	self->img = target_fixture("pipe_target", &self->t);
	ASSERT_LE(0, self->img);
	snprintf(self->dir, sizeof(self->dir), "%s/ckpt-pipe.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chdir(self->dir));
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(pipes)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
	if (remove_tree(self->dir))
		TH_LOG("cannot remove %s", self->dir);
}

/*
 * @mode never checkpointed, then checkpointed with @flags (then going on
 * unless killed), then restored: the same output each time, @expect.
 */
static void run_mode(META, SELF *self, const char *mode, const char *expect,
		     unsigned long flags)
{
	struct fd_run r = {
		FD_RUN_FIXTURE(self), .wait_ms = WAIT_MS,
		.signature = signature,
	};

	fd_run_mode(_metadata, &r, mode, expect, flags);
}

/*
 * Four pipes: default capacity with 10000 bytes, 4 pages full, 1 MiB
 * full and an empty one; O_NONBLOCK on either end or both.  Capacity,
 * data and flags come back; a full pipe stays full, an empty one empty.
 */
TEST_F_TIMEOUT(pipes, buffered_data, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "data", expect_data, 0);
}

/* Each packet is read alone again, and the write end makes more. */
TEST_F_TIMEOUT(pipes, packets, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "packet", expect_packet, 0);
}

/* Packets among ordinary data: each read returns what it did. */
TEST_F_TIMEOUT(pipes, packets_and_data, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "mixed", expect_mixed, 0);
}

/*
 * Writes join the last buffer, or not, as they would have: it takes more
 * data unless it is a packet or its page is full, also when it was read
 * in part.  A one-page pipe that holds less than a page can be full.
 */
TEST_F_TIMEOUT(pipes, merge_after_restart, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "merge", expect_merge, 0);
}

/* Read end alone: the data, then end of file; write end alone: EPIPE. */
TEST_F_TIMEOUT(pipes, one_end_closed, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "widow", expect_widow, 0);
}

/* A writer asleep on a full pipe writes all its data after the restart. */
TEST_F_TIMEOUT(pipes, blocked_writer, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "blocked", expect_blocked, 0);
}

TEST_F_TIMEOUT(pipes, blocked_writer_killed, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "blocked", expect_blocked, CHECKPOINT_KILL);
}

/*
 * Parent and child each hold their ends: data flows both ways; a read
 * end both hold is one open file (a flag set by one, seen by the other).
 */
TEST_F_TIMEOUT(pipes, across_fork, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, 0);
}

TEST_F_TIMEOUT(pipes, across_fork_killed, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, CHECKPOINT_KILL);
}

/* A FIFO open read-write, read-only and write-only by one task. */
TEST_F_TIMEOUT(pipes, fifo_one_task, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fifo1", expect_fifo1, 0);
}

/* The same by three: the writer's data reaches the reader. */
TEST_F_TIMEOUT(pipes, fifo_three_tasks, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fifo3", expect_fifo3, 0);
}

/*
 * The data a restart writes back into a FIFO leaves its mtime as the
 * last write of the process made it (killed: nothing writes after).
 */
TEST_F_TIMEOUT(pipes, fifo_mtime_kept, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fifo_mtime", expect_fifo_mtime,
		 CHECKPOINT_KILL);
}

/*
 * "a | b" in the tree: the pipe at the writer's stdout and the reader's
 * stdin is the tree's, with its data, not the caller's stdio.
 */
TEST_F_TIMEOUT(pipes, stdio_inside_tree, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "stdio", expect_stdio, 0);
}

TEST_F_TIMEOUT(pipes, stdio_inside_tree_killed, 120)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "stdio", expect_stdio, CHECKPOINT_KILL);
}

/*
 * The caller's pipe at fd 12: no restart could give it back, so the
 * checkpoint fails naming it, and the target goes on untouched.
 */
TEST_F_TIMEOUT(pipes, outside_end_refused, 120)
{
	char log[512] = "";
	int logp[2], status;
	ssize_t n;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, proc_spawn(&self->t, "outside"));
	ASSERT_EQ(0, pipe2(logp, O_CLOEXEC | O_NONBLOCK));
	EXPECT_EQ(-1, checkpoint(self->t.pid, self->img, 0, logp[1]));
	EXPECT_EQ(EOPNOTSUPP, errno);
	n = read(logp[0], log, sizeof(log) - 1);
	close(logp[0]);
	close(logp[1]);
	ASSERT_LT(0, n);
	log[n] = '\0';
	EXPECT_NE(NULL, strstr(log, "fd 12: pipe:[")) TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "outside the tree")) TH_LOG("log: %s", log);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, OUT_SIZE, &status,
				  WAIT_MS));
	check_output(_metadata, status, self->out, "still here\n",
		     "refused");
}

/* ---------------------------------------------------------------------- */
/* Broken images */

enum edit {
	VALID,
	BYTES_OVER_SIZE,	/* PIPE: 3 pages of data, a capacity of 2 */
	BYTES_NOT_SUM,		/* PIPE: one byte more than its buffers hold */
	SIZE_NOT_POW2,		/* PIPE: a capacity of 3 pages */
	NR_BUFS,		/* PIPE: one buffer more than there are */
	BUF_OVER_PAGE,		/* PIPE_BUF: a page and 8 bytes of data */
	BUF_FLAGS,		/* PIPE_BUF: a flag that does not exist */
	FILE_NOT_PIPE,		/* FILE of kind PIPE: another FILE's objref */
	FILE_NO_OBJECT,		/* FILE of kind PIPE: an objref never seen */
};

FIXTURE(image) {
	struct image_case c;
	struct image_layout l;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, bytes_over_size) { .edit = BYTES_OVER_SIZE };
FIXTURE_VARIANT_ADD(image, bytes_not_sum) { .edit = BYTES_NOT_SUM };
FIXTURE_VARIANT_ADD(image, size_not_pow2) { .edit = SIZE_NOT_POW2 };
FIXTURE_VARIANT_ADD(image, nr_bufs) { .edit = NR_BUFS };
FIXTURE_VARIANT_ADD(image, buf_over_page) { .edit = BUF_OVER_PAGE };
FIXTURE_VARIANT_ADD(image, buf_flags) { .edit = BUF_FLAGS };
FIXTURE_VARIANT_ADD(image, file_not_pipe) { .edit = FILE_NOT_PIPE };
FIXTURE_VARIANT_ADD(image, file_no_object) { .edit = FILE_NO_OBJECT };

#define IMG	FIXTURE_DATA(image)

/* The image of "image": checkpointed by the first test, kept for all. */
static int load_image(META, IMG *self)
{
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	return self->c.len ? 0 : -1;
}

/*
 * BUF_OVER_PAGE: 8 bytes more data at the end of PIPE_BUF record @ib,
 * counted in its len and those of the records around it, and in the
 * PIPE's bytes.
 */
static int grow_buf(IMG *self, int ib, struct ckpt_hdr_pipe *pipe)
{
	struct ckpt_hdr_pipe_buf *pb = (void *)image_hdr(self->c.buf,
						      self->l.r[ib].off);
	size_t at = self->l.r[ib].off + pb->h.len;
	unsigned char *buf;
	int i;

	pb->len += CKPT_ALIGN;
	pipe->bytes += CKPT_ALIGN;
	for (i = ib; i >= 0; i = self->l.r[i].parent)
		image_hdr(self->c.buf, self->l.r[i].off)->len += CKPT_ALIGN;
	buf = malloc(self->c.len + CKPT_ALIGN);
	if (!buf)
		return -1;
	memcpy(buf, self->c.buf, at);
	memset(buf + at, 0x5a, CKPT_ALIGN);
	memcpy(buf + at + CKPT_ALIGN, self->c.buf + at, self->c.len - at);
	free(self->c.buf);
	self->c.buf = buf;
	self->c.len += CKPT_ALIGN;
	return 0;
}

/* The FILE of kind PIPE after the PIPE record: it only names the pipe. */
static struct ckpt_hdr_file *second_end(IMG *self, int ip)
{
	struct ckpt_hdr_file *f;
	int i;

	for (i = ip + 1; i < self->l.nr; i++) {
		if (self->l.r[i].type != CKPT_HDR_FILE)
			continue;
		f = (void *)image_hdr(self->c.buf, self->l.r[i].off);
		if (f->kind == CKPT_FILE_PIPE)
			return f;
	}
	return NULL;
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ckpt_hdr_file *f, *other;
	struct ckpt_hdr_pipe_buf *pb;
	struct ckpt_hdr_pipe *pipe;
	int ip, ib;

	if (image_walk(self->c.buf, self->c.len, &self->l)) {
		TH_LOG("cannot find the records of the %zu byte image",
		       self->c.len);
		return -1;
	}
	ip = image_find(&self->l, CKPT_HDR_PIPE, 0);
	ib = image_find(&self->l, CKPT_HDR_PIPE_BUF, 0);
	if (ip < 0 || ib < 0 || image_find(&self->l, CKPT_HDR_PIPE, 1) >= 0 ||
	    self->l.r[ib].parent != ip) {
		TH_LOG("not one PIPE record with its PIPE_BUFs");
		return -1;
	}
	pipe = (void *)image_hdr(self->c.buf, self->l.r[ip].off);
	pb = (void *)image_hdr(self->c.buf, self->l.r[ib].off);
	f = second_end(self, ip);
	other = (void *)image_hdr(self->c.buf,
			       self->l.r[image_find(&self->l, CKPT_HDR_FILE, 0)].off);
	if (pipe->size != IMAGE_SIZE || pipe->bytes != IMAGE_BYTES ||
	    pipe->nr_bufs != IMAGE_BYTES / PIPE_PAGE || pb->len != PIPE_PAGE ||
	    !f || f->obj_objref != pipe->objref || other->kind == CKPT_FILE_PIPE) {
		TH_LOG("PIPE: size %u bytes %llu nr_bufs %u; PIPE_BUF len %u; no second end, or the first FILE a pipe",
		       pipe->size, (unsigned long long)pipe->bytes,
		       pipe->nr_bufs, pb->len);
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case BYTES_OVER_SIZE:
		pipe->size = IMAGE_SMALL;
		break;
	case BYTES_NOT_SUM:
		pipe->bytes++;
		break;
	case SIZE_NOT_POW2:
		pipe->size = IMAGE_BYTES;
		break;
	case NR_BUFS:
		pipe->nr_bufs++;
		break;
	case BUF_OVER_PAGE:
		if (grow_buf(self, ib, pipe))
			return -1;
		break;
	case BUF_FLAGS:
		pb->flags |= ~CKPT_PIPE_BUF_FLAGS & (CKPT_PIPE_BUF_FLAGS + 1);
		break;
	case FILE_NOT_PIPE:
		f->obj_objref = other->objref;
		break;
	case FILE_NO_OBJECT:
		f->obj_objref = INT_MAX;
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("pipe_target");
	ASSERT_EQ(0, load_image(_metadata, self));
	ASSERT_EQ(0, edit_image(_metadata, self, variant->edit));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(image)
{
	image_case_fini(&self->c);
}

/* Broken images fail with EINVAL, the caller unharmed; the valid one runs. */
TEST_F_TIMEOUT(image, restart, 120)
{
	image_case_restart(_metadata, &self->c, restart_logged,
			   variant->edit == VALID, expect_image, "");
}

TEST_HARNESS_MAIN
