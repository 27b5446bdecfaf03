// SPDX-License-Identifier: GPL-2.0
/*
 * Targets for locks_test: each mode takes file locks (see locks_target.h),
 * says "ready", blocks in read(0), and once released checks from the
 * inside that the locks are still its own - what another owner sees of
 * them, what it may take again itself - prints "<mode> ok" and exits 0.
 * A failed check exits EXIT_CHECK with a line on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

#define TARGET_NAME "locks_target"
#include "target.h"
#include "locks_target.h"

static int open_file(const char *path, int fd)
{
	int f = open(path, O_RDWR | O_CREAT, 0600);

	CHECK(f >= 0 && ftruncate(f, LOCKS_SIZE) == 0);
	move_fd(f, fd);
	return fd;
}

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len,
	};

	return fcntl(fd, cmd, &fl);
}

/* What @fd's owner would be refused for a write lock there: type, pid. */
static void probe(int fd, int cmd, off_t start, off_t len, short *type,
		  pid_t *pid, off_t *lstart, off_t *llen)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len,
	};

	CHECK(fcntl(fd, cmd, &fl) == 0);
	*type = fl.l_type;
	*pid = fl.l_pid;
	*lstart = fl.l_start;
	*llen = fl.l_len;
}

static void expect_lock(int fd, int cmd, off_t start, off_t len, short type,
			pid_t pid)
{
	off_t ls, ll;
	short t;
	pid_t p;

	probe(fd, cmd, start, len, &t, &p, &ls, &ll);
	CHECK(t == type);
	CHECK(p == pid);
	CHECK(ls == start && ll == len);
}

/* A child, another owner: does it see the locks of @parent? */
static void posix_seen_by_child(void)
{
	pid_t parent = getpid(), pid = fork();
	int fd;

	CHECK(pid >= 0);
	if (!pid) {
		fd = open(LOCKS_FILE, O_RDWR);
		CHECK(fd >= 0);
		expect_lock(fd, F_GETLK, POSIX_W_START, 10, F_WRLCK, parent);
		expect_lock(fd, F_GETLK, POSIX_R_START, 10, F_RDLCK, parent);
		expect_lock(fd, F_GETLK, LOCKF_START, LOCKF_LEN, F_WRLCK,
			    parent);
		CHECK(lock(fd, F_SETLK, F_RDLCK, POSIX_R_START, 10) == 0);
		CHECK(lock(fd, F_SETLK, F_WRLCK, POSIX_W_START, 10) < 0 &&
		      (errno == EAGAIN || errno == EACCES));
		_exit(0);
	}
	CHECK(reap(pid) == 0);
}

static void mode_posix(void)
{
	open_file(LOCKS_FILE, 3);
	CHECK(lock(3, F_SETLK, F_WRLCK, POSIX_W_START, 10) == 0);
	CHECK(lock(3, F_SETLK, F_RDLCK, POSIX_R_START, 10) == 0);
	CHECK(lseek(3, LOCKF_START, SEEK_SET) == LOCKF_START);
	CHECK(lockf(3, F_LOCK, LOCKF_LEN) == 0);
	CHECK(lock(3, F_SETLK, F_RDLCK, POSIX_EOF_START, 0) == 0);
	ready_and_wait();
	posix_seen_by_child();
	/* its own: taken again, changed, without a conflict */
	CHECK(lock(3, F_SETLK, F_RDLCK, POSIX_W_START, 10) == 0);
	say("posix ok\n");
}

static void mode_ofd(void)
{
	int fd;

	open_file(LOCKS_FILE, 3);
	open_file(LOCKS_FILE, 4);
	CHECK(lock(3, F_OFD_SETLK, F_WRLCK, OFD_W_START, 10) == 0);
	CHECK(lock(4, F_OFD_SETLK, F_RDLCK, OFD_R_START, 10) == 0);
	ready_and_wait();
	/* each file its own owner: the other sees its lock */
	expect_lock(4, F_OFD_GETLK, OFD_W_START, 10, F_WRLCK, -1);
	expect_lock(3, F_OFD_GETLK, OFD_R_START, 10, F_RDLCK, -1);
	CHECK(lock(3, F_OFD_SETLK, F_WRLCK, OFD_W_START, 10) == 0);
	fd = open(LOCKS_FILE, O_RDWR);
	CHECK(fd >= 0);
	CHECK(lock(fd, F_OFD_SETLK, F_RDLCK, OFD_R_START, 10) == 0);
	CHECK(lock(fd, F_OFD_SETLK, F_RDLCK, OFD_W_START, 10) < 0 &&
	      errno == EAGAIN);
	say("ofd ok\n");
}

static void mode_flock(void)
{
	int fd;

	open_file(LOCKS_FILE2, 3);
	open_file(LOCKS_FILE, 4);
	CHECK(dup2(4, 5) == 5);
	CHECK(flock(3, LOCK_EX | LOCK_NB) == 0);
	CHECK(flock(4, LOCK_SH | LOCK_NB) == 0);
	ready_and_wait();
	fd = open(LOCKS_FILE2, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK);
	CHECK(close(fd) == 0);
	fd = open(LOCKS_FILE, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
	CHECK(flock(fd, LOCK_SH | LOCK_NB) == 0);
	CHECK(close(fd) == 0);
	/* its own, through either descriptor of the shared file */
	CHECK(flock(3, LOCK_EX | LOCK_NB) == 0);
	CHECK(flock(5, LOCK_SH | LOCK_NB) == 0);
	say("flock ok\n");
}

#define GO_RD	22
#define GO_WR	23

static void mode_fork(void)
{
	pid_t parent = getpid(), child;
	int go[2];
	char c;

	open_file(LOCKS_FILE, 3);
	open_file(LOCKS_FILE, 4);
	CHECK(lock(4, F_OFD_SETLK, F_WRLCK, OFD_SHARED_START, 100) == 0);
	CHECK(pipe(go) == 0);
	move_fd(go[0], GO_RD);
	move_fd(go[1], GO_WR);
	sync_open();
	child = fork();
	CHECK(child >= 0);
	if (!child) {
		CHECK(close(GO_WR) == 0);
		CHECK(lock(3, F_SETLK, F_WRLCK, FORK_C_START, 10) == 0);
		sync_done();
		/* the parent looks at its lock first, then lets it go on */
		CHECK(read(GO_RD, &c, 1) == 0);
		/* the parent's lock is another owner's, the OFD one ours */
		expect_lock(3, F_GETLK, FORK_P_START, 10, F_WRLCK, parent);
		CHECK(lock(4, F_OFD_SETLK, F_WRLCK, OFD_SHARED_START,
			   100) == 0);
		_exit(0);
	}
	CHECK(close(GO_RD) == 0);
	CHECK(lock(3, F_SETLK, F_WRLCK, FORK_P_START, 10) == 0);
	sync_wait();
	ready_and_wait();
	expect_lock(3, F_GETLK, FORK_C_START, 10, F_WRLCK, child);
	CHECK(close(GO_WR) == 0);
	CHECK(lock(4, F_OFD_SETLK, F_WRLCK, OFD_SHARED_START, 100) == 0);
	CHECK(reap(child) == 0);
	say("fork ok\n");
}

/* A child that waits for the lock in @cmd, then says it got it. */
static pid_t wait_for(int cmd, off_t start, const char *what)
{
	pid_t pid = fork();
	int fd;

	CHECK(pid >= 0);
	if (pid)
		return pid;
	fd = open(LOCKS_FILE, O_RDWR);
	CHECK(fd >= 0);
	/* no handler: a restart must not make it fail with EINTR */
	CHECK(lock(fd, cmd, F_WRLCK, start, 10) == 0);
	say("%s waiter got the lock\n", what);
	_exit(0);
}

static void mode_wait(void)
{
	pid_t w1, w2;

	open_file(LOCKS_FILE, 3);
	open_file(LOCKS_FILE, 4);
	CHECK(lock(3, F_SETLK, F_WRLCK, WAIT_START, 10) == 0);
	CHECK(lock(4, F_OFD_SETLK, F_WRLCK, WAIT_OFD_START, 10) == 0);
	w1 = wait_for(F_SETLKW, WAIT_START, "POSIX");
	w2 = wait_for(F_OFD_SETLKW, WAIT_OFD_START, "OFD");
	ready_and_wait();
	CHECK(lock(3, F_SETLK, F_UNLCK, WAIT_START, 10) == 0);
	CHECK(reap(w1) == 0);
	CHECK(lock(4, F_OFD_SETLK, F_UNLCK, WAIT_OFD_START, 10) == 0);
	CHECK(reap(w2) == 0);
	say("wait ok\n");
}

static void mode_image(void)
{
	open_file(LOCKS_FILE, 3);
	open_file(LOCKS_FILE, 4);
	open_file(LOCKS_FILE2, 5);
	CHECK(lock(3, F_SETLK, F_WRLCK, IMAGE_POSIX_START, 10) == 0);
	CHECK(lock(4, F_OFD_SETLK, F_RDLCK, IMAGE_OFD_START, 10) == 0);
	CHECK(flock(5, LOCK_EX | LOCK_NB) == 0);
	ready_and_wait();
	CHECK(lock(3, F_SETLK, F_RDLCK, IMAGE_POSIX_START, 10) == 0);
	say("image ok\n");
}

static void mode_lease(void)
{
	int fd;

	open_file(LOCKS_FILE2, 3);
	CHECK(close(3) == 0);
	fd = open(LOCKS_FILE2, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_SETLEASE, F_RDLCK) == 0);
	ready_and_wait();
	say("lease ok\n");
}

static void mode_stdio(void)
{
	CHECK(flock(STDOUT_FILENO, LOCK_SH | LOCK_NB) == 0);
	ready_and_wait();
	say("stdio ok\n");
}

static const struct {
	const char *name;
	void (*fn)(void);
} modes[] = {
	{ "posix", mode_posix },
	{ "ofd", mode_ofd },
	{ "flock", mode_flock },
	{ "fork", mode_fork },
	{ "wait", mode_wait },
	{ "image", mode_image },
	{ "lease", mode_lease },
	{ "stdio", mode_stdio },
};

int main(int argc, char **argv)
{
	unsigned int i;

	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	say("usage: locks_target posix|ofd|flock|fork|wait|image|lease|stdio\n");
	return 2;
}
