// SPDX-License-Identifier: GPL-2.0
/*
 * Pseudo-terminals across checkpoint and restart (issue 5).  Each mode
 * of pty_target runs three times: never checkpointed, which shows what
 * the kernel does with its ptys; checkpointed without kill, after which
 * it must go on exactly the same (the checkpoint takes nothing out of a
 * pty); and restored by rstr from that image, which must do the same
 * again.  What it prints after its release - termios, window size,
 * modes, what FIONREAD says, each read() of a canonical slave (lines,
 * ends of file, a partial line finished after the restart), echoes of
 * erases that depend on the output column, packet events, the data both
 * ways checked byte by byte - is compared with what is written here.
 * The processes' fds (/dev/pts/N: the index), their flags, which fds are
 * one open file, each task's session, group, controlling terminal and
 * its foreground group must be as they were when checkpointed.
 *
 * A slave whose master is outside the tree fails the checkpoint with
 * EOPNOTSUPP and a log line naming the pid and the fd, the target
 * unharmed; at fd 2 it is the caller's (INHERIT).  Images with a broken
 * PTY record or pty FILE fail the restart with EINVAL, back in its
 * caller; a restart whose /dev/pts/N is taken fails with EBUSY.
 *
 * The test guest mounts no devpts: the test mounts one at /dev/pts.
 * rstr is $RSTR or /usr/bin/rstr (see rstr_path()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "pty_target.h"

#define WAIT_MS		20000
#define SIG_SIZE	8192
#define OUT_SIZE	8192
#define LOG_SIZE	8192
#define MAX_PTYS	64

#define META	struct __test_metadata *_metadata

/*
 * What each mode prints after its release, on the kernel the tests run
 * on.  raw: each line discipline holds one byte less than its buffer,
 * the rest waits in the flip buffer; a locked slave does not open.
 */
static const char expect_raw[] =
	"slave iflag 0 oflag 04 cflag 0276 lflag 05060 line 0 ispeed 19200 ospeed 19200 cc 03,1c,7f,15,04,00,01,00,11,13,1a,00,12,0f,17,16,00,00,00\n"
	"winsize 33x111 640x480 lock 1 packet 0 excl 0/1 flags 0104002/0100002 its slave\n"
	"in avail 4095 out avail 4095\n"
	"locked open EIO\n"
	"unlocked open ok\n"
	"in data ok 6000\n"
	"out data ok 5000\n"
	"in echo data ok 100\n"
	"out echo data ok 100\n";

/*
 * canon: one read() a line, a VEOF ends one without being read, alone
 * it reads as 0; the '\n' after VLNEXT is a plain byte.  The partial
 * line ends after the release, its VLNEXT making the next '\n' plain;
 * output tabs expand from column 2.
 */
static const char expect_canon[] =
	"slave iflag 02400 oflag 014005 cflag 0277 lflag 0100003 line 0 ispeed 38400 ospeed 38400 cc 03,1c,7f,15,04,00,01,00,11,13,1a,23,12,0f,17,16,40,00,00\n"
	"avail 22\n"
	"slave read 4: one\\012\n"
	"slave read 4: two#\n"
	"slave read 6: three@\n"
	"slave read 4: four\n"
	"slave read 0:\n"
	"slave read 4: a\\012b\\012\n"
	"slave EAGAIN\n"
	"slave read 9: part\\012end\\012\n"
	"slave EAGAIN\n"
	"master 11: ab      Z\\015\\012\n";

/* echo: erasing a tab of a line begun at column 2 backs up 4 columns */
static const char expect_echo[] =
	"slave iflag 02400 oflag 05 cflag 0277 lflag 0105073 line 0 ispeed 38400 ospeed 38400 cc 03,1c,7f,15,04,00,01,00,11,13,1a,00,12,0f,17,16,00,00,00\n"
	"avail 3 out avail 10\n"
	"master 10: ls\\015\\012$ ab\\011c\n"
	"master 13: \\010 \\010\\010\\010\\010\\010\\010 \\010X\\015\\012\n"
	"slave read 3: ls\\012\n"
	"slave read 3: aX\\012\n"
	"slave EAGAIN\n";

/* modes: FLUSHREAD and STOP, then START once the output is on again */
static const char expect_modes[] =
	"slave owner 1234:5 mode 0604\n"
	"slave iflag 046400 oflag 05 cflag 02000016360 lflag 0100003 line 0 ispeed 12345 ospeed 54321 cc 01,1c,7f,15,04,07,03,00,11,13,1a,00,12,0f,17,16,00,00,00\n"
	"winsize 24x80 0x0 lock 0 packet 1 excl 1/0 flags 0104002/0104002 its slave\n"
	"packet 1: \\005\n"
	"slave write EAGAIN\n"
	"packet 1: \\010\n"
	"packet 3: \\000hi\n"
	"slave read 3: in\\012\n"
	"slave EAGAIN\n";

static const char expect_fork[] =
	"c above a\n"
	"winsize 0x0 0x0 lock 0 packet 0 excl 0/-1 flags 0100002/0\n"
	"winsize 0x0 0x0 lock 0 packet 0 excl 0/-1 flags 0100002/0\n"
	"a data ok 1000\n"
	"c data ok 3000\n"
	"child exit 0\n";

/* ctty: the tab of "part", after the prompt "$ ", is erased back 2 */
static const char expect_ctty[] =
	"slave iflag 02400 oflag 05 cflag 0277 lflag 0105073 line 0 ispeed 38400 ospeed 38400 cc 03,1c,7f,15,04,00,01,00,11,13,1a,00,12,0f,17,16,00,00,00\n"
	"winsize 0x0 0x0 lock 0 packet 0 excl 0/-1 flags 0100002/0\n"
	"master 21: line1\\015\\012line2\\015\\012$ part\\011\n"
	"master 9: X\\010 \\010\\010\\010Y\\015\\012\n"
	"master 80: got 6: line1\\015\\012got 6: line2\\015\\012got 6: partY\\015\\012foreground ok session ok /dev/tty ok\\015\\012\n"
	"shell exit 0\n";

static const char expect_outside[] = "read 5: ping\\012\n";

static const char expect_image[] =
	"image avail 12 out avail 5\n"
	"image slave read 5: line\\012\n"
	"image slave read 4: eol#\n"
	"image slave read 3: eof\n"
	"image slave EAGAIN\n"
	"image master read 6: \\000out\\015\\012\n"
	"image master EAGAIN\n";

/* A pipe is "pipe N", numbered in order of appearance. */
static void pty_what(const char *link, struct ino_list *inos, void *arg,
		     char *what, size_t size)
{
	unsigned long ino;

	(void)arg;
	if (sscanf(link, "pipe:[%lu]", &ino) == 1)
		snprintf(what, size, "pipe %d", ino_index(inos, ino));
	else
		snprintf(what, size, "%s", link);
}

/*
 * Fields 5 to 8 of /proc/PID/stat: group, session, controlling terminal
 * (its device number) and its foreground group.
 */
static int task_tty(pid_t pid, char *out, size_t size)
{
	char buf[1024], *p;
	int pgrp, sid, tty, tpgid;

	if (read_proc(pid, "stat", buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %d %d %d %d", &pgrp, &sid, &tty,
			 &tpgid) != 4)
		return -1;
	snprintf(out, size, "pid %d group %d session %d tty %d:%d fg %d\n", pid,
		 pgrp, sid, major(tty), minor(tty), tpgid);
	return 0;
}

/*
 * The fds of @root's tree as text (fd_signature()), then each task's
 * terminal and, but for the root's, its fds 0-2 (the root's are the
 * test's pipes).
 */
static int signature(pid_t root, char *out, size_t size)
{
	pid_t pids[TREE_MAX_TASKS];
	char path[64], link[PATH_MAX], line[PATH_MAX + 64];
	size_t len;
	ssize_t n;
	int nr, i, fd;

	if (fd_signature(root, out, size, pty_what, NULL))
		return -1;
	nr = tree_pids(root, pids, TREE_MAX_TASKS);
	if (nr < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		len = strlen(out);
		if (task_tty(pids[i], out + len, size - len))
			return -1;
		for (fd = 0; i && fd < 3; fd++) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%d", pids[i],
				 fd);
			n = readlink(path, link, sizeof(link) - 1);
			link[n > 0 ? n : 0] = '\0';
			if (!strncmp(link, "pipe:", 5))
				link[4] = '\0';
			snprintf(line, sizeof(line), "pid %d fd %d %s\n",
				 pids[i], fd, link);
			len = strlen(out);
			if (len + strlen(line) >= size)
				return -1;
			strcpy(out + len, line);
		}
	}
	return 0;
}

FIXTURE(ptys) {
	int img;
	struct proc t;		/* the target, or rstr */
	pid_t pids[TREE_MAX_TASKS]; /* the tree last seen */
	int nr;
	char before[SIG_SIZE];	/* its fds when checkpointed */
	char now[SIG_SIZE];
	char out[OUT_SIZE];	/* what it printed */
};

#define SELF	FIXTURE_DATA(ptys)

FIXTURE_SETUP(ptys)
{
	signal(SIGPIPE, SIG_IGN);
	self->nr = 0;
	self->img = target_fixture("pty_target", &self->t);
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(ptys)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
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
 * Master and slave in one task, raw, more queued both ways than the
 * line disciplines hold: all of it comes back, byte for byte, with the
 * speeds, the window size, TIOCEXCL, the lock and the status flags.
 */
TEST_F_TIMEOUT(ptys, raw, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "raw", expect_raw, 0);
}

TEST_F_TIMEOUT(ptys, raw_killed, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "raw", expect_raw, CHECKPOINT_KILL);
}

/* Canonical input: lines, ends of file, a partial line, a VLNEXT. */
TEST_F_TIMEOUT(ptys, canonical, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "canon", expect_canon, 0);
}

/* Echoes and erases after the restart, from the columns they had. */
TEST_F_TIMEOUT(ptys, echo_columns, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "echo", expect_echo, 0);
}

/* Speeds, packet mode and its events, stopped output, TIOCEXCL. */
TEST_F_TIMEOUT(ptys, modes, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "modes", expect_modes, 0);
}

/*
 * Masters in the parent, slaves in its child; the indices come back,
 * the higher one first (the lower ones opened on the way serve later).
 */
TEST_F_TIMEOUT(ptys, across_fork, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, 0);
}

TEST_F_TIMEOUT(ptys, across_fork_killed, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "fork", expect_fork, CHECKPOINT_KILL);
}

/*
 * A terminal emulator running a shell: the shell's session gets its
 * controlling terminal back, with its foreground group; the job reads
 * what was typed, and /dev/tty is its terminal.
 */
TEST_F_TIMEOUT(ptys, controlling_terminal, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "ctty", expect_ctty, 0);
}

TEST_F_TIMEOUT(ptys, controlling_terminal_killed, 300)
{
	if (_metadata->skip)
		return;
	run_mode(_metadata, self, "ctty", expect_ctty, CHECKPOINT_KILL);
}

/* ---------------------------------------------------------------------- */
/* A slave whose master the test holds */

static void read_log(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* @text holds "@word N" with no digit after N. */
static const char *names(const char *text, const char *word, long n)
{
	char want[64];
	const char *p;
	size_t len;

	len = snprintf(want, sizeof(want), "%s %ld", word, n);
	for (p = strstr(text, want); p; p = strstr(p + 1, want))
		if (p[len] < '0' || p[len] > '9')
			return p;
	return NULL;
}

FIXTURE(outside) {
	int master;		/* the test's */
	int img;
	struct proc t;
	char out[OUT_SIZE];
};

#define OSELF	FIXTURE_DATA(outside)

FIXTURE_VARIANT(outside) {
	const char *mode;
	int fd;			/* where the target has the slave */
};

FIXTURE_VARIANT_ADD(outside, fd3) { .mode = "outside", .fd = OUTSIDE_FD };
FIXTURE_VARIANT_ADD(outside, stdio) { .mode = "stdio", .fd = 2 };

FIXTURE_SETUP(outside)
{
	signal(SIGPIPE, SIG_IGN);
	use_target("pty_target");
	proc_init(&self->t);
	self->master = -1;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
}

FIXTURE_TEARDOWN(outside)
{
	proc_fini(&self->t);
	if (self->master >= 0)
		close(self->master);
	close(self->img);
}

/* A call_fn for fork_call(): the target's mode, its slave at fd 3. */
static int exec_outside(int fd, void *arg)
{
	const char *mode = arg;

	if (fd != OUTSIDE_FD)
		return -1;
	if (!strcmp(mode, "stdio") && dup2(fd, STDERR_FILENO) != STDERR_FILENO)
		return -1;
	execl(target_path(), "pty_target", mode, (char *)NULL);
	return -1;
}

/* A new pty, "ping" typed on its master; the target gets its slave. */
static void outside_start(META, OSELF *self, const char *mode)
{
	int in, out, s;

	self->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, self->master);
	ASSERT_EQ(0, grantpt(self->master));
	ASSERT_EQ(0, unlockpt(self->master));
	s = open(ptsname(self->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, s);
	ASSERT_EQ((ssize_t)strlen(OUTSIDE_PING),
		  write(self->master, OUTSIDE_PING, strlen(OUTSIDE_PING)));
	ASSERT_EQ(0, proc_pipes(&self->t, &in, &out));
	self->t.pid = fork_call(s, in, out, exec_outside, (void *)mode);
	close(in);
	close(out);
	close(s);
	ASSERT_LT(0, self->t.pid);
	ASSERT_EQ(0, wait_ready(self->t.out, WAIT_MS));
}

/* Release the target: what it printed, and its answer on the master. */
static void outside_finish(META, OSELF *self,
			   const char *run)
{
	char buf[256] = "";
	size_t got = 0;
	ssize_t n;
	int status;

	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("%s: the target hangs", run);
	check_output(_metadata, status, self->out, expect_outside, run);
	/* its echo of "ping", then "pong" */
	while (got < sizeof(buf) - 1 && !strstr(buf, "pong")) {
		struct pollfd p = { .fd = self->master, .events = POLLIN };

		if (poll(&p, 1, WAIT_MS) <= 0)
			break;
		n = read(self->master, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
		buf[got] = '\0';
	}
	buf[got] = '\0';
	EXPECT_NE(NULL, strstr(buf, "pong\r\n")) TH_LOG("%s: the master read %s", run, buf);
	close(self->master);
	self->master = -1;
}

/*
 * At fd 3: the checkpoint, without and with kill, fails with EOPNOTSUPP
 * and a log line naming the pid and fd 3; the target lives on.  At fd
 * 2 the slave is the caller's, as a shell job's terminal: saved as such.
 */
TEST_F_TIMEOUT(outside, checkpoint, 120)
{
	static const unsigned long flags[] = { 0, CHECKPOINT_KILL };
	char log[LOG_SIZE];
	int logfd, i, ret, err;

	outside_start(_metadata, self, variant->mode);
	outside_finish(_metadata, self, "never checkpointed");
	ASSERT_TRUE(_metadata->passed);

	outside_start(_metadata, self, variant->mode);
	ASSERT_EQ(0, wait_blocked(self->t.pid, WAIT_MS));
	for (i = 0; i < (int)ARRAY_SIZE(flags); i++) {
		logfd = tmp_image();
		ASSERT_LE(0, logfd);
		ASSERT_EQ(0, ftruncate(self->img, 0));
		ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
		ret = checkpoint(self->t.pid, self->img, flags[i], logfd);
		err = errno;
		read_log(logfd, log, sizeof(log));
		close(logfd);
		if (variant->fd != OUTSIDE_FD) {
			EXPECT_EQ(0, ret) TH_LOG("checkpoint: %s: %s",
						 strerror(err), log);
			break;
		}
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, err) TH_LOG("%s", strerror(err));
		EXPECT_NE(NULL, strstr(log, "master is held by a process outside the tree"))
			TH_LOG("log: %s", log);
		EXPECT_TRUE(names(log, "pid", self->t.pid) &&
			    names(log, "fd", OUTSIDE_FD))
			TH_LOG("log: %s", log);
		EXPECT_TRUE(is_alive(self->t.pid));
	}
	outside_finish(_metadata, self, variant->fd == OUTSIDE_FD ?
			 "refused" : "checkpointed");
}

/* ---------------------------------------------------------------------- */
/* Broken images */

enum edit {
	VALID,
	PTY_OBJREF,		/* PTY: another objref than its FILE names */
	PTY_INDEX,		/* PTY: an index devpts never gives */
	PTY_FLAGS,		/* PTY: a flag that does not exist */
	PTY_TCOOFF,		/* PTY: stopped by TCOOFF, yet not stopped */
	PTY_MASTER_FLAGS,	/* PTY: a master open write-only */
	PTY_PKTSTATUS,		/* PTY: a packet event that does not exist */
	PTY_SESSION,		/* PTY: a session without a foreground group */
	PTY_CFLAG,		/* PTY: termios without CREAD */
	PTY_LINE,		/* PTY: another line discipline than N_TTY */
	PTY_IFLAG,		/* PTY: an input flag that does not exist */
	PTY_CANON,		/* PTY: more bytes in lines than it holds */
	PTY_EOL,		/* PTY: its complete lines do not end a line */
	PTY_LEN,		/* PTY: more output bytes than it carries */
	PTY_OWNER,		/* PTY: a slave mode with a file type */
	FILE_SLAVE_RDEV,	/* FILE of the slave: another pty's device */
	FILE_MASTER_FLAGS,	/* FILE of the master: not its PTY's flags */
	FILE_MODE,		/* FILE of the slave: a regular file */
	FILE_NO_OBJECT,		/* FILE of the slave: a pty never seen */
};

FIXTURE(image) {
	struct image_case c;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, pty_objref) { .edit = PTY_OBJREF };
FIXTURE_VARIANT_ADD(image, pty_index) { .edit = PTY_INDEX };
FIXTURE_VARIANT_ADD(image, pty_flags) { .edit = PTY_FLAGS };
FIXTURE_VARIANT_ADD(image, pty_tcooff) { .edit = PTY_TCOOFF };
FIXTURE_VARIANT_ADD(image, pty_master_flags) { .edit = PTY_MASTER_FLAGS };
FIXTURE_VARIANT_ADD(image, pty_pktstatus) { .edit = PTY_PKTSTATUS };
FIXTURE_VARIANT_ADD(image, pty_session) { .edit = PTY_SESSION };
FIXTURE_VARIANT_ADD(image, pty_cflag) { .edit = PTY_CFLAG };
FIXTURE_VARIANT_ADD(image, pty_line) { .edit = PTY_LINE };
FIXTURE_VARIANT_ADD(image, pty_iflag) { .edit = PTY_IFLAG };
FIXTURE_VARIANT_ADD(image, pty_canon) { .edit = PTY_CANON };
FIXTURE_VARIANT_ADD(image, pty_eol) { .edit = PTY_EOL };
FIXTURE_VARIANT_ADD(image, pty_len) { .edit = PTY_LEN };
FIXTURE_VARIANT_ADD(image, pty_owner) { .edit = PTY_OWNER };
FIXTURE_VARIANT_ADD(image, file_slave_rdev) { .edit = FILE_SLAVE_RDEV };
FIXTURE_VARIANT_ADD(image, file_master_flags) { .edit = FILE_MASTER_FLAGS };
FIXTURE_VARIANT_ADD(image, file_mode) { .edit = FILE_MODE };
FIXTURE_VARIANT_ADD(image, file_no_object) { .edit = FILE_NO_OBJECT };

#define IMG	FIXTURE_DATA(image)

/* The PTY record of the image and the FILEs of both ends. */
struct pty_recs {
	struct ckpt_hdr_pty *pty;
	struct ckpt_hdr_file *master;
	struct ckpt_hdr_file *slave;
};

/* Top-level records only: these are never nested. */
static int find_pty(unsigned char *buf, size_t len, struct pty_recs *r)
{
	struct ckpt_hdr_file *f;
	struct ckpt_hdr *h;
	size_t off;

	memset(r, 0, sizeof(*r));
	for (off = 0; off + sizeof(*h) <= len; off += h->len) {
		h = (struct ckpt_hdr *)(buf + off);
		if (h->len < sizeof(*h) || h->len > len - off)
			return -1;
		if (h->type == CKPT_HDR_PTY && !r->pty)
			r->pty = (struct ckpt_hdr_pty *)h;
		if (h->type != CKPT_HDR_FILE)
			continue;
		f = (struct ckpt_hdr_file *)h;
		if (f->kind != CKPT_FILE_PTY)
			continue;
		if (f->rdev == ((5U << 8) | 2))	/* new_encode_dev(5:2) */
			r->master = f;
		else
			r->slave = f;
	}
	return r->pty && r->master && r->slave ? 0 : -1;
}

/* new_encode_dev() of the kernel */
static __u32 encode_dev(unsigned int ma, unsigned int mi)
{
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffU) << 12);
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ckpt_hdr_pty *p;
	struct pty_recs r;
	unsigned char *eol;

	if (find_pty(self->c.buf, self->c.len, &r)) {
		TH_LOG("the image lacks a PTY record or a FILE of either end");
		return -1;
	}
	p = r.pty;
	if (p->in_bytes != strlen(IMAGE_IN) || p->in_canon != IMAGE_IN_CANON ||
	    p->out_bytes != strlen(IMAGE_OUT) + 1 || p->in_pending ||
	    p->out_pending || !(p->flags & CKPT_PTY_PACKET) ||
	    (p->flags & CKPT_PTY_SLAVE_STOPPED) || p->sid ||
	    r.master->obj_objref != p->objref ||
	    r.slave->obj_objref != p->objref ||
	    r.slave->rdev != encode_dev(136, p->index)) {
		TH_LOG("PTY: %u bytes in, %u in lines, %u out, flags %#x, index %u",
		       p->in_bytes, p->in_canon, p->out_bytes, p->flags,
		       p->index);
		return -1;
	}
	eol = (unsigned char *)(p + 1) + CKPT_ALIGN_UP(p->in_bytes);
	switch (edit) {
	case VALID:
		break;
	case PTY_OBJREF:
		p->objref++;
		break;
	case PTY_INDEX:
		p->index = CKPT_PTY_INDEX_MAX;
		break;
	case PTY_FLAGS:
		p->flags |= CKPT_PTY_FLAGS_ALL + 1;
		break;
	case PTY_TCOOFF:
		p->flags |= CKPT_PTY_SLAVE_TCOOFF;
		break;
	case PTY_MASTER_FLAGS:
		p->master_flags = (p->master_flags & ~O_ACCMODE) | O_WRONLY;
		break;
	case PTY_PKTSTATUS:
		p->pktstatus = CKPT_PTY_PKTSTATUS_ALL + 1;
		break;
	case PTY_SESSION:
		p->sid = 1;
		break;
	case PTY_CFLAG:
		p->termios.cflag &= ~0200U;	/* CREAD */
		break;
	case PTY_LINE:
		p->termios.line = 1;
		break;
	case PTY_IFLAG:
		p->termios.iflag |= CKPT_PTY_IFLAGS + 1;
		break;
	case PTY_CANON:
		p->in_canon = p->in_bytes + 1;
		break;
	case PTY_EOL:
		eol[(IMAGE_IN_CANON - 1) / 8] &= ~(1U << ((IMAGE_IN_CANON - 1) % 8));
		break;
	case PTY_OWNER:
		p->slave_mode |= 020000;
		break;
	case PTY_LEN:
		p->out_bytes += CKPT_ALIGN;
		break;
	case FILE_SLAVE_RDEV:
		r.slave->rdev = encode_dev(136, p->index + 1);
		break;
	case FILE_MASTER_FLAGS:
		r.master->f_flags ^= O_NONBLOCK;
		break;
	case FILE_MODE:
		r.slave->mode = S_IFREG | 0600;
		break;
	case FILE_NO_OBJECT:
		r.slave->obj_objref = INT_MAX;
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

static int load_image(META, IMG *self)
{
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	return self->c.len ? 0 : -1;
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("pty_target");
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
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

/*
 * The image's /dev/pts/N held by the test: the restart fails with EBUSY,
 * saying so, before anything of its caller is gone.
 */
FIXTURE(busy) {
	struct image_case c;
	int masters[MAX_PTYS];
	int nr;
};

FIXTURE_SETUP(busy)
{
	image_case_init(&self->c, WAIT_MS);
	self->nr = 0;
	use_target("pty_target");
	ASSERT_EQ(0, mount_devpts()) TH_LOG("no devpts at /dev/pts");
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	ASSERT_NE(0, self->c.len);
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(busy)
{
	while (self->nr > 0)
		close(self->masters[--self->nr]);
	image_case_fini(&self->c);
}

TEST_F_TIMEOUT(busy, index_taken, 120)
{
	char log[LOG_SIZE], want[64];
	unsigned int n = 0;
	struct pty_recs r;
	int status, fd;

	ASSERT_EQ(0, find_pty(self->c.buf, self->c.len, &r));
	/* devpts gives the lowest free index: hold them up to the image's */
	do {
		ASSERT_LT(self->nr, MAX_PTYS);
		fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		self->masters[self->nr++] = fd;
		ASSERT_EQ(0, ioctl(fd, TIOCGPTN, &n));
	} while (n < r.pty->index);
	ASSERT_EQ(r.pty->index, n) TH_LOG("index %u is held by another", r.pty->index);

	self->c.pid = fork_call(self->c.fd, -1, self->c.log, restart_logged,
				NULL);
	ASSERT_LT(0, self->c.pid);
	ASSERT_EQ(0, wait_timeout(self->c.pid, &status, WAIT_MS));
	self->c.pid = 0;
	read_log(self->c.log, log, sizeof(log));
	EXPECT_TRUE(CALL_FAILED_WITH(status, EBUSY)) {
		TH_LOG("status %#x", status);
		log_text(_metadata, "log", log);
	}
	snprintf(want, sizeof(want), "/dev/pts/%u is in use", n);
	EXPECT_NE(NULL, strstr(log, want)) log_text(_metadata, "log", log);
}

TEST_HARNESS_MAIN
