// SPDX-License-Identifier: GPL-2.0
/*
 * File locks across checkpoint and restart: POSIX (fcntl, lockf), OFD
 * and flock locks of locks_target's modes are looked at from outside
 * the tree - by this test, another owner - before the checkpoint, once
 * the checkpoint killed the tree (gone with it), and once rstr restored
 * it (there again: type, range, the pid F_GETLK names).  Tasks waiting
 * in F_SETLKW and F_OFD_SETLKW wait again and get their lock when the
 * holder lets it go.  Broken LOCK records fail the restart with EINVAL;
 * a lock someone else took meanwhile fails it with a line naming the
 * file and the range.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "locks_target.h"

#define WAIT_MS		20000
#define DESC_SIZE	1024
#define OUT_SIZE	1024
#define PROBE_FLOCK	0	/* a probe with flock(), not fcntl() */

struct probe {
	const char *path;
	int cmd;		/* F_GETLK, F_OFD_GETLK or PROBE_FLOCK */
	off_t start, len;
};

/* Who @pid is in the tree @pids (the root first). */
static const char *who(pid_t pid, const pid_t *pids, int nr)
{
	int i;

	if (pid == -1)
		return "ofd";
	for (i = 0; i < nr; i++)
		if (pids[i] == pid)
			return i ? "child" : "root";
	return "other";
}

/* What another owner sees of the locks at @p, one line into @out. */
static int probe_one(const struct probe *p, const pid_t *pids, int nr,
		     char *out, size_t size)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = p->start, .l_len = p->len,
	};
	int fd = open(p->path, O_RDWR), sh, ex;

	if (fd < 0)
		return -1;
	if (p->cmd == PROBE_FLOCK) {
		sh = flock(fd, LOCK_SH | LOCK_NB);
		ex = flock(fd, LOCK_EX | LOCK_NB);
		snprintf(out, size, "flock sh %s ex %s\n", sh ? "busy" : "ok",
			 ex ? "busy" : "ok");
	} else if (fcntl(fd, p->cmd, &fl)) {
		close(fd);
		return -1;
	} else if (fl.l_type == F_UNLCK) {
		snprintf(out, size, "none\n");
	} else {
		snprintf(out, size, "%c %s %lld+%lld\n",
			 fl.l_type == F_RDLCK ? 'R' : 'W',
			 who(fl.l_pid, pids, nr), (long long)fl.l_start,
			 (long long)fl.l_len);
	}
	close(fd);
	return 0;
}

static int describe(const struct probe *p, int np, const pid_t *pids,
		    int nr, char *out, size_t size)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < np; i++) {
		if (probe_one(&p[i], pids, nr, out + len, size - len))
			return -1;
		len += strlen(out + len);
	}
	return 0;
}

/* Does every task of the tree but the root wait in fcntl()? */
static int waiting_in_fcntl(const pid_t *pids, int nr)
{
	char buf[64], want[16];
	int i;

	snprintf(want, sizeof(want), "%d ", SYS_fcntl);
	for (i = 1; i < nr; i++)
		if (read_proc(pids[i], "syscall", buf, sizeof(buf)) ||
		    strncmp(buf, want, strlen(want)))
			return 0;
	return nr > 1;
}

static int wait_waiting(const pid_t *pids, int nr, int ms)
{
	for (; ms > 0; ms -= 20) {
		if (waiting_in_fcntl(pids, nr))
			return 0;
		sleep_for_ms(20);
	}
	return -1;
}

/* A write lock on bytes @start.. (10) of @fd's file, by @cmd. */
static int take(int fd, int cmd, off_t start)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = start, .l_len = 10,
	};

	return fcntl(fd, cmd, &fl);
}

/*
 * A process outside the tree holding a POSIX and an OFD lock on
 * LOCKS_FILE until killed: its pid once it holds them, or -1.
 */
static pid_t outsider(void)
{
	int p[2], fd;
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		fd = open(LOCKS_FILE, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || take(fd, F_SETLK, OUTSIDER_START) ||
		    take(fd, F_OFD_SETLK, OUTSIDER_OFD_START))
			_exit(1);
		close(p[1]);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 0) {
		kill_reap(pid);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

struct lock_mode {
	const char *name;
	const struct probe *probes;
	int nr_probes;
	const char *held;	/* what the probes see while it runs */
	const char *gone;	/* once the checkpoint killed it */
	const char *expect;	/* what it prints */
	int waiters;		/* its children wait in fcntl() */
};

FIXTURE(locks) {
	int img;
	pid_t outsider;		/* holds locks of its own, outside */
	struct proc t;
	pid_t pids[TREE_MAX_TASKS];
	int nr;
	char desc[DESC_SIZE];
	char out[OUT_SIZE];
};

#define LOCKS	FIXTURE_DATA(locks)

FIXTURE_SETUP(locks)
{
	signal(SIGPIPE, SIG_IGN);
	self->nr = 0;
	self->img = target_fixture("locks_target", &self->t);
	ASSERT_LE(0, self->img);
	/*
	 * Locks of a process outside the tree on the same file are not
	 * the tree's: saved, they would conflict with the restart's.
	 */
	self->outsider = outsider();
	ASSERT_LT(0, self->outsider);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(locks)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
	kill_reap(self->outsider);
}

/* The tree settled, its locks as @m says; its waiters in fcntl(). */
static void check_held(struct __test_metadata *_metadata,
		       LOCKS *self, const struct lock_mode *m,
		       pid_t root, const char *when)
{
	ASSERT_EQ(0, settle_tree(root, self->pids, &self->nr, WAIT_MS))
		TH_LOG("%s: %s does not settle", when, m->name);
	if (m->waiters)
		ASSERT_EQ(0, wait_waiting(self->pids, self->nr, WAIT_MS))
			TH_LOG("%s: its children do not wait in fcntl()", when);
	ASSERT_EQ(0, describe(m->probes, m->nr_probes, self->pids, self->nr,
			      self->desc, sizeof(self->desc)));
	EXPECT_STREQ(m->held, self->desc) {
		TH_LOG("%s", when);
		log_text(_metadata, "expected", m->held);
		log_text(_metadata, "seen", self->desc);
	}
}

static void run_mode(struct __test_metadata *_metadata,
		     LOCKS *self, const struct lock_mode *m)
{
	pid_t root;
	int status;

	ASSERT_EQ(0, proc_spawn(&self->t, m->name));
	root = self->t.pid;
	check_held(_metadata, self, m, root, "before the checkpoint");
	ASSERT_EQ(0, checkpoint(root, self->img, CHECKPOINT_KILL,
				STDERR_FILENO))
		TH_LOG("checkpoint: %s", strerror(errno));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	proc_fini(&self->t);
	ASSERT_EQ(0, wait_gone(self->pids, self->nr, WAIT_MS));
	ASSERT_EQ(0, describe(m->probes, m->nr_probes, self->pids, self->nr,
			      self->desc, sizeof(self->desc)));
	EXPECT_STREQ(m->gone, self->desc) TH_LOG("locks left by the killed tree");

	ASSERT_EQ(0, proc_restore(&self->t, self->img, exec_rstr, NULL));
	check_held(_metadata, self, m, root, "restored");
	ASSERT_EQ(root, self->pids[0]);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("restored %s hangs", m->name);
	check_output(_metadata, status, self->out, m->expect, "restored");
}

#define LA	LOCKS_FILE
#define LB	LOCKS_FILE2

static const struct probe posix_probes[] = {
	{ LA, F_GETLK, POSIX_W_START, 10 },
	{ LA, F_GETLK, POSIX_R_START, 10 },
	{ LA, F_GETLK, POSIX_R_START + 10, LOCKF_START - POSIX_R_START - 10 },
	{ LA, F_GETLK, LOCKF_START, LOCKF_LEN },
	{ LA, F_GETLK, POSIX_EOF_START, 0 },
	{ LA, F_OFD_GETLK, POSIX_W_START, 10 },
	{ LA, F_GETLK, OUTSIDER_START, 10 },
	{ LA, F_OFD_GETLK, OUTSIDER_OFD_START, 10 },
};

TEST_F_TIMEOUT(locks, posix, 180)
{
	static const struct lock_mode m = {
		"posix", posix_probes, ARRAY_SIZE(posix_probes),
		"W root 0+10\nR root 20+10\nnone\nW root 200+50\n"
		"R root 1000+0\nW root 0+10\nW other 700+10\nW ofd 720+10\n",
		"none\nnone\nnone\nnone\nnone\nnone\nW other 700+10\n"
		"W ofd 720+10\n",
		"posix ok\n",
		0,
	};

	run_mode(_metadata, self, &m);
}

static const struct probe ofd_probes[] = {
	{ LA, F_OFD_GETLK, OFD_W_START, 10 },
	{ LA, F_OFD_GETLK, OFD_R_START, 10 },
	{ LA, F_GETLK, OFD_R_START, 10 },
	{ LA, F_OFD_GETLK, OFD_W_START + 10, OFD_R_START - OFD_W_START - 10 },
};

TEST_F_TIMEOUT(locks, ofd, 180)
{
	static const struct lock_mode m = {
		"ofd", ofd_probes, ARRAY_SIZE(ofd_probes),
		"W ofd 0+10\nR ofd 100+10\nR ofd 100+10\nnone\n",
		"none\nnone\nnone\nnone\n",
		"ofd ok\n",
		0,
	};

	run_mode(_metadata, self, &m);
}

static const struct probe flock_probes[] = {
	{ LB, PROBE_FLOCK, 0, 0 },
	{ LA, PROBE_FLOCK, 0, 0 },
};

TEST_F_TIMEOUT(locks, flock, 180)
{
	static const struct lock_mode m = {
		"flock", flock_probes, ARRAY_SIZE(flock_probes),
		"flock sh busy ex busy\nflock sh ok ex busy\n",
		"flock sh ok ex ok\nflock sh ok ex ok\n",
		"flock ok\n",
		0,
	};

	run_mode(_metadata, self, &m);
}

static const struct probe fork_probes[] = {
	{ LA, F_GETLK, FORK_P_START, 10 },
	{ LA, F_GETLK, FORK_C_START, 10 },
	{ LA, F_OFD_GETLK, OFD_SHARED_START, 100 },
};

TEST_F_TIMEOUT(locks, fork, 180)
{
	static const struct lock_mode m = {
		"fork", fork_probes, ARRAY_SIZE(fork_probes),
		"W root 0+10\nW child 10+10\nW ofd 500+100\n",
		"none\nnone\nnone\n",
		"fork ok\n",
		0,
	};

	run_mode(_metadata, self, &m);
}

static const struct probe wait_probes[] = {
	{ LA, F_GETLK, WAIT_START, 10 },
	{ LA, F_OFD_GETLK, WAIT_OFD_START, 10 },
};

TEST_F_TIMEOUT(locks, wait, 180)
{
	static const struct lock_mode m = {
		"wait", wait_probes, ARRAY_SIZE(wait_probes),
		"W root 0+10\nW ofd 50+10\n",
		"none\nnone\n",
		"POSIX waiter got the lock\nOFD waiter got the lock\nwait ok\n",
		1,
	};

	run_mode(_metadata, self, &m);
}

/* @mode holds what checkpoint refuses: EOPNOTSUPP, a line saying @why. */
static void refused(struct __test_metadata *_metadata, LOCKS *self,
		    const char *mode, const char *why)
{
	char log[FDTEST_LOG_SIZE];
	int logfd = tmp_image(), ret, err;
	ssize_t n;

	ASSERT_LE(0, logfd);
	ASSERT_EQ(0, proc_spawn(&self->t, mode));
	ASSERT_EQ(0, settle_tree(self->t.pid, self->pids, &self->nr, WAIT_MS));
	ret = checkpoint(self->t.pid, self->img, CHECKPOINT_KILL, logfd);
	err = errno;
	n = pread(logfd, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	close(logfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err);
	EXPECT_NE(NULL, strstr(log, why)) log_text(_metadata, "log", log);
	/* the target runs on, unharmed */
	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &ret, WAIT_MS));
	EXPECT_TRUE(WIFEXITED(ret) && !WEXITSTATUS(ret));
}

TEST_F_TIMEOUT(locks, lease_refused, 120)
{
	refused(_metadata, self, "lease",
		"fd 3: a lease (F_SETLEASE) on its file is not supported");
}

TEST_F_TIMEOUT(locks, stdio_refused, 120)
{
	refused(_metadata, self, "stdio",
		"fd 1: a flock lock on a stdio file the restart takes from its caller");
}

/* ---------------------------------------------------------------------- */
/* broken images, and locks taken by someone else before the restart */

enum edit {
	VALID,
	BAD_KIND,
	BAD_TYPE,
	START_AFTER_END,
	END_PAST_EOF,
	FLOCK_RANGE,
	OFD_PID,
	POSIX_NO_PID,
	POSIX_OWNER,
	FILE_UNKNOWN,
	PAD,
	POSIX_FOREIGN_PID,
};

FIXTURE(image) {
	struct image_case c;
	struct image_layout l;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, bad_kind) { .edit = BAD_KIND };
FIXTURE_VARIANT_ADD(image, bad_type) { .edit = BAD_TYPE };
FIXTURE_VARIANT_ADD(image, start_after_end) { .edit = START_AFTER_END };
FIXTURE_VARIANT_ADD(image, end_past_eof) { .edit = END_PAST_EOF };
FIXTURE_VARIANT_ADD(image, flock_range) { .edit = FLOCK_RANGE };
FIXTURE_VARIANT_ADD(image, ofd_pid) { .edit = OFD_PID };
FIXTURE_VARIANT_ADD(image, posix_no_pid) { .edit = POSIX_NO_PID };
FIXTURE_VARIANT_ADD(image, posix_owner) { .edit = POSIX_OWNER };
FIXTURE_VARIANT_ADD(image, file_unknown) { .edit = FILE_UNKNOWN };
FIXTURE_VARIANT_ADD(image, pad) { .edit = PAD };
FIXTURE_VARIANT_ADD(image, posix_foreign_pid) { .edit = POSIX_FOREIGN_PID };

/* The LOCK record of @kind in the image; NULL if none. */
static struct ckpt_hdr_lock *find_lock(unsigned char *buf,
				       const struct image_layout *l,
				       __u32 kind)
{
	struct ckpt_hdr_lock *hl;
	int i;

	for (i = 0; i < l->nr; i++) {
		if (l->r[i].type != CKPT_HDR_LOCK)
			continue;
		hl = (struct ckpt_hdr_lock *)(buf + l->r[i].off);
		if (hl->kind == kind)
			return hl;
	}
	return NULL;
}

static int edit_image(struct __test_metadata *_metadata,
		      struct image_case *c, struct image_layout *l,
		      enum edit edit)
{
	struct ckpt_hdr_lock *px, *ofd, *fl;

	c->len = load_cached_image(_metadata, &c->buf);
	if (!c->len)
		return -1;
	if (image_walk(c->buf, c->len, l))
		return -1;
	px = find_lock(c->buf, l, CKPT_LOCK_POSIX);
	ofd = find_lock(c->buf, l, CKPT_LOCK_OFD);
	fl = find_lock(c->buf, l, CKPT_LOCK_FLOCK);
	if (!px || !ofd || !fl) {
		TH_LOG("the image lacks a LOCK record of each kind");
		return -1;
	}
	if (px->type != F_WRLCK || px->start != IMAGE_POSIX_START ||
	    px->end != IMAGE_POSIX_START + 9 || px->pid <= 0 ||
	    ofd->type != F_RDLCK || ofd->start != IMAGE_OFD_START ||
	    ofd->end != IMAGE_OFD_START + 9 || ofd->pid ||
	    fl->type != F_WRLCK || fl->end != CKPT_LOCK_EOF) {
		TH_LOG("the LOCK records are not what the target took");
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case BAD_KIND:
		px->kind = CKPT_LOCK_FLOCK + 1;
		break;
	case BAD_TYPE:
		ofd->type = F_UNLCK;
		break;
	case START_AFTER_END:
		px->start = px->end + 1;
		break;
	case END_PAST_EOF:
		ofd->end = CKPT_LOCK_EOF + 1;
		break;
	case FLOCK_RANGE:
		fl->start = 1;
		break;
	case OFD_PID:
		ofd->pid = px->pid;
		break;
	case POSIX_NO_PID:
		px->pid = 0;
		break;
	case POSIX_OWNER:
		px->owner_objref = ofd->owner_objref;
		break;
	case FILE_UNKNOWN:
		ofd->file_objref = ofd->owner_objref = 99999;
		break;
	case PAD:
		fl->pad = 1;
		break;
	case POSIX_FOREIGN_PID:
		px->pid = 1;
		break;
	}
	return image_reseal(c->buf, c->len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("locks_target");
	ASSERT_EQ(0, edit_image(_metadata, &self->c, &self->l,
				variant->edit));
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
			   variant->edit == VALID, "image ok\n", "");
}

/* The image as the kernel wrote it. */
FIXTURE(conflict) {
	struct image_case c;
	struct image_layout l;
};

#define CONFLICT	FIXTURE_DATA(conflict)

FIXTURE_SETUP(conflict)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("locks_target");
	ASSERT_EQ(0, edit_image(_metadata, &self->c, &self->l, VALID));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(conflict)
{
	image_case_fini(&self->c);
}

/*
 * A lock someone else holds by the time of the restart: @cmd on bytes
 * @start.. of LOCKS_FILE, taken here.  The restart fails with EAGAIN and
 * a line naming the file and the range: an OFD lock before the point of
 * no return (the caller unharmed), a POSIX lock after it (killed).
 */
static void conflict(struct __test_metadata *_metadata,
		     CONFLICT *self, int cmd, off_t start,
		     const char *range)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = start, .l_len = 10,
	};
	char log[FDTEST_LOG_SIZE], want[128];
	int fd, status;
	ssize_t n;

	fd = open(LOCKS_FILE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, cmd, &fl));
	self->c.pid = fork_call(self->c.fd, -1, self->c.log, restart_logged,
				NULL);
	ASSERT_LT(0, self->c.pid);
	ASSERT_EQ(0, wait_timeout(self->c.pid, &status, self->c.wait_ms));
	self->c.pid = 0;
	close(fd);
	n = pread(self->c.log, log, sizeof(log) - 1, 0);
	log[n > 0 ? n : 0] = '\0';
	if (cmd == F_OFD_SETLK) {
		EXPECT_TRUE(CALL_FAILED_WITH(status, EAGAIN))
			TH_LOG("status %#x", status);
	} else {
		EXPECT_TRUE(KILLED_BY(status, SIGKILL))
			TH_LOG("status %#x", status);
	}
	snprintf(want, sizeof(want), "%s of %s: another lock holds them",
		 range, LOCKS_FILE);
	EXPECT_NE(NULL, strstr(log, want)) log_text(_metadata, "log", log);
}

TEST_F_TIMEOUT(conflict, ofd, 120)
{
	conflict(_metadata, self, F_OFD_SETLK, IMAGE_OFD_START,
		 "bytes 100-109");
}

TEST_F_TIMEOUT(conflict, posix, 120)
{
	conflict(_metadata, self, F_SETLK, IMAGE_POSIX_START, "bytes 0-9");
}

TEST_HARNESS_MAIN
