// SPDX-License-Identifier: GPL-2.0
/*
 * unix_target: unix sockets for unix_test.  Each mode sets up sockets
 * with data queued in them, prints "ready" and blocks in read(0) until
 * released (a byte or end of file on stdin); then it looks at its sockets
 * and prints what it finds, one fact a line, for the test to compare with
 * what the same mode prints when it was never checkpointed.  Children of
 * a mode check their own part and exit 0, or 3 with a line on stderr.
 * Output goes through write(2) only: nothing sits in a stdio buffer to be
 * printed twice by a fork or lost by a kill.
 *
 *	unix_target MODE
 *
 * pair-TYPE	two socketpair()s of TYPE (stream, dgram, seqpacket): one
 *		with data queued both ways, one empty
 * fork-TYPE	a socketpair whose ends are held by parent and child
 * stdio-TYPE	the same, the child's end at its stdout
 * widow-TYPE	socketpairs whose other end was closed, with and without
 *		data queued
 * shutdown-TYPE	shutdown(SHUT_WR) and shutdown(SHUT_RD) on one end
 * opts		SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, O_NONBLOCK
 * abstract	listening sockets bound to abstract names, nothing queued
 * path		a listening socket bound to a path in its cwd
 * relpath	the same, bound by a name relative to its cwd
 * unlinked	a listener with a connection pending and a datagram
 *		socket, each bound to a path unlinked since
 * attrs	a socket bound to a path whose file's mode and owner were
 *		changed
 * rights	fds in flight (SCM_RIGHTS) in socketpairs
 * rights-self	a socket in flight in its own receive queue
 * rights-epoll	an epoll in flight in the socket it watches
 * rights-epoll-closed	the same, the epoll closed after it was sent
 * embryo	listening sockets with connections not accepted yet, one
 *		from a socket met before its listener, one closed, one
 *		from a child
 * accepted	connections made by connect() and accept(), one from a
 *		bound socket, one whose listener was closed
 * inet		an AF_INET socket
 * unconnected	sockets of their own, unbound or bound, not listening
 * dgram-queue	a bound datagram socket with a datagram queued
 * dgram-connect	a datagram socket connect()ed to a bound one
 * outside	the socket at fd 3, whose peer the test holds
 * image	a listener, a stream pair with data, a dgram widow (the
 *		corrupted images)
 *
 * Every byte a socket carries is unix_byte(stream, offset): the data is
 * checked byte by byte wherever it is read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "unix_target.h"
#define TARGET_NAME "unix_target"
#include "target.h"

#define BIG		(1 << 17)
#define RECV_MAX	16		/* recv() calls in one recvs() */
#define WAIT_MS		20000

static unsigned char wbuf[BIG];
static unsigned char rbuf[BIG];

static const struct {
	const char *name;
	int type;
} types[] = {
	{ "stream", SOCK_STREAM },
	{ "dgram", SOCK_DGRAM },
	{ "seqpacket", SOCK_SEQPACKET },
};

/*
 * What the pairs carry: A_MSGS from their first end to the second,
 * B_MSGS back, per type.  A zero-length datagram is a message of its
 * own; a zero-length stream write queues nothing, and a zero-length
 * seqpacket message could not be told from end of file.
 */
static const long a_msgs[] = { 1, 100, 5000, -1 };
static const long b_stream[] = { 7, 100000, -1 };
static const long b_dgram[] = { 7, 0, 3000, -1 };
static const long b_seqpacket[] = { 7, 3000, -1 };

static const long *b_msgs(int type)
{
	return type == SOCK_STREAM ? b_stream :
	       type == SOCK_DGRAM ? b_dgram : b_seqpacket;
}

static void pair_at(int type, int a, int b)
{
	int sv[2];

	CHECK(socketpair(AF_UNIX, type, 0, sv) == 0);
	move_fd(sv[0], a);
	move_fd(sv[1], b);
}

static void pipe_at(int rd, int wr)
{
	int p[2];

	CHECK(pipe(p) == 0);
	move_fd(p[0], rd);
	move_fd(p[1], wr);
}

static void set_fl(int fd, int flags)
{
	CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | flags) == 0);
}

static void fill(int stream, long off, long len)
{
	long i;

	for (i = 0; i < len; i++)
		wbuf[i] = unix_byte(stream, off + i);
}

/* One send() of @len bytes of @stream from @off: one message. */
static void put(int fd, int stream, long off, long len)
{
	fill(stream, off, len);
	CHECK(send(fd, wbuf, len, MSG_NOSIGNAL) == len);
}

/* The messages @lens (ending with -1) of @stream, one after the other. */
static long put_msgs(int fd, int stream, const long *lens)
{
	long off = 0;

	for (; *lens >= 0; lens++) {
		put(fd, stream, off, *lens);
		off += *lens;
	}
	return off;
}

/* Where @n bytes at @buf differ from @stream at @off; -1 if nowhere. */
static long mismatch(const unsigned char *buf, long n, int stream, long off)
{
	long i;

	for (i = 0; i < n; i++)
		if (buf[i] != unix_byte(stream, off + i))
			return i;
	return -1;
}

/* errno's name for what sockets return here */
static const char *err_name(int err)
{
	switch (err) {
	case EAGAIN: return "EAGAIN";
	case EPIPE: return "EPIPE";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ECONNRESET: return "ECONNRESET";
	case ENOTCONN: return "ENOTCONN";
	case EMSGSIZE: return "EMSGSIZE";
	case EINVAL: return "EINVAL";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBADF: return "EBADF";
	}
	return strerror(err);
}

/*
 * Each recv(fd, buf, BIG, MSG_DONTWAIT) while it returns something: its
 * length and whether its bytes are those of @stream from *@off on, until
 * it fails (its errno then) or, but for a datagram socket, reads end of
 * file.  The message boundaries show as the lengths.
 */
static void recvs(const char *name, int fd, int stream, long *off)
{
	int type = 0, i;
	socklen_t len = sizeof(type);
	ssize_t n;

	CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0);
	for (i = 0; i < RECV_MAX; i++) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("%s recv %s\n", name, err_name(errno));
			return;
		}
		say("%s recv %zd %s\n", name, n,
		    mismatch(rbuf, n, stream, *off) < 0 ? "ok" : "bad");
		*off += n;
		if (!n && type != SOCK_DGRAM)
			return;
	}
}

/* Wait for @fd to be readable, 20 s at most. */
static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, WAIT_MS);
	} while (ret < 0 && errno == EINTR);
	return ret > 0;
}

/*
 * In a child: the messages @lens of @stream, each whole in one recv()
 * (for a stream, their bytes in any pieces), or fail.
 */
static void must_msgs(int fd, int type, int stream, const long *lens)
{
	long off = 0, total = 0;
	ssize_t n;

	if (type == SOCK_STREAM) {
		for (; *lens >= 0; lens++)
			total += *lens;
		while (off < total) {
			CHECK(readable(fd));
			n = recv(fd, rbuf, total - off, MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			CHECK(n > 0);
			CHECK(mismatch(rbuf, n, stream, off) < 0);
			off += n;
		}
		return;
	}
	for (; *lens >= 0; lens++) {
		do {
			CHECK(readable(fd));
			n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		} while (n < 0 && (errno == EINTR || errno == EAGAIN));
		CHECK(n == *lens);
		CHECK(mismatch(rbuf, n, stream, off) < 0);
		off += n;
	}
}

static int avail(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -errno : n;
}

/* What a send() of @len bytes does now: its result or errno's name. */
static void try_send(const char *name, int fd, long len)
{
	ssize_t n;

	fill(9, 0, len);
	n = send(fd, wbuf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		say("%s send %s\n", name, err_name(errno));
	else
		say("%s send %zd\n", name, n);
}

/*
 * A message of @len bytes from @from, read at @to in one recv(), and
 * what the next recv() says.
 */
static void round_trip(const char *name, int from, int to, long len)
{
	ssize_t n, more;
	int ok;

	put(from, 8, 0, len);
	CHECK(readable(to));
	n = recv(to, rbuf, sizeof(rbuf), MSG_DONTWAIT);
	if (n < 0) {
		say("%s: %s\n", name, err_name(errno));
		return;
	}
	ok = mismatch(rbuf, n, 8, 0) < 0;
	more = recv(to, rbuf, sizeof(rbuf), MSG_DONTWAIT);
	say("%s: %zd %s, then %s\n", name, n, ok ? "ok" : "bad",
	    more < 0 ? err_name(errno) : "more");
}

/* Access mode and status flags, as F_GETFL tells them. */
static const char *flags(int fd)
{
	static char s[4][64];
	static int i;
	int f = fcntl(fd, F_GETFL);
	char *p = s[i++ % 4];

	if (f < 0)
		return strerror(errno);
	snprintf(p, sizeof(s[0]), "%s%s",
		 (f & O_ACCMODE) == O_RDONLY ? "r" :
		 (f & O_ACCMODE) == O_WRONLY ? "w" : "rw",
		 f & O_NONBLOCK ? ",nonblock" : "");
	if (f & ~(O_ACCMODE | O_NONBLOCK))
		snprintf(p + strlen(p), sizeof(s[0]) - strlen(p), ",%#o",
			 f & ~(O_ACCMODE | O_NONBLOCK));
	return p;
}

/* ---------------------------------------------------------------------- */

/*
 * Pair P (10, 11): a_msgs from 10 to 11, of which 11 reads 50 bytes (a
 * stream: all of one message and part of the next) or the first message,
 * and b_msgs back.  Pair E (12, 13): nothing.  Then a message each way
 * through both.
 */
static void mode_pair(int type)
{
	long off, pre = type == SOCK_STREAM ? 50 : 1;

	pair_at(type, 10, 11);
	pair_at(type, 12, 13);
	put_msgs(10, 1, a_msgs);
	put_msgs(11, 2, b_msgs(type));
	CHECK(recv(11, rbuf, pre, 0) == pre);
	ready_and_wait();
	say("avail p %d %d e %d %d\n", avail(10), avail(11), avail(12),
	    avail(13));
	off = pre;
	recvs("p1", 11, 1, &off);
	off = 0;
	recvs("p0", 10, 2, &off);
	off = 0;
	recvs("e0", 12, 0, &off);
	recvs("e1", 13, 0, &off);
	round_trip("p0>p1", 10, 11, 50);
	round_trip("p1>p0", 11, 10, 60);
	round_trip("e0>e1", 12, 13, 70);
	round_trip("e1>e0", 13, 12, 80);
}

/*
 * The parent holds 10, the child 11.  a_msgs from 10 before the fork;
 * b_msgs from 11 by the child after it.  At the release the child checks
 * a_msgs, sends 40 bytes more of b_msgs' stream and exits; the parent
 * then reads all it has and tries to send to the child gone.
 */
static void fork_at(int type, int child_fd)
{
	long off;
	pid_t pid;

	pair_at(type, 10, 11);
	put_msgs(10, 1, a_msgs);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		CHECK(close(10) == 0);
		move_fd(11, child_fd);
		off = put_msgs(child_fd, 2, b_msgs(type));
		sync_done();
		CHECK(block() == 0);
		must_msgs(child_fd, type, 1, a_msgs);
		put(child_fd, 2, off, 40);
		_exit(0);
	}
	CHECK(close(11) == 0);
	sync_wait();
	ready_and_wait();
	say("child exit %d\n", reap(pid));
	off = 0;
	recvs("parent", 10, 2, &off);
	try_send("parent", 10, 10);
	try_send("parent", 10, 10);
}

static void mode_fork(int type)
{
	fork_at(type, 11);
}

/* The same, the child's end at its stdout: the tree's, not the caller's */
static void mode_stdio(int type)
{
	fork_at(type, 1);
}

/*
 * Pair 10, 11: a_msgs from 11 to 10, then 11 is closed.  Pair 12, 13:
 * 13 closed with nothing queued.  (The end that stays has nothing queued
 * for the one closed: that would leave it a pending ECONNRESET.)
 */
static void mode_widow(int type)
{
	long off;

	pair_at(type, 10, 11);
	put_msgs(11, 1, a_msgs);
	CHECK(close(11) == 0);
	pair_at(type, 12, 13);
	CHECK(close(13) == 0);
	ready_and_wait();
	say("avail %d %d\n", avail(10), avail(12));
	off = 0;
	recvs("w0", 10, 1, &off);
	try_send("w0", 10, 10);
	try_send("w0", 10, 10);
	recvs("w0", 10, 1, &off);
	off = 0;
	recvs("w1", 12, 0, &off);
	try_send("w1", 12, 10);
	try_send("w1", 12, 10);
}

/*
 * Pair 10, 11: a_msgs from 10, which is then shut down for writing, and
 * b_msgs from 11.  Pair 12, 13: a_msgs from 13, then 12 is shut down for
 * reading.
 */
static void mode_shutdown(int type)
{
	long off;

	pair_at(type, 10, 11);
	put_msgs(10, 1, a_msgs);
	CHECK(shutdown(10, SHUT_WR) == 0);
	put_msgs(11, 2, b_msgs(type));
	pair_at(type, 12, 13);
	put_msgs(13, 3, a_msgs);
	CHECK(shutdown(12, SHUT_RD) == 0);
	ready_and_wait();
	off = 0;
	recvs("wr1", 11, 1, &off);
	try_send("wr0", 10, 10);
	off = 0;
	recvs("wr0", 10, 2, &off);
	try_send("wr1", 11, 20);
	off = 0;
	recvs("wr0", 10, 9, &off);
	off = 0;
	recvs("rd0", 12, 3, &off);
	try_send("rd1", 13, 10);
	try_send("rd0", 12, 30);
	off = 0;
	recvs("rd1", 13, 9, &off);
}

static int sockopt(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len))
		return -errno;
	return val;
}

/* A buffer size, "default" if a new socket of @fd's type has it too. */
static const char *bufsize(int fd, int opt)
{
	static char s[4][32];
	static int i;
	char *p = s[i++ % 4];
	int val = sockopt(fd, opt), fresh;

	fresh = socket(AF_UNIX, sockopt(fd, SO_TYPE), 0);
	CHECK(fresh >= 0);
	if (val == sockopt(fresh, opt))
		snprintf(p, sizeof(s[0]), "default");
	else
		snprintf(p, sizeof(s[0]), "%d", val);
	CHECK(close(fresh) == 0);
	return p;
}

/*
 * recvmsg() of one message at @fd: its length and data, and whose
 * credentials came with it - "self" if ours, "none" if none did.
 */
static void recv_creds(const char *name, int fd, int stream)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} c;
	struct iovec iov = { rbuf, sizeof(rbuf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	struct cmsghdr *cm;
	struct ucred cred;
	char who[64] = "none";
	ssize_t n;

	CHECK(readable(fd));
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0) {
		say("%s recvmsg %s\n", name, err_name(errno));
		return;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_CREDENTIALS)
			continue;
		memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
		if (cred.pid == getpid() && cred.uid == getuid() &&
		    cred.gid == getgid())
			snprintf(who, sizeof(who), "self");
		else
			snprintf(who, sizeof(who), "pid %d uid %d gid %d",
				 cred.pid, cred.uid, cred.gid);
	}
	say("%s recvmsg %zd %s creds %s\n", name, n,
	    mismatch(rbuf, n, stream, 0) < 0 ? "ok" : "bad", who);
}

/*
 * Stream pair 10, 11: SO_SNDBUF on 10, SO_RCVBUF and SO_PASSCRED on 11,
 * O_NONBLOCK on 10, dup()ed at 16.  Dgram pair 12, 13: SO_SNDBUF on 12,
 * SO_PASSCRED on 13, which is O_NONBLOCK and holds a message from 12.
 * Seqpacket pair 14, 15: all defaults.
 */
static void mode_opts(void)
{
	static const int one = 1;
	int fd, val;

	pair_at(SOCK_STREAM, 10, 11);
	val = 30000;
	CHECK(setsockopt(10, SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)) == 0);
	val = 40000;
	CHECK(setsockopt(11, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) == 0);
	CHECK(setsockopt(11, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
	set_fl(10, O_NONBLOCK);
	CHECK(dup2(10, 16) == 16);
	pair_at(SOCK_DGRAM, 12, 13);
	val = 4096;
	CHECK(setsockopt(12, SOL_SOCKET, SO_SNDBUF, &val, sizeof(val)) == 0);
	CHECK(setsockopt(13, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0);
	set_fl(13, O_NONBLOCK);
	put(12, 4, 0, 100);
	pair_at(SOCK_SEQPACKET, 14, 15);
	ready_and_wait();
	for (fd = 10; fd <= 16; fd++)
		say("%d sndbuf %s rcvbuf %s passcred %d %s\n", fd,
		    bufsize(fd, SO_SNDBUF), bufsize(fd, SO_RCVBUF),
		    sockopt(fd, SO_PASSCRED), flags(fd));
	/* O_NONBLOCK is the file's: no MSG_DONTWAIT here */
	say("10 recv %s\n", recv(10, rbuf, 1, 0) < 0 ? err_name(errno) : "-");
	say("16 recv %s\n", recv(16, rbuf, 1, 0) < 0 ? err_name(errno) : "-");
	/* above what SO_SNDBUF leaves for one datagram */
	try_send("12", 12, 9000);
	put(10, 5, 0, 10);
	recv_creds("11", 11, 5);
	recv_creds("13", 13, 4);
	put(12, 6, 0, 20);
	recv_creds("13", 13, 6);
	say("13 recv %s\n", recv(13, rbuf, 1, 0) < 0 ? err_name(errno) : "-");
	put(14, 7, 0, 30);
	recv_creds("15", 15, 7);
}

/* ---------------------------------------------------------------------- */
/* Listening sockets */

struct listener {
	int fd;
	int type;
	int backlog;
	struct sockaddr_un addr;	/* as bound */
	socklen_t len;
};

static struct listener lsn[3];
static int nr_lsn;

/* A socket of @type at @fd bound to @path, or to the abstract @what. */
static struct listener *bind_at(int fd, int type, const char *path,
				const char *what)
{
	struct listener *l = &lsn[nr_lsn++];
	int s = socket(AF_UNIX, type, 0);

	CHECK(s >= 0);
	move_fd(s, fd);
	l->fd = fd;
	l->type = type;
	memset(&l->addr, 0, sizeof(l->addr));
	l->addr.sun_family = AF_UNIX;
	if (path) {
		snprintf(l->addr.sun_path, sizeof(l->addr.sun_path), "%s",
			 path);
		l->len = offsetof(struct sockaddr_un, sun_path) +
			 strlen(path) + 1;
	} else {
		l->len = offsetof(struct sockaddr_un, sun_path) +
			 unix_abstract(l->addr.sun_path,
				       sizeof(l->addr.sun_path), getpid(),
				       what);
	}
	CHECK(bind(fd, (struct sockaddr *)&l->addr, l->len) == 0);
	return l;
}

static void listen_at(int fd, int type, int backlog, const char *path,
		      const char *what)
{
	struct listener *l = bind_at(fd, type, path, what);

	l->backlog = backlog;
	CHECK(listen(fd, backlog) == 0);
}

/* Is @fd bound to @l's address? */
static const char *name_ok(struct listener *l)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);

	if (getsockname(l->fd, (struct sockaddr *)&a, &len))
		return err_name(errno);
	return len == l->len && !memcmp(&a, &l->addr, len) ? "ok" : "other";
}

/*
 * Every connection waiting at @l: accepted, its client's message read
 * and answered.  How many there were, and whether all went well.
 */
static void serve(const char *name, struct listener *l)
{
	int n = 0, bad = 0, c;
	ssize_t got;

	say("%s name %s\n", name, name_ok(l));
	set_fl(l->fd, O_NONBLOCK);
	for (;;) {
		c = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		CHECK(readable(c));
		got = recv(c, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (got != CLIENT_LEN ||
		    mismatch(rbuf, got, CLIENT_STREAM + n, 0) >= 0)
			bad++;
		put(c, REPLY_STREAM + n, 0, REPLY_LEN);
		CHECK(close(c) == 0);
		n++;
	}
	say("%s accepted %d, %d bad\n", name, n, bad);
}

static void mode_abstract(void)
{
	listen_at(LSN_STREAM_FD, SOCK_STREAM, LSN_STREAM_BACKLOG, NULL,
		  "stream");
	listen_at(LSN_SEQ_FD, SOCK_SEQPACKET, LSN_SEQ_BACKLOG, NULL,
		  "seqpacket");
	ready_and_wait();
	serve("stream", &lsn[0]);
	serve("seqpacket", &lsn[1]);
}

static void mode_path(void)
{
	char cwd[PATH_MAX], path[PATH_MAX + 8];
	struct stat st;

	CHECK(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/%s", cwd, UNIX_SOCK_NAME);
	listen_at(LSN_STREAM_FD, SOCK_STREAM, LSN_STREAM_BACKLOG, path, NULL);
	ready_and_wait();
	say("%s\n", !stat(path, &st) && S_ISSOCK(st.st_mode) ? "a socket" :
	    "no socket");
	serve("path", &lsn[0]);
}

static void mode_relpath(void)
{
	listen_at(LSN_STREAM_FD, SOCK_STREAM, LSN_STREAM_BACKLOG,
		  UNIX_SOCK_NAME, NULL);
	ready_and_wait();
	serve("relpath", &lsn[0]);
}

/* ---------------------------------------------------------------------- */
/* What checkpoint refuses: the target must go on unharmed */

#define MAX_FLIGHT	4

/* sendmsg() of @len bytes of @stream from @off with @nr @fds in flight */
static void put_fds(int sock, int stream, long off, long len, const int *fds,
		    int nr)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(MAX_FLIGHT * sizeof(int))];
	} c;
	struct iovec iov = { wbuf, len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf,
		.msg_controllen = CMSG_SPACE(nr * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nr * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nr * sizeof(int));
	fill(stream, off, len);
	CHECK(sendmsg(sock, &msg, MSG_NOSIGNAL) == len);
}

static void put_fd(int sock, int stream, long off, long len, int fd)
{
	put_fds(sock, stream, off, len, &fd, 1);
}

/*
 * recvmsg() at @sock: how many bytes, and the fds that came with them
 * (at most MAX_FLIGHT, in @fds); how many fds.
 */
static int get_fds(const char *name, int sock, int stream, long off, int *fds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(MAX_FLIGHT * sizeof(int))];
	} c;
	struct iovec iov = { rbuf, sizeof(rbuf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof(c.buf),
	};
	struct cmsghdr *cm;
	int nr = 0;
	ssize_t n;

	n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	CHECK(n >= 0);
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			nr = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), nr * sizeof(int));
		}
	}
	say("%s recvmsg %zd %s, %d fds%s\n", name, n,
	    mismatch(rbuf, n, stream, off) < 0 ? "ok" : "bad", nr,
	    msg.msg_flags & MSG_CTRUNC ? " (truncated)" : "");
	return nr;
}

static int get_fd(const char *name, int sock, int stream, long off)
{
	int fds[MAX_FLIGHT];

	return get_fds(name, sock, stream, off, fds) == 1 ? fds[0] : -1;
}

/*
 * Stream pair 10, 11: 11 sends 100 bytes, then 10 with the read end of
 * a pipe holding 50 bytes, which is then closed: only the message keeps
 * it.  Seqpacket pair 14, 15: 15 sends 20 bytes with a file of the cwd
 * (its offset 2) and an eventfd (count 5), both closed then; a message
 * of 7 bytes after it, without files.
 */
static void mode_rights(void)
{
	char text[8] = "";
	uint64_t count = 0;
	int fds[MAX_FLIGHT], n;
	ssize_t got;
	int fd;

	pair_at(SOCK_STREAM, 10, 11);
	pipe_at(12, 13);
	fill(7, 0, 50);
	CHECK(write(13, wbuf, 50) == 50);
	put(11, 1, 0, 100);
	put_fd(11, 1, 100, 10, 12);
	CHECK(close(12) == 0);
	pair_at(SOCK_SEQPACKET, 14, 15);
	fds[0] = open("inflight", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fds[1] = eventfd(5, EFD_CLOEXEC);
	CHECK(fds[0] >= 0 && fds[1] >= 0);
	CHECK(write(fds[0], "data", 4) == 4 && lseek(fds[0], 2, SEEK_SET) == 2);
	put_fds(15, 2, 0, 20, fds, 2);
	CHECK(close(fds[0]) == 0 && close(fds[1]) == 0);
	put(15, 3, 0, 7);
	ready_and_wait();
	fd = get_fd("10", 10, 1, 0);
	if (fd < 0)
		return;
	got = read(fd, rbuf, sizeof(rbuf));
	say("passed pipe read %zd %s\n", got,
	    got > 0 && mismatch(rbuf, got, 7, 0) < 0 ? "ok" : "bad");
	n = get_fds("14", 14, 2, 0, fds);
	if (n != 2)
		return;
	got = read(fds[0], text, sizeof(text) - 1);
	say("passed file read %zd %s\n", got, got > 0 ? text : "-");
	got = read(fds[1], &count, sizeof(count));
	say("passed eventfd read %zd count %llu\n", got,
	    (unsigned long long)count);
	get_fds("14", 14, 3, 0, fds);
}

/* Dgram pair 10, 11: 11 sends 10 itself to 10. */
static void mode_rights_self(void)
{
	struct stat a, b;
	int fd;

	pair_at(SOCK_DGRAM, 10, 11);
	put_fd(11, 1, 0, 20, 10);
	ready_and_wait();
	fd = get_fd("10", 10, 1, 0);
	if (fd < 0)
		return;
	CHECK(fstat(fd, &a) == 0 && fstat(10, &b) == 0);
	say("%s\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev ?
	    "itself" : "another file");
}

/*
 * Stream pair 10, 11: 11 sends 10 an epoll that watches 10 - each of
 * the two needs the other restored first.  The epoll stays open at 9
 * ("rights-epoll": met before the socket) or is closed after the send
 * ("rights-epoll-closed": met in the socket's queue).
 */
static void rights_epoll(int keep)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	CHECK(ep >= 0);
	move_fd(ep, keep ? 9 : 12);
	ep = keep ? 9 : 12;
	pair_at(SOCK_STREAM, 10, 11);
	ev.data.fd = 10;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 10, &ev) == 0);
	put_fd(11, 1, 0, 20, ep);
	if (!keep)
		CHECK(close(ep) == 0);
	ready_and_wait();
	get_fd("10", 10, 1, 0);
}

static void mode_rights_epoll(void)
{
	rights_epoll(1);
}

static void mode_rights_epoll_closed(void)
{
	rights_epoll(0);
}

static void connect_to(int fd, struct listener *l)
{
	int s = socket(AF_UNIX, l->type, 0);

	CHECK(s >= 0);
	move_fd(s, fd);
	CHECK(connect(fd, (struct sockaddr *)&l->addr, l->len) == 0);
}

/*
 * Names unlinked after bind(): a listener at LSN_STREAM_FD with a
 * connection not accepted yet (from 12), a datagram socket at 11; each
 * keeps its name, no file has it.
 */
static void mode_unlinked(void)
{
	char cwd[PATH_MAX], path[PATH_MAX + 8], dpath[PATH_MAX + 16];
	int c;

	CHECK(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/%s", cwd, UNIX_SOCK_NAME);
	snprintf(dpath, sizeof(dpath), "%s/%s-dgram", cwd, UNIX_SOCK_NAME);
	listen_at(LSN_STREAM_FD, SOCK_STREAM, LSN_STREAM_BACKLOG, path, NULL);
	connect_to(12, &lsn[0]);
	bind_at(11, SOCK_DGRAM, dpath, NULL);
	CHECK(unlink(path) == 0 && unlink(dpath) == 0);
	ready_and_wait();
	say("listener file %s\n", access(path, F_OK) ? "gone" : "there");
	say("dgram file %s\n", access(dpath, F_OK) ? "gone" : "there");
	say("listener name %s\n", name_ok(&lsn[0]));
	say("dgram name %s\n", name_ok(&lsn[1]));
	set_fl(LSN_STREAM_FD, O_NONBLOCK);
	c = accept4(LSN_STREAM_FD, NULL, NULL, SOCK_CLOEXEC);
	say("accept %s\n", c >= 0 ? "ok" : err_name(errno));
}

/*
 * A datagram socket at 10 bound to a path whose file was given another
 * mode and owner (ATTRS_UID:ATTRS_GID) than bind() made.
 */
#define ATTRS_UID	1234
#define ATTRS_GID	4321

static void mode_attrs(void)
{
	char cwd[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	CHECK(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/%s-attrs", cwd, UNIX_SOCK_NAME);
	/* an earlier run's */
	CHECK(!unlink(path) || errno == ENOENT);
	bind_at(10, SOCK_DGRAM, path, NULL);
	CHECK(chmod(path, 0640) == 0);
	CHECK(chown(path, ATTRS_UID, ATTRS_GID) == 0);
	ready_and_wait();
	CHECK(stat(path, &st) == 0);
	say("mode %o owner %d:%d\n", st.st_mode & 07777, (int)st.st_uid,
	    (int)st.st_gid);
	say("name %s\n", name_ok(&lsn[0]));
}

/* Whose address getsockname() (@peer: getpeername()) of @fd gives. */
static const char *sock_name(int fd, int peer)
{
	static char s[4][16];
	static int n;
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	char *p = s[n++ % 4];
	int i;

	if (peer ? getpeername(fd, (struct sockaddr *)&a, &len) :
		   getsockname(fd, (struct sockaddr *)&a, &len))
		return err_name(errno);
	if (len == sizeof(sa_family_t))
		return "unbound";
	for (i = 0; i < nr_lsn; i++) {
		if (len == lsn[i].len && !memcmp(&a, &lsn[i].addr, len)) {
			snprintf(p, sizeof(s[0]), "lsn%d", i);
			return p;
		}
	}
	return "other";
}

/* Can a new socket of @l's type be bound to @l's address now? */
static const char *name_free(struct listener *l)
{
	int s = socket(AF_UNIX, l->type, 0), ret;

	CHECK(s >= 0);
	ret = bind(s, (struct sockaddr *)&l->addr, l->len);
	CHECK(close(s) == 0);
	return ret ? err_name(errno) : "free";
}

static const long forty[] = { 40, -1 };

/*
 * Stream listener 10 (backlog 4) with connections not accepted yet, in
 * the order they came: from 11 (100 bytes), from 5 - an fd below the
 * listener's, so that checkpoint meets it first - (50 bytes, then
 * shutdown(SHUT_WR)), from a socket closed after sending 30 bytes, and
 * from 14 in the child (20 bytes; it waits for 40 bytes back).
 * Seqpacket listener 12 with a connection from 13 that sent messages of
 * 10 and 20 bytes.  After the release each is accepted and read, in
 * order, with the names the accepted end has.
 */
static void mode_embryo(void)
{
	static const char * const names[] = { "11", "5", "closed", "child" };
	long off;
	pid_t pid;
	int c, i;

	listen_at(10, SOCK_STREAM, 4, NULL, "embryo");
	listen_at(12, SOCK_SEQPACKET, 0, NULL, "embryo-seq");
	connect_to(11, &lsn[0]);
	put(11, 1, 0, 100);
	connect_to(5, &lsn[0]);
	put(5, 2, 0, 50);
	CHECK(shutdown(5, SHUT_WR) == 0);
	connect_to(14, &lsn[0]);
	put(14, 3, 0, 30);
	CHECK(close(14) == 0);
	sync_open();
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		connect_to(14, &lsn[0]);
		put(14, 4, 0, 20);
		sync_done();
		CHECK(block() == 0);
		must_msgs(14, SOCK_STREAM, 5, forty);
		_exit(0);
	}
	sync_wait();
	connect_to(13, &lsn[1]);
	put(13, 6, 0, 10);
	put(13, 6, 10, 20);
	ready_and_wait();
	for (i = 0; i < 4; i++) {
		c = accept4(10, NULL, NULL, SOCK_NONBLOCK);
		CHECK(c >= 0);
		off = 0;
		recvs(names[i], c, i + 1, &off);
		say("%s name %s peer %s\n", names[i], sock_name(c, 0),
		    sock_name(c, 1));
		if (i == 0)
			round_trip("back to 11", c, 11, 30);
		if (i == 1)
			round_trip("back to 5", c, 5, 30);
		if (i == 3)
			put(c, 5, 0, 40);
		CHECK(close(c) == 0);
	}
	say("child exit %d\n", reap(pid));
	say("11 name %s peer %s\n", sock_name(11, 0), sock_name(11, 1));
	c = accept4(12, NULL, NULL, SOCK_NONBLOCK);
	CHECK(c >= 0);
	off = 0;
	recvs("seqpacket", c, 6, &off);
	try_send("10", 10, 10);
}

/*
 * Listener 10; 11 connected and accepted at 12, data queued both ways;
 * 13 bound to an abstract name of its own, connected and accepted at
 * 14; listener 15 closed after its connection from 16 was accepted at
 * 17.  The names of each end, and whose names are still bound.
 */
static void mode_accepted(void)
{
	long off;
	int fd;

	listen_at(10, SOCK_STREAM, 1, NULL, "accepted");
	connect_to(11, &lsn[0]);
	move_fd(accept4(10, NULL, NULL, 0), 12);
	bind_at(13, SOCK_STREAM, NULL, "client");
	CHECK(connect(13, (struct sockaddr *)&lsn[0].addr, lsn[0].len) == 0);
	move_fd(accept4(10, NULL, NULL, 0), 14);
	listen_at(15, SOCK_SEQPACKET, 0, NULL, "gone");
	connect_to(16, &lsn[2]);
	move_fd(accept4(15, NULL, NULL, 0), 17);
	CHECK(close(15) == 0);
	put(11, 1, 0, 100);
	put(12, 2, 0, 200);
	ready_and_wait();
	off = 0;
	recvs("12", 12, 1, &off);
	off = 0;
	recvs("11", 11, 2, &off);
	round_trip("11>12", 11, 12, 30);
	round_trip("12>11", 12, 11, 40);
	round_trip("13>14", 13, 14, 50);
	round_trip("17>16", 17, 16, 60);
	for (fd = 11; fd <= 17; fd++)
		if (fd != 15)
			say("%d name %s peer %s\n", fd, sock_name(fd, 0),
			    sock_name(fd, 1));
	say("listener %s, bound: %s\n", name_ok(&lsn[0]), name_free(&lsn[0]));
	say("client bound: %s\n", name_free(&lsn[1]));
	say("gone: %s\n", name_free(&lsn[2]));
}

static void mode_inet(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	move_fd(s, 10);
	ready_and_wait();
	say("domain %s type %s\n", sockopt(10, SO_DOMAIN) == AF_INET ?
	    "inet" : "other", sockopt(10, SO_TYPE) == SOCK_DGRAM ? "dgram" :
	    "other");
}

/* The test's socket at fd 3, moved to OUTSIDE_FD. */
static void mode_outside(void)
{
	long off = 0;

	move_fd(3, OUTSIDE_FD);
	ready_and_wait();
	CHECK(readable(OUTSIDE_FD));
	recvs("outside", OUTSIDE_FD, OUTSIDE_STREAM, &off);
	put(OUTSIDE_FD, OUTSIDE_STREAM + 1, 0, OUTSIDE_REPLY);
}

/*
 * Sockets of their own: 10 a stream socket, unbound; 11 a datagram one
 * bound to an abstract name; 12 a seqpacket one, unbound, O_NONBLOCK.
 * After the release 10 connects to a new listener, 11 gets a datagram
 * from a new socket.
 */
static void mode_unconnected(void)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	struct listener *l;
	long off = 0;
	int s, c;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0);
	move_fd(s, 10);
	l = bind_at(11, SOCK_DGRAM, NULL, "dgram");
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	CHECK(s >= 0);
	move_fd(s, 12);
	ready_and_wait();
	CHECK(getsockname(10, (struct sockaddr *)&a, &len) == 0);
	say("10 type %d, %s, %s\n", sockopt(10, SO_TYPE),
	    len == sizeof(sa_family_t) ? "unbound" : "bound", flags(10));
	say("11 type %d, name %s, %s\n", sockopt(11, SO_TYPE), name_ok(l),
	    flags(11));
	len = sizeof(a);
	CHECK(getsockname(12, (struct sockaddr *)&a, &len) == 0);
	say("12 type %d, %s, %s\n", sockopt(12, SO_TYPE),
	    len == sizeof(sa_family_t) ? "unbound" : "bound", flags(12));
	/* each works as a new one would */
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	fill(5, 0, 30);
	CHECK(sendto(s, wbuf, 30, 0, (struct sockaddr *)&l->addr, l->len) ==
	      30);
	recvs("11", 11, 5, &off);
	CHECK(close(s) == 0);
	listen_at(13, SOCK_STREAM, 1, NULL, "late");
	CHECK(connect(10, (struct sockaddr *)&lsn[1].addr, lsn[1].len) == 0);
	c = accept4(13, NULL, NULL, 0);
	CHECK(c >= 0);
	round_trip("10>late", 10, c, 40);
	round_trip("late>10", c, 10, 50);
}

/* Datagram socket 10 bound, with a datagram from 11, unconnected. */
static void mode_dgram_queue(void)
{
	struct listener *l = bind_at(10, SOCK_DGRAM, NULL, "dgramq");
	long off = 0;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	CHECK(s >= 0);
	move_fd(s, 11);
	fill(1, 0, 40);
	CHECK(sendto(11, wbuf, 40, 0, (struct sockaddr *)&l->addr, l->len) ==
	      40);
	ready_and_wait();
	recvs("10", 10, 1, &off);
}

/* Datagram socket 10 bound, 11 connect()ed to it: a one-way peer. */
static void mode_dgram_connect(void)
{
	long off = 0;
	int s;

	bind_at(10, SOCK_DGRAM, NULL, "dgramc");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	move_fd(s, 11);
	CHECK(connect(11, (struct sockaddr *)&lsn[0].addr, lsn[0].len) == 0);
	ready_and_wait();
	put(11, 1, 0, 40);
	recvs("10", 10, 1, &off);
}

/*
 * Listener 10; stream pair 11, 12 with a_msgs from 11 and 7 bytes back;
 * dgram pair 13, 14 with two messages for 13, 14 closed.
 */
static void mode_image(void)
{
	static const long small[] = { 10, 20, -1 };
	static const long seven[] = { 7, -1 };
	long off;

	listen_at(10, SOCK_STREAM, 3, NULL, "image");
	pair_at(SOCK_STREAM, 11, 12);
	put_msgs(11, 1, a_msgs);
	put_msgs(12, 2, seven);
	pair_at(SOCK_DGRAM, 13, 14);
	put_msgs(14, 3, small);
	CHECK(close(14) == 0);
	ready_and_wait();
	say("listener %s\n", name_ok(&lsn[0]));
	off = 0;
	recvs("12", 12, 1, &off);
	off = 0;
	recvs("11", 11, 2, &off);
	off = 0;
	recvs("13", 13, 3, &off);
	round_trip("11>12", 11, 12, 30);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} modes[] = {
		{ "opts", mode_opts }, { "abstract", mode_abstract },
		{ "path", mode_path }, { "relpath", mode_relpath },
		{ "rights", mode_rights }, { "rights-self", mode_rights_self },
		{ "embryo", mode_embryo }, { "accepted", mode_accepted },
		{ "inet", mode_inet }, { "outside", mode_outside },
		{ "unconnected", mode_unconnected },
		{ "dgram-queue", mode_dgram_queue },
		{ "dgram-connect", mode_dgram_connect },
		{ "image", mode_image },
		{ "rights-epoll", mode_rights_epoll },
		{ "unlinked", mode_unlinked }, { "attrs", mode_attrs },
		{ "rights-epoll-closed", mode_rights_epoll_closed },
	};
	static const struct {
		const char *prefix;
		void (*fn)(int type);
	} typed[] = {
		{ "pair-", mode_pair }, { "fork-", mode_fork },
		{ "widow-", mode_widow }, { "shutdown-", mode_shutdown },
		{ "stdio-", mode_stdio },
	};
	size_t i, j, len;

	/* a send to a closed peer says EPIPE */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; argc == 2 && i < ARRAY_SIZE(modes); i++) {
		if (!strcmp(argv[1], modes[i].name)) {
			modes[i].fn();
			return 0;
		}
	}
	for (i = 0; argc == 2 && i < ARRAY_SIZE(typed); i++) {
		len = strlen(typed[i].prefix);
		if (strncmp(argv[1], typed[i].prefix, len))
			continue;
		for (j = 0; j < ARRAY_SIZE(types); j++) {
			if (!strcmp(argv[1] + len, types[j].name)) {
				typed[i].fn(types[j].type);
				return 0;
			}
		}
	}
	fprintf(stderr, "usage: unix_target pair|fork|stdio|widow|shutdown-stream|dgram|seqpacket, or opts|abstract|path|relpath|rights|rights-self|embryo|accepted|inet|outside|unconnected|dgram-queue|dgram-connect|image|rights-epoll|rights-epoll-closed|unlinked|attrs\n");
	return 2;
}
