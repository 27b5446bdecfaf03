// SPDX-License-Identifier: GPL-2.0
/*
 * pty_target: pseudo-terminals for pty_test.  Each mode sets up ptys
 * with data queued in them, prints "ready" and blocks in read(0) until
 * released (a byte or end of file on stdin); then it looks at its ptys
 * and prints what it finds, one fact a line, for the test to compare
 * with what the same mode prints when it was never checkpointed.
 * Children of a mode check their own part and exit 0, or 3 with a line
 * on stderr.  Output goes through write(2) only.
 *
 *	pty_target MODE
 *
 * raw		master and slave in one task, the slave raw, more queued
 *		each way than a line discipline holds; window size, speeds,
 *		TIOCEXCL and TIOCSPTLCK set
 * canon	the slave canonical without echo: lines ended by '\n', VEOL,
 *		VEOL2 and VEOF, a bare end of file, a '\n' made literal by
 *		VLNEXT, a partial line and a VLNEXT typed last; output
 *		expanding tabs from a column not 0
 * echo		the slave as a terminal has it (canonical, echo): a prompt,
 *		a line and a partial one with a tab, erased after release
 * modes	odd termios (BOTHER speeds, CSTOPB...), packet mode with
 *		events not read, the slave's output stopped (tcflow TCOOFF),
 *		TIOCEXCL on the master, /dev/pts/N owned by 1234:5, 0604
 * fork		three ptys opened, the middle one closed; the parent keeps
 *		both masters, its child opens both slaves; data both ways
 * ctty		a terminal emulator: the root holds the master, its child
 *		makes a session with the slave as controlling terminal at
 *		fds 0-2, and a grandchild in the foreground group reads it
 * outside	the slave at fd 3 only, its master the test's
 * stdio	the same at fd 2
 * image	the pty of the broken images, in one task
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "pty_target.h"
#define TARGET_NAME "pty_target"
#include "target.h"

#define WAIT_MS		20000
#define BUF_SIZE	65536

/* struct termios2 of the kernel: glibc's termios.h cannot have it */
struct k_termios2 {
	unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[19];
	unsigned int c_ispeed, c_ospeed;
};

#define K_TCGETS2	_IOR('T', 0x2A, struct k_termios2)
#define K_TCSETS2	_IOW('T', 0x2B, struct k_termios2)
#define K_BOTHER	0010000
#define K_CBAUD		0010017

static unsigned char wbuf[BUF_SIZE];
static unsigned char rbuf[BUF_SIZE];

static void set_fl(int fd, int flags, int on)
{
	int fl = fcntl(fd, F_GETFL);

	CHECK(fl >= 0);
	CHECK(fcntl(fd, F_SETFL, on ? fl | flags : fl & ~flags) == 0);
}

/* A new pty: its master at @mfd, unlocked; its slave at @sfd if >= 0. */
static void open_pty(int mfd, int sfd)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	move_fd(m, mfd);
	CHECK(grantpt(mfd) == 0 && unlockpt(mfd) == 0);
	if (sfd >= 0)
		move_fd(open(ptsname(mfd), O_RDWR | O_NOCTTY), sfd);
}

static void make_raw(int fd)
{
	struct termios t;

	CHECK(tcgetattr(fd, &t) == 0);
	cfmakeraw(&t);
	CHECK(tcsetattr(fd, TCSANOW, &t) == 0);
}

/* Write all of @len bytes of @stream from @off. */
static void put(int fd, int stream, long off, long len)
{
	ssize_t n;
	long i;

	for (i = 0; i < len; i++)
		wbuf[i] = pty_byte(stream, off + i);
	for (i = 0; i < len; i += n) {
		n = write(fd, wbuf + i, len - i);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			n = 0;
		CHECK(n >= 0);
	}
}

static void puts_fd(int fd, const char *s)
{
	size_t len = strlen(s);

	CHECK(write(fd, s, len) == (ssize_t)len);
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, ms);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

/*
 * Read @len bytes into rbuf, waiting for them; what was read, fewer at
 * end of file, error or WAIT_MS without any.
 */
static long read_len(int fd, long len)
{
	long done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, rbuf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (wait_in(fd, WAIT_MS) <= 0)
				break;
			continue;
		}
		if (n <= 0)
			break;
		done += n;
	}
	return done;
}

/* Where @n bytes of rbuf differ from @stream at @off; -1 if nowhere. */
static long mismatch(long n, int stream, long off)
{
	long i;

	for (i = 0; i < n; i++)
		if (rbuf[i] != pty_byte(stream, off + i))
			return i;
	return -1;
}

/* Read @len bytes of @stream from @off, and say how it went. */
static void take(const char *name, int fd, int stream, long off, long len)
{
	long got = read_len(fd, len), bad = mismatch(got, stream, off);

	if (got != len)
		say("%s short: %ld bytes of %ld\n", name, got, len);
	else if (bad >= 0)
		say("%s data bad at offset %ld\n", name, off + bad);
	else
		say("%s data ok %ld\n", name, len);
}

/* In a child: take(), or fail. */
static void must_take(int fd, int stream, long off, long len)
{
	CHECK(read_len(fd, len) == len);
	CHECK(mismatch(len, stream, off) < 0);
}

/* Say @what and @n bytes, control characters as \ooo. */
static void say_esc(const char *what, const unsigned char *buf, long n)
{
	static char line[4 * BUF_SIZE / 16];
	size_t len = 0;
	long i;

	for (i = 0; i < n && len + 5 < sizeof(line); i++) {
		if (buf[i] >= ' ' && buf[i] < 0x7f && buf[i] != '\\')
			line[len++] = buf[i];
		else
			len += snprintf(line + len, sizeof(line) - len,
					"\\%03o", buf[i]);
	}
	line[len] = '\0';
	say("%s %ld:%s%s\n", what, n, n ? " " : "", line);
}

static int inq(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/* Until FIONREAD of @fd says @n: what the line discipline took settles. */
static void wait_inq(int fd, int n)
{
	int ms;

	for (ms = 0; inq(fd) != n; ms++) {
		CHECK(ms < WAIT_MS);
		sleep_ms(1);
	}
}

/* Read until the bytes read end with @end; say them. */
static void take_until(const char *what, int fd, const char *end)
{
	size_t elen = strlen(end);
	long done = 0;
	ssize_t n;

	while (done < (long)elen ||
	       memcmp(rbuf + done - elen, end, elen)) {
		if (wait_in(fd, WAIT_MS) <= 0)
			break;
		n = read(fd, rbuf + done, sizeof(rbuf) - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	say_esc(what, rbuf, done);
}

/* One read() once there is something to read; say it. */
static void take_once(const char *what, int fd)
{
	ssize_t n = 0;

	if (wait_in(fd, WAIT_MS) > 0)
		n = read(fd, rbuf, sizeof(rbuf));
	say_esc(what, rbuf, n > 0 ? n : 0);
}

/* Read until end of file or EIO (the other end closed); say it all. */
static void take_all(const char *what, int fd)
{
	long done = 0;
	ssize_t n;

	for (;;) {
		if (wait_in(fd, WAIT_MS) <= 0)
			break;
		n = read(fd, rbuf + done, sizeof(rbuf) - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		done += n;
	}
	say_esc(what, rbuf, done);
}

/* Each read() of @fd (O_NONBLOCK) until EAGAIN: one line each. */
static void read_lines(const char *what, int fd)
{
	char name[64];
	ssize_t n;
	int i;

	for (i = 0; i < 16; i++) {
		n = read(fd, rbuf, sizeof(rbuf));
		if (n < 0) {
			say("%s %s\n", what, errno == EAGAIN ? "EAGAIN" :
			    strerror(errno));
			return;
		}
		snprintf(name, sizeof(name), "%s read", what);
		say_esc(name, rbuf, n);
	}
}

static const char *err_name(int err)
{
	switch (err) {
	case EAGAIN: return "EAGAIN";
	case EIO: return "EIO";
	case EBUSY: return "EBUSY";
	}
	return strerror(err);
}

/* The termios of the pty of @fd, all of them, through TCGETS2. */
static void say_termios(const char *what, int fd)
{
	struct k_termios2 t;
	char cc[19 * 3 + 1];
	int i;

	CHECK(ioctl(fd, K_TCGETS2, &t) == 0);
	for (i = 0; i < 19; i++)
		snprintf(cc + 3 * i, 4, "%02x%s", t.c_cc[i], i < 18 ? "," : "");
	say("%s iflag %#o oflag %#o cflag %#o lflag %#o line %u ispeed %u ospeed %u cc %s\n",
	    what, t.c_iflag, t.c_oflag, t.c_cflag, t.c_lflag, t.c_line,
	    t.c_ispeed, t.c_ospeed, cc);
}

/*
 * Window size, the master's lock and packet mode, each end's TIOCEXCL
 * and status flags, and whether the slave at @s is the master's.
 */
static void say_modes(int m, int s)
{
	struct winsize ws;
	int lock = -1, pkt = -1, xm = -1, xs = -1;
	unsigned int n;
	struct stat st;

	CHECK(ioctl(m, TIOCGWINSZ, &ws) == 0);
	CHECK(ioctl(m, TIOCGPTLCK, &lock) == 0 && ioctl(m, TIOCGPKT, &pkt) == 0);
	CHECK(ioctl(m, TIOCGEXCL, &xm) == 0 && ioctl(m, TIOCGPTN, &n) == 0);
	if (s >= 0)
		CHECK(ioctl(s, TIOCGEXCL, &xs) == 0 && fstat(s, &st) == 0);
	say("winsize %ux%u %ux%u lock %d packet %d excl %d/%d flags %#o/%#o%s\n",
	    ws.ws_row, ws.ws_col, ws.ws_xpixel, ws.ws_ypixel, lock, pkt, xm,
	    xs, fcntl(m, F_GETFL), s >= 0 ? fcntl(s, F_GETFL) : 0,
	    s < 0 ? "" : minor(st.st_rdev) == n ? " its slave" :
							  " another slave");
}

/* ---------------------------------------------------------------------- */

static void mode_raw(void)
{
	struct winsize ws = { 33, 111, 640, 480 };
	struct termios t;
	int lock = 1, fd;

	open_pty(10, 11);
	make_raw(11);
	CHECK(tcgetattr(11, &t) == 0);
	CHECK(cfsetispeed(&t, B9600) == 0 && cfsetospeed(&t, B19200) == 0);
	CHECK(tcsetattr(11, TCSANOW, &t) == 0);
	CHECK(ioctl(10, TIOCSWINSZ, &ws) == 0);
	put(10, 1, 0, RAW_IN);
	put(11, 2, 0, RAW_OUT);
	/* the line disciplines take what they can: the rest waits */
	wait_inq(11, PTY_LDISC - 1);
	wait_inq(10, PTY_LDISC - 1);
	CHECK(ioctl(11, TIOCEXCL) == 0);
	CHECK(ioctl(10, TIOCSPTLCK, &lock) == 0);
	set_fl(10, O_NONBLOCK, 1);
	ready_and_wait();

	say_termios("slave", 11);
	say_modes(10, 11);
	say("in avail %d out avail %d\n", inq(11), inq(10));
	fd = open(ptsname(10), O_RDWR | O_NOCTTY);
	say("locked open %s\n", fd < 0 ? err_name(errno) : "ok");
	lock = 0;
	CHECK(ioctl(10, TIOCSPTLCK, &lock) == 0);
	fd = open(ptsname(10), O_RDWR | O_NOCTTY);
	say("unlocked open %s\n", fd < 0 ? err_name(errno) : "ok");
	if (fd >= 0)
		CHECK(close(fd) == 0);
	take("in", 11, 1, 0, RAW_IN);
	take("out", 10, 2, 0, RAW_OUT);
	/* both ends still make one pty */
	put(10, 3, 0, 100);
	take("in echo", 11, 3, 0, 100);
	put(11, 4, 0, 100);
	take("out echo", 10, 4, 0, 100);
}

static void mode_canon(void)
{
	static const char in[] = "one\ntwo#three@four\004\004a\026\nb\npart\026";
	struct termios t;

	open_pty(10, 11);
	CHECK(tcgetattr(11, &t) == 0);
	t.c_lflag = ICANON | IEXTEN | ISIG;
	t.c_oflag = OPOST | ONLCR | XTABS;
	t.c_cc[VEOL] = '#';
	t.c_cc[VEOL2] = '@';
	CHECK(tcsetattr(11, TCSANOW, &t) == 0);
	/* one write: the line discipline takes it in one go */
	puts_fd(10, in);
	puts_fd(11, "ab");
	/* "one\ntwo#three@four" and "a\nb\n"; the ends of file not counted */
	wait_inq(11, 22);
	wait_inq(10, 2);
	ready_and_wait();

	say_termios("slave", 11);
	say("avail %d\n", inq(11));
	set_fl(11, O_NONBLOCK, 1);
	read_lines("slave", 11);
	/* the VLNEXT typed last makes this '\n' a plain byte */
	puts_fd(10, "\nend\n");
	CHECK(wait_in(11, WAIT_MS) > 0);
	read_lines("slave", 11);
	/* the tab is expanded from column 2: "ab" was output before */
	puts_fd(11, "\tZ\n");
	take_until("master", 10, "\r\n");
}

static void mode_echo(void)
{
	open_pty(10, 11);
	puts_fd(10, "ls\n");
	wait_inq(11, 3);
	puts_fd(11, "$ ");
	/* a partial line after the prompt: it starts at column 2 */
	puts_fd(10, "ab\tc");
	wait_inq(10, 10);	/* "ls\r\n$ ab\tc" */
	ready_and_wait();

	say_termios("slave", 11);
	say("avail %d out avail %d\n", inq(11), inq(10));
	take_until("master", 10, "ab\tc");
	/* erase c, the tab (back to column 4: 4 backspaces), b; then X */
	puts_fd(10, "\177\177\177X\n");
	take_until("master", 10, "\r\n");
	set_fl(11, O_NONBLOCK, 1);
	read_lines("slave", 11);
}

/* The owner and mode of the slave's /dev/pts entry. */
static void say_owner(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st) == 0);
	say("slave owner %u:%u mode %#o\n", (unsigned int)st.st_uid,
	    (unsigned int)st.st_gid, (unsigned int)(st.st_mode & 07777));
}

static void mode_modes(void)
{
	struct k_termios2 t;
	struct winsize ws = { 24, 80, 0, 0 };
	int one = 1;

	open_pty(10, 11);
	CHECK(ioctl(11, K_TCGETS2, &t) == 0);
	t.c_cflag = (t.c_cflag & ~(K_CBAUD | K_CBAUD << 16)) | K_BOTHER |
		    K_BOTHER << 16 | CSTOPB | CLOCAL | HUPCL;
	t.c_ispeed = 12345;
	t.c_ospeed = 54321;
	t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE);
	t.c_iflag |= IXANY | IUTF8;
	t.c_cc[VINTR] = 1;
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 7;
	CHECK(ioctl(11, K_TCSETS2, &t) == 0);
	CHECK(ioctl(11, TIOCSWINSZ, &ws) == 0);
	CHECK(ioctl(10, TIOCPKT, &one) == 0);
	CHECK(ioctl(10, TIOCEXCL) == 0);
	/* packet events: the slave's input flushed, its output stopped */
	CHECK(tcflush(11, TCIFLUSH) == 0);
	CHECK(tcflow(11, TCOOFF) == 0);
	puts_fd(10, "in\n");
	wait_inq(11, 3);
	set_fl(10, O_NONBLOCK, 1);
	set_fl(11, O_NONBLOCK, 1);
	/* /dev/pts/N given away, as grantpt() and mesg do */
	CHECK(fchown(11, 1234, 5) == 0 && fchmod(11, 0604) == 0);
	ready_and_wait();

	say_owner(11);
	say_termios("slave", 11);
	say_modes(10, 11);
	take_once("packet", 10);
	say("slave write %s\n", write(11, "hi", 2) < 0 ? err_name(errno) :
						       "done");
	CHECK(tcflow(11, TCOON) == 0);
	take_once("packet", 10);
	puts_fd(11, "hi");
	take_until("packet", 10, "hi");
	read_lines("slave", 11);
}

/*
 * Masters: C at 10, A at 11, opened A, B, C, B closed: at restart the
 * index of C comes first and the lowest free ones on the way are A's
 * and B's.  The child holds both slaves, at 15 (A) and 16 (C).
 */
static void mode_fork(void)
{
	unsigned int a, c;
	pid_t pid;

	open_pty(11, -1);
	open_pty(12, -1);
	open_pty(10, -1);
	CHECK(close(12) == 0);
	CHECK(ioctl(11, TIOCGPTN, &a) == 0 && ioctl(10, TIOCGPTN, &c) == 0);
	/* the slaves' termios, through their masters */
	make_raw(10);
	make_raw(11);
	put(11, 5, 0, 2000);
	put(10, 8, 0, 500);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		move_fd(open(ptsname(11), O_RDWR | O_NOCTTY), 15);
		move_fd(open(ptsname(10), O_RDWR | O_NOCTTY), 16);
		CHECK(close(10) == 0 && close(11) == 0);
		put(15, 7, 0, 1000);
		put(16, 6, 0, 3000);
		wait_inq(15, 2000);
		wait_inq(16, 500);
		sync_done();
		CHECK(block() == 0);
		must_take(15, 5, 0, 2000);
		must_take(16, 8, 0, 500);
		/* and once more, after the parent read its share */
		must_take(15, 9, 0, 10);
		_exit(0);
	}
	sync_wait();
	wait_inq(11, 1000);
	wait_inq(10, 3000);
	ready_and_wait();

	say("c %s a\n", c > a ? "above" : "not above");
	say_modes(10, -1);
	say_modes(11, -1);
	take("a", 11, 7, 0, 1000);
	take("c", 10, 6, 0, 3000);
	put(11, 9, 0, 10);
	say("child exit %d\n", reap(pid));
}

/*
 * A terminal emulator (the root, master at 10) runs a shell (its child:
 * a session, the slave its controlling terminal at fds 0-2), which runs
 * a job in the foreground (the grandchild, its own group).  The job
 * prints a prompt; the emulator types two lines and a partial one,
 * reading no echo before the release.  The job then reads them and
 * reports what it sees of its terminal.
 */
static void job(int go)
{
	char c, line[256];
	ssize_t n;
	int i, fd;

	while (tcgetpgrp(0) != getpid())
		sleep_ms(1);
	sync_done();
	CHECK(read(go, &c, 1) == 1);
	puts_fd(1, "$ ");
	CHECK(read(go, &c, 1) == 1);
	for (i = 0; i < 3; i++) {
		n = read(0, line, sizeof(line) - 1);
		CHECK(n > 0);
		line[n] = '\0';
		dprintf(1, "got %zd: %s", n, line);
	}
	fd = open("/dev/tty", O_RDWR);
	dprintf(1, "foreground %s session %s /dev/tty %s\n",
		tcgetpgrp(0) == getpgrp() ? "ok" : "wrong",
		getsid(0) == getppid() ? "ok" : "wrong",
		fd >= 0 ? "ok" : strerror(errno));
	_exit(0);
}

static void mode_ctty(void)
{
	char name[64];
	int go[2];
	pid_t pid;

	open_pty(10, -1);
	snprintf(name, sizeof(name), "%s", ptsname(10));
	CHECK(pipe(go) == 0);
	move_fd(go[0], 12);
	move_fd(go[1], 13);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(13) == 0);
		CHECK(close(10) == 0);
		CHECK(setsid() == getpid());
		move_fd(open(name, O_RDWR), 3);
		CHECK(dup2(3, 0) == 0 && dup2(3, 1) == 1 && dup2(3, 2) == 2);
		CHECK(close(3) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (!pid) {
			CHECK(setpgid(0, 0) == 0);
			job(12);
		}
		CHECK(setpgid(pid, pid) == 0 || errno == EACCES);
		CHECK(tcsetpgrp(0, pid) == 0);
		CHECK(close(12) == 0);
		sync_done();
		_exit(reap(pid));
	}
	CHECK(close(12) == 0);
	sync_wait();
	puts_fd(10, "line1\nline2\n");
	wait_inq(10, 14);	/* their echo, "line1\r\nline2\r\n" */
	puts_fd(13, "p");
	wait_inq(10, 16);	/* and the prompt */
	puts_fd(10, "part\t");
	wait_inq(10, 21);
	ready_and_wait();

	say_termios("slave", 10);
	say_modes(10, -1);
	take_until("master", 10, "part\t");
	/* erase X, the tab (back to column 6: 2 backspaces); then Y */
	puts_fd(10, "X\177\177Y\n");
	take_until("master", 10, "\r\n");
	puts_fd(13, "g");
	take_all("master", 10);
	say("shell exit %d\n", reap(pid));
}

/* The slave at @fd, its master the test's: answer what it writes. */
static void mode_outside(int fd)
{
	char buf[64];
	ssize_t n;

	ready_and_wait();
	n = read(fd, buf, sizeof(buf));
	CHECK(n > 0);
	say_esc("read", (unsigned char *)buf, n);
	puts_fd(fd, OUTSIDE_PONG);
}

static void mode_image(void)
{
	struct termios t;
	int one = 1;

	open_pty(IMAGE_MASTER, IMAGE_SLAVE);
	CHECK(tcgetattr(IMAGE_SLAVE, &t) == 0);
	t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE);
	t.c_cc[VEOL] = IMAGE_EOL;
	CHECK(tcsetattr(IMAGE_SLAVE, TCSANOW, &t) == 0);
	CHECK(ioctl(IMAGE_MASTER, TIOCPKT, &one) == 0);
	puts_fd(IMAGE_MASTER, IMAGE_IN);
	puts_fd(IMAGE_SLAVE, IMAGE_OUT);
	wait_inq(IMAGE_SLAVE, IMAGE_IN_CANON - 1);
	wait_inq(IMAGE_MASTER, strlen(IMAGE_OUT) + 1);
	set_fl(IMAGE_MASTER, O_NONBLOCK, 1);
	set_fl(IMAGE_SLAVE, O_NONBLOCK, 1);
	ready_and_wait();

	say("image avail %d out avail %d\n", inq(IMAGE_SLAVE),
	    inq(IMAGE_MASTER));
	read_lines("image slave", IMAGE_SLAVE);
	read_lines("image master", IMAGE_MASTER);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "raw", mode_raw }, { "canon", mode_canon },
		{ "echo", mode_echo }, { "modes", mode_modes },
		{ "fork", mode_fork }, { "ctty", mode_ctty },
		{ "image", mode_image },
	};
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "outside")) {
		mode_outside(OUTSIDE_FD);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "stdio")) {
		mode_outside(STDERR_FILENO);
		return 0;
	}
	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: pty_target raw|canon|echo|modes|fork|ctty|outside|stdio|image\n");
	return 2;
}
