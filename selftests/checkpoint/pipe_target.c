// SPDX-License-Identifier: GPL-2.0
/*
 * pipe_target: pipes and FIFOs for pipe_test.  Each mode sets up pipes
 * with data in them, prints "ready" and blocks in read(0) until released
 * (a byte or end of file on stdin); then it looks at its pipes and prints
 * what it finds, one fact a line, for the test to compare with what the
 * same mode prints when it was never checkpointed.  Children of a mode
 * check their own part and exit 0, or 3 with a line on stderr.  Output
 * goes through write(2) only: nothing sits in a stdio buffer to be
 * printed twice by a fork or lost by a kill.
 *
 *	pipe_target MODE
 *
 * data		four pipes: default capacity, 4 pages full, 1 MiB full, empty;
 *		O_NONBLOCK on some ends
 * packet	a packetized pipe (O_DIRECT) holding packets of many sizes
 * mixed	packets and ordinary data in one pipe, written by two ends
 * merge	buffers that take more data or not, partly read ones among
 *		them, and a one-page pipe that is full with less than a page
 * widow	a pipe of which only the read end is left, and one of which
 *		only the write end is
 * blocked	a child blocked writing into a full pipe its parent reads
 * fork		parent and child each hold their ends of three pipes, one
 *		read end open in both (one open file)
 * fifo1	one task with a FIFO of its cwd open read-write, read-only
 *		and write-only
 * fifo3	three tasks, one of each, on one FIFO
 * fifo_mtime	a FIFO with data: its mtime after the release
 * image	one pipe with three pages of data (the corrupted images)
 * stdio	"a | b": two children joined at their stdout and stdin by a
 *		full pipe, the writer blocked
 * outside	the caller's stdin pipe opened again at fd 12 (refused)
 *
 * Every byte a pipe carries is pipe_byte(stream, offset): the data is
 * checked byte by byte wherever it is read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "pipe_target.h"
#define TARGET_NAME "pipe_target"
#include "target.h"

#define BIG		(1 << 20)	/* the 1 MiB pipe */
#define READ_SIZE	65536		/* what each read asks for */
#define WAIT_MS		20000
/* the kernel's, which glibc's O_LARGEFILE (0 on x86-64) does not show */
#define KERNEL_O_LARGEFILE	0100000

static unsigned char wbuf[BIG];
static unsigned char rbuf[BIG];

/* pipe2(@flags) with its ends at @rd and @wr (both above the free fds) */
static void pipe_at(int rd, int wr, int flags)
{
	int p[2];

	CHECK(pipe2(p, flags) == 0);
	move_fd(p[0], rd);
	move_fd(p[1], wr);
}

static void open_at(const char *path, int flags, int fd)
{
	int ret = open(path, flags);

	CHECK(ret >= 0);
	move_fd(ret, fd);
}

static void set_fl(int fd, int flags)
{
	CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags) == 0);
}

/* One write(2) of @len bytes of @stream from @off: one packet at most. */
static void put(int fd, int stream, long off, long len)
{
	long i;

	for (i = 0; i < len; i++)
		wbuf[i] = pipe_byte(stream, off + i);
	CHECK(write(fd, wbuf, len) == len);
}

/* The same, written to the end even if the write is cut short. */
static void put_all(int fd, int stream, long off, long len)
{
	ssize_t n;
	long i;

	for (i = 0; i < len; i++)
		wbuf[i] = pipe_byte(stream, off + i);
	for (i = 0; i < len; i += n) {
		n = write(fd, wbuf + i, len - i);
		if (n < 0 && errno == EINTR)
			n = 0;
		CHECK(n > 0);
	}
}

/* Where @n bytes at @buf differ from @stream at @off; -1 if nowhere. */
static long mismatch(const unsigned char *buf, long n, int stream, long off)
{
	long i;

	for (i = 0; i < n; i++)
		if (buf[i] != pipe_byte(stream, off + i))
			return i;
	return -1;
}

/*
 * Read @len bytes of @stream from @off, in reads of up to READ_SIZE,
 * waiting for them if need be (20 s at most without any).  Returns the
 * first offset of the wrong bytes, or -1; *@got what was read.
 */
static long take_data(int fd, int stream, long off, long len, long *got)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long done = 0, bad = -1, at;
	ssize_t n;

	while (done < len) {
		n = read(fd, rbuf, len - done < READ_SIZE ? len - done :
			 READ_SIZE);
		if (n < 0 && errno == EAGAIN) {
			if (poll(&p, 1, WAIT_MS) <= 0)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		at = mismatch(rbuf, n, stream, off + done);
		if (bad < 0 && at >= 0)
			bad = off + done + at;
		done += n;
	}
	*got = done;
	return bad;
}

/* take_data(), and say how it went. */
static void take(const char *name, int fd, int stream, long off, long len)
{
	long got, bad = take_data(fd, stream, off, len, &got);

	if (got != len)
		say("%s short: %ld bytes of %ld\n", name, got, len);
	else if (bad >= 0)
		say("%s data bad at offset %ld\n", name, bad);
	else
		say("%s data ok %ld\n", name, len);
}

/* In a child: take_data(), or fail. */
static void must_take(int fd, int stream, long off, long len)
{
	long got, bad = take_data(fd, stream, off, len, &got);

	CHECK(got == len);
	CHECK(bad < 0);
}

/*
 * Each read(fd, buf, READ_SIZE) while the pipe holds data, its length
 * and whether its bytes are those of @stream from *@off on: the packet
 * boundaries show as read lengths.
 */
static void reads(int fd, int stream, long *off)
{
	int avail;
	ssize_t n;

	while (!ioctl(fd, FIONREAD, &avail) && avail > 0) {
		n = read(fd, rbuf, READ_SIZE);
		if (n <= 0) {
			say("read: %s\n", n ? strerror(errno) : "end of file");
			return;
		}
		say("read %zd %s\n", n,
		    mismatch(rbuf, n, stream, *off) < 0 ? "ok" : "bad");
		*off += n;
	}
}

/* Access mode and status flags, as F_GETFL tells them. */
static const char *flags(int fd)
{
	static char s[4][64];
	static int i;
	int f = fcntl(fd, F_GETFL), rest;
	char *p = s[i++ % 4];

	if (f < 0)
		return strerror(errno);
	rest = f & ~(O_ACCMODE | O_NONBLOCK | O_DIRECT | KERNEL_O_LARGEFILE);
	snprintf(p, sizeof(s[0]), "%s%s%s%s",
		 (f & O_ACCMODE) == O_RDONLY ? "r" :
		 (f & O_ACCMODE) == O_WRONLY ? "w" : "rw",
		 f & O_NONBLOCK ? ",nonblock" : "",
		 f & O_DIRECT ? ",direct" : "",
		 f & KERNEL_O_LARGEFILE ? ",largefile" : "");
	if (rest)
		snprintf(p + strlen(p), sizeof(s[0]) - strlen(p), ",%#o", rest);
	return p;
}

static int avail(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/* errno's name for what pipes return here */
static const char *err_name(int err)
{
	switch (err) {
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case EBADF: return "EBADF";
	}
	return strerror(err);
}

/* What a one-byte read or write does now: its result or errno's name. */
static void try_io(const char *name, int fd, int wr)
{
	char c = 'x';
	ssize_t n;

	n = wr ? write(fd, &c, 1) : read(fd, &c, 1);
	if (n < 0)
		say("%s %s %s\n", name, wr ? "write" : "read", err_name(errno));
	else
		say("%s %s %zd\n", name, wr ? "write" : "read", n);
}

/* ---------------------------------------------------------------------- */

static const struct data_pipe {
	const char *name;
	int rd, wr;
	int size;		/* F_SETPIPE_SZ, 0: the default */
	int bytes;		/* written before the release */
	int rflags, wflags;	/* then set on each end */
} data_pipes[] = {
	{ "p1", 10, 11, 0, 10000, 0, 0 },
	{ "p2", 12, 13, 4 * PIPE_PAGE, 4 * PIPE_PAGE, O_NONBLOCK, 0 },
	{ "p3", 14, 15, BIG, BIG, 0, O_NONBLOCK },
	{ "p4", 16, 17, 0, 0, O_NONBLOCK, O_NONBLOCK },
};

static void mode_data(void)
{
	const struct data_pipe *d;
	char echo[16];
	long off, len;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(data_pipes); i++) {
		d = &data_pipes[i];
		pipe_at(d->rd, d->wr, 0);
		if (d->size)
			CHECK(fcntl(d->wr, F_SETPIPE_SZ, d->size) == d->size);
		/*
		 * A full pipe in one write, whose pages it fills; the others
		 * in writes that leave room at the end of each page.
		 */
		for (off = 0; off < d->bytes; off += len) {
			len = d->bytes - off;
			if (!d->size && len > 4000)
				len = off ? 4000 : 3000;
			put(d->wr, i + 1, off, len);
		}
		set_fl(d->rd, d->rflags);
		set_fl(d->wr, d->wflags);
	}
	ready_and_wait();
	for (i = 0; i < ARRAY_SIZE(data_pipes); i++) {
		d = &data_pipes[i];
		say("%s cap %d avail %d rd %s wr %s\n", d->name,
		    fcntl(d->rd, F_GETPIPE_SZ), avail(d->rd), flags(d->rd),
		    flags(d->wr));
		/* a full pipe takes no more, an empty one gives nothing */
		if ((d->wflags & O_NONBLOCK) && d->size &&
		    d->bytes == d->size)
			try_io(d->name, d->wr, 1);
		if (d->bytes)
			take(d->name, d->rd, i + 1, 0, d->bytes);
		if (d->rflags & O_NONBLOCK)
			try_io(d->name, d->rd, 0);
		/* both ends still make one pipe */
		snprintf(echo, sizeof(echo), "%s echo", d->name);
		put(d->wr, 9, 0, 100);
		take(echo, d->rd, 9, 0, 100);
	}
}

static void mode_packet(void)
{
	static const int sizes[] = { 1, 100, 4096, 5000, 7, 4095 };
	long off = 0;
	size_t i;

	pipe_at(10, 11, O_DIRECT);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		put(11, 4, off, sizes[i]);
		off += sizes[i];
	}
	ready_and_wait();
	say("cap %d avail %d rd %s wr %s\n", fcntl(10, F_GETPIPE_SZ),
	    avail(10), flags(10), flags(11));
	off = 0;
	reads(10, 4, &off);
	/* the write end still makes packets */
	put(11, 4, off, 3);
	put(11, 4, off + 3, 2);
	reads(10, 4, &off);
}

/*
 * A packetized pipe at @rd, @wr and @wr2: @wr2 is its write end opened
 * again, through /proc, which leaves O_DIRECT out: it writes ordinary
 * data into the same pipe.
 */
static void packet_pipe_at(int rd, int wr, int wr2)
{
	char path[32];

	pipe_at(rd, wr, O_DIRECT);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", wr);
	open_at(path, O_WRONLY, wr2);
}

/*
 * Writes of @seq - "p" and a length writes a packet through @wr, "o"
 * ordinary data through @wr2 - of @stream from *@off on.
 */
static void writes(const char *seq, int wr, int wr2, int stream, long *off)
{
	const char *p = seq;
	char *end;
	long len;

	while (*p) {
		len = strtol(p + 1, &end, 10);
		put(*p == 'p' ? wr : wr2, stream, *off, len);
		*off += len;
		p = *end ? end + 1 : end;
	}
}

/*
 * A packet written right after ordinary data that it fits in with joins
 * that data; see what pipe_test expects of the reads.
 */
static void mode_mixed(void)
{
	long off = 0, at;

	packet_pipe_at(10, 11, 12);
	writes("p100 o10 o20 p4096 p7 o4000 p200 o50 p60 o4096 p1", 11, 12,
	       5, &off);
	ready_and_wait();
	say("cap %d avail %d rd %s wr %s wr2 %s\n", fcntl(10, F_GETPIPE_SZ),
	    avail(10), flags(10), flags(11), flags(12));
	off = 0;
	reads(10, 5, &off);
	at = off;
	writes("o3 p2 o1 p4096", 11, 12, 5, &at);
	reads(10, 5, &off);
}

/*
 * Where a write goes depends on the last buffer: whether it takes more
 * data (not a packet) and has room at the end of its page.
 *
 * a: 10 ordinary bytes, which the packets written after the release join.
 * b: a buffer read up to 1000 bytes before the end of its page: a packet
 *    of 200 after the release does not fit in.
 * c: the same with the packet written before the release.
 * d: a one-page pipe whose only buffer is read up to 96 bytes before the
 *    end of its page: full.
 */
static void mode_merge(void)
{
	long off = 0, at;

	packet_pipe_at(10, 11, 12);
	writes("o10", 11, 12, 6, &off);

	packet_pipe_at(13, 14, 15);
	off = 0;
	writes("o4000", 14, 15, 7, &off);
	CHECK(read(13, rbuf, 3000) == 3000);

	packet_pipe_at(16, 17, 18);
	off = 0;
	writes("o4000 p200 o5", 17, 18, 8, &off);
	CHECK(read(16, rbuf, 3000) == 3000);

	pipe_at(22, 23, 0);
	CHECK(fcntl(23, F_SETPIPE_SZ, PIPE_PAGE) == PIPE_PAGE);
	put(23, 9, 0, PIPE_PAGE);
	CHECK(read(22, rbuf, 4000) == 4000);
	set_fl(23, O_NONBLOCK);
	ready_and_wait();

	say("a avail %d\n", avail(10));
	at = 10;
	writes("p5 p6", 11, 12, 6, &at);
	off = 0;
	reads(10, 6, &off);

	say("b avail %d\n", avail(13));
	at = 4000;
	writes("p200 o5", 14, 15, 7, &at);
	off = 3000;
	reads(13, 7, &off);

	say("c avail %d\n", avail(16));
	off = 3000;
	reads(16, 8, &off);

	say("d avail %d\n", avail(22));
	try_io("d", 23, 1);
	off = 4000;
	reads(22, 9, &off);
}

static void mode_widow(void)
{
	pipe_at(10, 11, 0);
	put(11, 5, 0, 5000);
	CHECK(close(11) == 0);
	pipe_at(12, 13, 0);
	put(13, 6, 0, 300);
	CHECK(close(12) == 0);
	ready_and_wait();
	say("reader avail %d rd %s\n", avail(10), flags(10));
	take("reader", 10, 5, 0, 5000);
	try_io("reader", 10, 0);
	say("writer wr %s\n", flags(13));
	try_io("writer", 13, 1);
}

/* Is @pid asleep in write(@fd, ...)? */
static int writing(pid_t pid, int fd)
{
	char path[64], buf[128], want[32];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	f = open(path, O_RDONLY);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	buf[n > 0 ? n : 0] = '\0';
	snprintf(want, sizeof(want), "%d %#x ", SYS_write, fd);
	return !strncmp(buf, want, strlen(want));
}

#define BLOCKED_LEN	(3 * PIPE_PAGE + 123)

static void mode_blocked(void)
{
	pid_t pid;
	int ms;

	pipe_at(10, 11, 0);
	CHECK(fcntl(11, F_SETPIPE_SZ, PIPE_PAGE) == PIPE_PAGE);
	put(11, 8, 0, PIPE_PAGE);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(10) == 0);
		/* the pipe is full: this sleeps before it writes a byte */
		put_all(11, 8, PIPE_PAGE, BLOCKED_LEN);
		_exit(0);
	}
	CHECK(close(11) == 0);
	for (ms = 0; !writing(pid, 11); ms++) {
		CHECK(ms < WAIT_MS);
		sleep_ms(1);
	}
	ready_and_wait();
	say("cap %d avail %d\n", fcntl(10, F_GETPIPE_SZ), avail(10));
	take("all", 10, 8, 0, PIPE_PAGE + BLOCKED_LEN);
	try_io("then", 10, 0);
	say("writer exit %d\n", reap(pid));
}

/*
 * Pipe A: the parent writes at 11, the child reads at 10.  Pipe B: the
 * child writes at 13, the parent reads at 12.  Pipe C: its read end 14
 * is one open file of both, its write end 15 the parent's.
 */
static void mode_fork(void)
{
	pid_t pid;

	pipe_at(10, 11, 0);
	pipe_at(12, 13, 0);
	pipe_at(14, 15, 0);
	put(11, 10, 0, 1000);
	put(15, 12, 0, 10);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(11) == 0 && close(12) == 0 && close(15) == 0);
		put(13, 11, 0, 2000);
		sync_done();
		CHECK(block() == 0);
		CHECK(fcntl(10, F_GETFL) == O_RDONLY);
		CHECK(fcntl(13, F_GETFL) == O_WRONLY);
		must_take(10, 10, 0, 1500);
		must_take(14, 12, 0, 5);
		/* the parent's file too: it sees the flag */
		set_fl(14, O_NONBLOCK);
		put(13, 11, 2000, 3000);
		_exit(0);
	}
	CHECK(close(10) == 0 && close(13) == 0);
	sync_wait();
	ready_and_wait();
	say("b avail %d c avail %d\n", avail(12), avail(14));
	say("a wr %s b rd %s c rd %s wr %s\n", flags(11), flags(12),
	    flags(14), flags(15));
	put(11, 10, 1000, 500);
	/* all of B, once the child has read A and C and set the flag */
	take("b", 12, 11, 0, 5000);
	say("c rd %s\n", flags(14));
	take("c", 14, 12, 5, 5);
	try_io("c", 14, 0);
	say("child exit %d\n", reap(pid));
}

/*
 * "a | b" inside the tree: one child writes at its stdout into a pipe
 * that another reads at its stdin, with a page in between and the writer
 * asleep on the full pipe.  The reader waits for the end of file of a
 * pipe of the parent's, which closes its end once released.  Their
 * stdio is the tree's own pipe, not the caller's.
 */
static void mode_stdio(void)
{
	pid_t a, b;
	char c;
	int ms;

	pipe_at(10, 11, 0);
	pipe_at(16, 17, 0);
	CHECK(fcntl(11, F_SETPIPE_SZ, PIPE_PAGE) == PIPE_PAGE);
	put(11, 13, 0, PIPE_PAGE);
	sync_open();
	b = fork();
	CHECK(b >= 0);
	if (!b) {
		CHECK(dup2(10, 0) == 0);
		CHECK(close(10) == 0 && close(11) == 0 && close(17) == 0);
		sync_done();
		CHECK(read(16, &c, 1) == 0);
		must_take(0, 13, 0, PIPE_PAGE + BLOCKED_LEN);
		CHECK(read(0, &c, 1) == 0);
		_exit(0);
	}
	a = fork();
	CHECK(a >= 0);
	if (!a) {
		CHECK(dup2(11, 1) == 1);
		CHECK(close(10) == 0 && close(11) == 0);
		CHECK(close(16) == 0 && close(17) == 0);
		sync_done();
		put_all(1, 13, PIPE_PAGE, BLOCKED_LEN);
		_exit(0);
	}
	CHECK(close(10) == 0 && close(11) == 0 && close(16) == 0);
	sync_wait();
	for (ms = 0; !writing(a, 1); ms++) {
		CHECK(ms < WAIT_MS);
		sleep_ms(1);
	}
	ready_and_wait();
	CHECK(close(17) == 0);
	say("writer exit %d\n", reap(a));
	say("reader exit %d\n", reap(b));
}

/*
 * The caller's stdin pipe opened again at fd 12, another open file of
 * it (a dup of fd 0 would be fd 0's file, the caller's): refused.
 */
static void mode_outside(void)
{
	int fd = open("/proc/self/fd/0", O_RDONLY);

	CHECK(fd >= 0 && dup2(fd, 12) == 12 && close(fd) == 0);
	ready_and_wait();
	say("still here\n");
}

static void new_fifo(const char *name)
{
	CHECK(unlink(name) == 0 || errno == ENOENT);
	CHECK(mkfifo(name, 0600) == 0);
}

static void mode_fifo1(void)
{
	struct stat a, b;

	new_fifo("fifo1");
	open_at("fifo1", O_RDWR, 10);
	open_at("fifo1", O_RDONLY | O_NONBLOCK, 11);
	open_at("fifo1", O_WRONLY, 12);
	CHECK(fcntl(10, F_SETPIPE_SZ, 2 * PIPE_PAGE) == 2 * PIPE_PAGE);
	put(12, 13, 0, 700);
	put(10, 13, 700, 300);
	ready_and_wait();
	say("cap %d avail %d rdwr %s rd %s wr %s\n", fcntl(10, F_GETPIPE_SZ),
	    avail(11), flags(10), flags(11), flags(12));
	CHECK(fstat(10, &a) == 0 && stat("fifo1", &b) == 0);
	say("%s\n", S_ISFIFO(a.st_mode) && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev ? "the fifo of its cwd" : "another file");

	take("fifo", 11, 13, 0, 1000);
	try_io("fifo", 11, 0);
	put(12, 13, 1000, 5);
	take("echo", 10, 13, 1000, 5);
}

/*
 * A FIFO with data in it: its mtime is what the last write made it, not
 * the time the restart wrote the data back.
 */
static void mode_fifo_mtime(void)
{
	struct stat was, now;

	new_fifo("fifom");
	open_at("fifom", O_RDWR, 10);
	put(10, 13, 0, 500);
	CHECK(fstat(10, &was) == 0);
	ready_and_wait();
	CHECK(fstat(10, &now) == 0);
	say("mtime %s\n", now.st_mtim.tv_sec == was.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == was.st_mtim.tv_nsec ? "kept" : "changed");
	take("fifo", 10, 13, 0, 500);
}

/*
 * The root opens the FIFO read-write; child R opens it read-only and
 * reads, child W opens it write-only and writes, each closing the root's
 * fd it inherited.  Before the release: W's 1000 bytes, then the root's
 * 500; after it: W's 2000 more, which R reads after the 1500.
 */
static void mode_fifo3(void)
{
	pid_t r, w;

	new_fifo("fifo3");
	open_at("fifo3", O_RDWR, 10);
	sync_open();
	r = fork();
	CHECK(r >= 0);
	if (!r) {
		open_at("fifo3", O_RDONLY, 11);
		CHECK(close(10) == 0);
		sync_done();
		CHECK(block() == 0);
		CHECK((fcntl(11, F_GETFL) & O_ACCMODE) == O_RDONLY);
		must_take(11, 14, 0, 3500);
		_exit(0);
	}
	w = fork();
	CHECK(w >= 0);
	if (!w) {
		open_at("fifo3", O_WRONLY, 12);
		CHECK(close(10) == 0);
		put(12, 14, 0, 1000);
		sync_done();
		CHECK(block() == 0);
		CHECK((fcntl(12, F_GETFL) & O_ACCMODE) == O_WRONLY);
		put(12, 14, 1500, 2000);
		_exit(0);
	}
	sync_wait();
	put(10, 14, 1000, 500);
	ready_and_wait();
	say("reader exit %d\n", reap(r));
	say("writer exit %d\n", reap(w));
	say("avail %d rdwr %s\n", avail(10), flags(10));
}

static void mode_image(void)
{
	long off;

	pipe_at(IMAGE_RD, IMAGE_WR, 0);
	CHECK(fcntl(IMAGE_WR, F_SETPIPE_SZ, IMAGE_SIZE) == IMAGE_SIZE);
	for (off = 0; off < IMAGE_BYTES; off += PIPE_PAGE)
		put(IMAGE_WR, 15, off, PIPE_PAGE);
	ready_and_wait();
	say("cap %d avail %d\n", fcntl(IMAGE_RD, F_GETPIPE_SZ),
	    avail(IMAGE_RD));
	take("image", IMAGE_RD, 15, 0, IMAGE_BYTES);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "data", mode_data }, { "packet", mode_packet },
		{ "mixed", mode_mixed }, { "merge", mode_merge },
		{ "widow", mode_widow }, { "blocked", mode_blocked },
		{ "fork", mode_fork }, { "fifo1", mode_fifo1 },
		{ "fifo_mtime", mode_fifo_mtime },
		{ "fifo3", mode_fifo3 }, { "image", mode_image },
		{ "stdio", mode_stdio }, { "outside", mode_outside },
	};
	size_t i;

	/* a write to a pipe without readers says EPIPE */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: pipe_target data|packet|mixed|merge|widow|blocked|fork|fifo1|fifo3|image\n");
	return 2;
}
