// SPDX-License-Identifier: GPL-2.0
/*
 * Unix sockets across checkpoint and restart.  Each mode of unix_target
 * runs three times: never checkpointed, which shows what the kernel does
 * with its sockets; checkpointed without kill, after which it must go on
 * exactly the same (the checkpoint consumes no data); and restored by
 * rstr from that image, which must do the same again.  What it prints
 * after its release - bytes queued, the length and data of each recv(),
 * hence the message boundaries, end of file and errors after a shutdown
 * or a closed peer, buffer sizes, SO_PASSCRED and F_GETFL - is compared
 * with what is written here; the processes' fds, their flags, which fds
 * are one open file (kcmp) and each socket's type, state and address
 * (/proc/net/unix) must be the same as when they were checkpointed.
 * Listening sockets must accept clients the test connects after the
 * restart, as many as their backlog lets wait, and the connections that
 * were waiting when it was checkpointed, with what their clients sent;
 * accepted connections keep their ends' names.
 *
 * Files in flight (SCM_RIGHTS) come back in flight, with their offsets
 * and state.
 *
 * What the checkpoint cannot save - a socket in flight, datagrams queued
 * on an unconnected socket, a datagram socket connected one way, other
 * families, a peer outside the tree - fails it with EOPNOTSUPP and a log
 * line naming the pid and the fd; the target runs on unharmed.  A path a socket was bound to that is taken by something
 * else when it restarts fails the restart, leaving that alone.  Images
 * with a broken UNIX record fail the restart with EINVAL, back in its
 * caller.
 *
 * rstr is $RSTR or /usr/bin/rstr (see rstr_path()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "util.h"
#include "fdtest.h"
#include "unix_target.h"

#define WAIT_MS		20000
#define SIG_SIZE	8192
#define OUT_SIZE	8192
#define LOG_SIZE	8192
#define NET_UNIX_SIZE	(1 << 20)
#define LOG_NAME	"rstr.log"

/*
 * What each mode prints after its release, as the kernel does it: a
 * datagram or seqpacket recv() returns one message, a zero-length
 * datagram too; a stream recv() all that is queued, from where an
 * earlier one stopped in the middle of what a send() wrote.
 */
static const char expect_pair_stream[] =
	"avail p 100007 5051 e 0 0\n"
	"p1 recv 5051 ok\n"
	"p1 recv EAGAIN\n"
	"p0 recv 100007 ok\n"
	"p0 recv EAGAIN\n"
	"e0 recv EAGAIN\n"
	"e1 recv EAGAIN\n"
	"p0>p1: 50 ok, then EAGAIN\n"
	"p1>p0: 60 ok, then EAGAIN\n"
	"e0>e1: 70 ok, then EAGAIN\n"
	"e1>e0: 80 ok, then EAGAIN\n";

/* FIONREAD: the first datagram's length */
static const char expect_pair_dgram[] =
	"avail p 7 100 e 0 0\n"
	"p1 recv 100 ok\n"
	"p1 recv 5000 ok\n"
	"p1 recv EAGAIN\n"
	"p0 recv 7 ok\n"
	"p0 recv 0 ok\n"
	"p0 recv 3000 ok\n"
	"p0 recv EAGAIN\n"
	"e0 recv EAGAIN\n"
	"e1 recv EAGAIN\n"
	"p0>p1: 50 ok, then EAGAIN\n"
	"p1>p0: 60 ok, then EAGAIN\n"
	"e0>e1: 70 ok, then EAGAIN\n"
	"e1>e0: 80 ok, then EAGAIN\n";

static const char expect_pair_seqpacket[] =
	"avail p 3007 5100 e 0 0\n"
	"p1 recv 100 ok\n"
	"p1 recv 5000 ok\n"
	"p1 recv EAGAIN\n"
	"p0 recv 7 ok\n"
	"p0 recv 3000 ok\n"
	"p0 recv EAGAIN\n"
	"e0 recv EAGAIN\n"
	"e1 recv EAGAIN\n"
	"p0>p1: 50 ok, then EAGAIN\n"
	"p1>p0: 60 ok, then EAGAIN\n"
	"e0>e1: 70 ok, then EAGAIN\n"
	"e1>e0: 80 ok, then EAGAIN\n";

/* the child's 40 bytes after its messages, then its end closed */
static const char expect_fork_stream[] =
	"child exit 0\n"
	"parent recv 100047 ok\n"
	"parent recv 0 ok\n"
	"parent send EPIPE\n"
	"parent send EPIPE\n";

/* a datagram socket sending to a closed peer is disconnected */
static const char expect_fork_dgram[] =
	"child exit 0\n"
	"parent recv 7 ok\n"
	"parent recv 0 ok\n"
	"parent recv 3000 ok\n"
	"parent recv 40 ok\n"
	"parent recv EAGAIN\n"
	"parent send ECONNREFUSED\n"
	"parent send ENOTCONN\n";

static const char expect_fork_seqpacket[] =
	"child exit 0\n"
	"parent recv 7 ok\n"
	"parent recv 3000 ok\n"
	"parent recv 40 ok\n"
	"parent recv 0 ok\n"
	"parent send EPIPE\n"
	"parent send EPIPE\n";

static const char expect_widow_stream[] =
	"avail 5101 0\n"
	"w0 recv 5101 ok\n"
	"w0 recv 0 ok\n"
	"w0 send EPIPE\n"
	"w0 send EPIPE\n"
	"w0 recv 0 ok\n"
	"w1 recv 0 ok\n"
	"w1 send EPIPE\n"
	"w1 send EPIPE\n";

static const char expect_widow_dgram[] =
	"avail 1 0\n"
	"w0 recv 1 ok\n"
	"w0 recv 100 ok\n"
	"w0 recv 5000 ok\n"
	"w0 recv EAGAIN\n"
	"w0 send ECONNREFUSED\n"
	"w0 send ENOTCONN\n"
	"w0 recv EAGAIN\n"
	"w1 recv EAGAIN\n"
	"w1 send ECONNREFUSED\n"
	"w1 send ENOTCONN\n";

static const char expect_widow_seqpacket[] =
	"avail 5101 0\n"
	"w0 recv 1 ok\n"
	"w0 recv 100 ok\n"
	"w0 recv 5000 ok\n"
	"w0 recv 0 ok\n"
	"w0 send EPIPE\n"
	"w0 send EPIPE\n"
	"w0 recv 0 ok\n"
	"w1 recv 0 ok\n"
	"w1 send EPIPE\n"
	"w1 send EPIPE\n";

/*
 * A stream or seqpacket shutdown is seen by the peer too (SHUT_WR: it
 * reads end of file; SHUT_RD: it cannot send); a datagram one is not.
 */
static const char expect_shutdown_stream[] =
	"wr1 recv 5101 ok\n"
	"wr1 recv 0 ok\n"
	"wr0 send EPIPE\n"
	"wr0 recv 100007 ok\n"
	"wr0 recv EAGAIN\n"
	"wr1 send 20\n"
	"wr0 recv 20 ok\n"
	"wr0 recv EAGAIN\n"
	"rd0 recv 5101 ok\n"
	"rd0 recv 0 ok\n"
	"rd1 send EPIPE\n"
	"rd0 send 30\n"
	"rd1 recv 30 ok\n"
	"rd1 recv EAGAIN\n";

static const char expect_shutdown_dgram[] =
	"wr1 recv 1 ok\n"
	"wr1 recv 100 ok\n"
	"wr1 recv 5000 ok\n"
	"wr1 recv EAGAIN\n"
	"wr0 send EPIPE\n"
	"wr0 recv 7 ok\n"
	"wr0 recv 0 ok\n"
	"wr0 recv 3000 ok\n"
	"wr0 recv EAGAIN\n"
	"wr1 send 20\n"
	"wr0 recv 20 ok\n"
	"wr0 recv EAGAIN\n"
	"rd0 recv 1 ok\n"
	"rd0 recv 100 ok\n"
	"rd0 recv 5000 ok\n"
	"rd0 recv EAGAIN\n"
	"rd1 send EPIPE\n"
	"rd0 send 30\n"
	"rd1 recv 30 ok\n"
	"rd1 recv EAGAIN\n";

static const char expect_shutdown_seqpacket[] =
	"wr1 recv 1 ok\n"
	"wr1 recv 100 ok\n"
	"wr1 recv 5000 ok\n"
	"wr1 recv 0 ok\n"
	"wr0 send EPIPE\n"
	"wr0 recv 7 ok\n"
	"wr0 recv 3000 ok\n"
	"wr0 recv EAGAIN\n"
	"wr1 send 20\n"
	"wr0 recv 20 ok\n"
	"wr0 recv EAGAIN\n"
	"rd0 recv 1 ok\n"
	"rd0 recv 100 ok\n"
	"rd0 recv 5000 ok\n"
	"rd0 recv 0 ok\n"
	"rd1 send EPIPE\n"
	"rd0 send 30\n"
	"rd1 recv 30 ok\n"
	"rd1 recv EAGAIN\n";

/*
 * SO_SNDBUF and SO_RCVBUF read twice what was set; a datagram longer
 * than the send buffer is refused; credentials come with every message
 * to a socket with SO_PASSCRED, the one queued before the checkpoint
 * too, and are those of the process, which kept its pid.
 */
static const char expect_opts[] =
	"10 sndbuf 60000 rcvbuf default passcred 0 rw,nonblock\n"
	"11 sndbuf default rcvbuf 80000 passcred 1 rw\n"
	"12 sndbuf 8192 rcvbuf default passcred 0 rw\n"
	"13 sndbuf default rcvbuf default passcred 1 rw,nonblock\n"
	"14 sndbuf default rcvbuf default passcred 0 rw\n"
	"15 sndbuf default rcvbuf default passcred 0 rw\n"
	"16 sndbuf 60000 rcvbuf default passcred 0 rw,nonblock\n"
	"10 recv EAGAIN\n"
	"16 recv EAGAIN\n"
	"12 send EMSGSIZE\n"
	"11 recvmsg 10 ok creds self\n"
	"13 recvmsg 100 ok creds self\n"
	"13 recvmsg 20 ok creds self\n"
	"13 recv EAGAIN\n"
	"15 recvmsg 30 ok creds none\n";

/* a listener lets backlog + 1 connections wait */
static const char expect_abstract[] =
	"stream name ok\n"
	"stream accepted 3, 0 bad\n"
	"seqpacket name ok\n"
	"seqpacket accepted 1, 0 bad\n";

static const char expect_path[] =
	"a socket\n"
	"path name ok\n"
	"path accepted 3, 0 bad\n";

static const char expect_relpath[] =
	"relpath name ok\n"
	"relpath accepted 3, 0 bad\n";

static const char expect_unlinked[] =
	"listener file gone\n"
	"dgram file gone\n"
	"listener name ok\n"
	"dgram name ok\n"
	"accept ok\n";

static const char expect_attrs[] =
	"mode 640 owner 1234:4321\n"
	"name ok\n";

static const char expect_unconnected[] =
	"10 type 1, unbound, rw\n"
	"11 type 2, name ok, rw\n"
	"12 type 5, unbound, rw,nonblock\n"
	"11 recv 30 ok\n"
	"11 recv EAGAIN\n"
	"10>late: 40 ok, then EAGAIN\n"
	"late>10: 50 ok, then EAGAIN\n";

static const char expect_dgram[] =
	"10 recv 40 ok\n"
	"10 recv EAGAIN\n";

static const char expect_rights[] =
	"10 recvmsg 110 ok, 1 fds\n"
	"passed pipe read 50 ok\n"
	"14 recvmsg 20 ok, 2 fds\n"
	"passed file read 2 ta\n"
	"passed eventfd read 8 count 5\n"
	"14 recvmsg 7 ok, 0 fds\n";

static const char expect_rights_epoll[] =
	"10 recvmsg 20 ok, 1 fds\n";

static const char expect_rights_self[] =
	"10 recvmsg 20 ok, 1 fds\n"
	"itself\n";

static const char expect_embryo[] =
	"11 recv 100 ok\n"
	"11 recv EAGAIN\n"
	"11 name lsn0 peer unbound\n"
	"back to 11: 30 ok, then EAGAIN\n"
	"5 recv 50 ok\n"
	"5 recv 0 ok\n"
	"5 name lsn0 peer unbound\n"
	"back to 5: 30 ok, then EAGAIN\n"
	"closed recv 30 ok\n"
	"closed recv 0 ok\n"
	"closed name lsn0 peer unbound\n"
	"child recv 20 ok\n"
	"child recv EAGAIN\n"
	"child name lsn0 peer unbound\n"
	"child exit 0\n"
	"11 name unbound peer lsn0\n"
	"seqpacket recv 10 ok\n"
	"seqpacket recv 20 ok\n"
	"seqpacket recv EAGAIN\n"
	"10 send ENOTCONN\n";

/* an accepted end has its listener's name, not bound to it */
static const char expect_accepted[] =
	"12 recv 100 ok\n"
	"12 recv EAGAIN\n"
	"11 recv 200 ok\n"
	"11 recv EAGAIN\n"
	"11>12: 30 ok, then EAGAIN\n"
	"12>11: 40 ok, then EAGAIN\n"
	"13>14: 50 ok, then EAGAIN\n"
	"17>16: 60 ok, then EAGAIN\n"
	"11 name unbound peer lsn0\n"
	"12 name lsn0 peer unbound\n"
	"13 name lsn1 peer lsn0\n"
	"14 name lsn0 peer lsn1\n"
	"16 name unbound peer lsn2\n"
	"17 name lsn2 peer unbound\n"
	"listener ok, bound: Address already in use\n"
	"client bound: Address already in use\n"
	"gone: free\n";

static const char expect_inet[] =
	"domain inet type dgram\n";

static const char expect_outside[] =
	"outside recv 100 ok\n"
	"outside recv EAGAIN\n";

static const char expect_image[] =
	"listener ok\n"
	"12 recv 5101 ok\n"
	"12 recv EAGAIN\n"
	"11 recv 7 ok\n"
	"11 recv EAGAIN\n"
	"13 recv 10 ok\n"
	"13 recv 20 ok\n"
	"13 recv EAGAIN\n"
	"11>12: 30 ok, then EAGAIN\n";

#define META	struct __test_metadata *_metadata



/* The text of the file at @fd, from its start, NUL-terminated. */
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

/* ---------------------------------------------------------------------- */
/* The tree's fds */






/*
 * /proc/net/unix's flags (listening), type and state of the socket of
 * inode @ino, and its address ('@' for NULs), in @out.  -1 if not there.
 */
static int unix_info(const char *net, unsigned long ino, char *out,
		     size_t size)
{
	unsigned int flags, type, st;
	unsigned long i;
	const char *line, *end;
	char path[256];
	int pos;

	for (line = net; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		path[0] = '\0';
		pos = 0;
		if (sscanf(line, "%*s %*x %*x %x %x %x %lu%n", &flags, &type,
			   &st, &i, &pos) != 4 || i != ino)
			continue;
		if (line + pos < end && line[pos] == ' ')
			snprintf(path, sizeof(path), "%.*s",
				 (int)(end - line - pos - 1), line + pos + 1);
		snprintf(out, size, "unix flags %x type %x st %x at \"%s\"",
			 flags, type, st, path);
		return 0;
	}
	return -1;
}

/* All of /proc/net/unix into @buf, NUL-terminated; -1 if it cannot. */
static int read_net_unix(char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do {
		n = read(fd, buf + len, size - 1 - len);
		if (n > 0)
			len += n;
	} while (n > 0 && len < size - 1);
	close(fd);
	buf[len] = '\0';
	return n < 0 || len == size - 1 ? -1 : 0;
}

/*
 * What the fd of /proc link @link is: a socket or a pipe numbered in
 * order of appearance (inode numbers change with a restart), a socket
 * with what /proc/net/unix (@arg) says of it, else its path.
 */
static void unix_what(const char *link, struct ino_list *inos, void *arg,
		      char *what, size_t size)
{
	char info[300];
	unsigned long ino;
	int nr;

	if (sscanf(link, "socket:[%lu]", &ino) != 1 &&
	    sscanf(link, "pipe:[%lu]", &ino) != 1) {
		snprintf(what, size, "%s", link);
		return;
	}
	nr = ino_index(inos, ino);
	if (link[0] == 'p')
		snprintf(info, sizeof(info), "pipe");
	else if (unix_info(arg, ino, info, sizeof(info)))
		snprintf(info, sizeof(info), "socket");
	snprintf(what, size, "%s %d", info, nr);
}

/* The fds of @root's tree as text (see fd_signature()). */
static int signature(pid_t root, char *out, size_t size)
{
	static char net[NET_UNIX_SIZE];

	if (read_net_unix(net, sizeof(net)))
		return -1;
	return fd_signature(root, out, size, unix_what, net);
}

/* ---------------------------------------------------------------------- */
/* Running a mode: never checkpointed, checkpointed, restored */

/* The listening sockets of a mode, which the test connects clients to. */
struct lsn_spec {
	int type;
	const char *what;	/* abstract name; NULL: UNIX_SOCK_NAME */
	int backlog;
};

static const struct lsn_spec abstract_lsn[] = {
	{ SOCK_STREAM, "stream", LSN_STREAM_BACKLOG },
	{ SOCK_SEQPACKET, "seqpacket", LSN_SEQ_BACKLOG },
	{ 0 },
};

static const struct lsn_spec path_lsn[] = {
	{ SOCK_STREAM, NULL, LSN_STREAM_BACKLOG },
	{ 0 },
};

#define MAX_LSN		2

FIXTURE(un) {
	char dir[PATH_MAX];	/* the targets' cwd */
	char log[PATH_MAX + 16];	/* rstr's stderr */
	int img;
	struct proc t;		/* the target, or rstr */
	pid_t pids[TREE_MAX_TASKS];	/* the tree last seen */
	int nr;
	int cl[MAX_LSN][MAX_CLIENTS];	/* the clients of each listener */
	int nr_cl[MAX_LSN];
	char before[SIG_SIZE];	/* its fds when checkpointed */
	char now[SIG_SIZE];
	char out[OUT_SIZE];	/* what it printed */
};

/* One mode and what it must print; the same for the three runs. */
struct un_case {
	const char *mode;
	const char *expect;
	unsigned long flags;		/* of the checkpoint */
	const struct lsn_spec *lsn;	/* its listeners, or NULL */
	int may_refuse;			/* EOPNOTSUPP, said, is fine too */
};

FIXTURE_VARIANT(un) {
	struct un_case c;
};

#define SELF	FIXTURE_DATA(un)

FIXTURE_VARIANT_ADD(un, pair_stream) {
	.c = { "pair-stream", expect_pair_stream, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, pair_stream_killed) {
	.c = { "pair-stream", expect_pair_stream, CHECKPOINT_KILL, NULL },
};

FIXTURE_VARIANT_ADD(un, pair_dgram) {
	.c = { "pair-dgram", expect_pair_dgram, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, pair_dgram_killed) {
	.c = { "pair-dgram", expect_pair_dgram, CHECKPOINT_KILL, NULL },
};

FIXTURE_VARIANT_ADD(un, pair_seqpacket) {
	.c = { "pair-seqpacket", expect_pair_seqpacket, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, fork_stream) {
	.c = { "fork-stream", expect_fork_stream, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, fork_stream_killed) {
	.c = { "fork-stream", expect_fork_stream, CHECKPOINT_KILL, NULL },
};

/* the child's end at its stdout: the pair is the tree's, not the caller's */
FIXTURE_VARIANT_ADD(un, stdio_stream_killed) {
	.c = { "stdio-stream", expect_fork_stream, CHECKPOINT_KILL, NULL },
};

FIXTURE_VARIANT_ADD(un, stdio_seqpacket) {
	.c = { "stdio-seqpacket", expect_fork_seqpacket, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, fork_dgram) {
	.c = { "fork-dgram", expect_fork_dgram, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, fork_seqpacket) {
	.c = { "fork-seqpacket", expect_fork_seqpacket, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, widow_stream) {
	.c = { "widow-stream", expect_widow_stream, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, widow_dgram) {
	.c = { "widow-dgram", expect_widow_dgram, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, widow_seqpacket) {
	.c = { "widow-seqpacket", expect_widow_seqpacket, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, shutdown_stream) {
	.c = { "shutdown-stream", expect_shutdown_stream, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, shutdown_dgram) {
	.c = { "shutdown-dgram", expect_shutdown_dgram, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, shutdown_seqpacket) {
	.c = { "shutdown-seqpacket", expect_shutdown_seqpacket, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, options) {
	.c = { "opts", expect_opts, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, abstract_listener) {
	.c = { "abstract", expect_abstract, 0, abstract_lsn },
};

FIXTURE_VARIANT_ADD(un, abstract_listener_killed) {
	.c = { "abstract", expect_abstract, CHECKPOINT_KILL, abstract_lsn },
};

FIXTURE_VARIANT_ADD(un, path_listener) {
	.c = { "path", expect_path, 0, path_lsn },
};

FIXTURE_VARIANT_ADD(un, path_listener_killed) {
	.c = { "path", expect_path, CHECKPOINT_KILL, path_lsn },
};

/*
 * Connections not accepted yet, one of them met before its listener,
 * one closed, one in a child; accepted connections.
 */
FIXTURE_VARIANT_ADD(un, pending_connections) {
	.c = { "embryo", expect_embryo, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, pending_connections_killed) {
	.c = { "embryo", expect_embryo, CHECKPOINT_KILL, NULL },
};

/* files in flight (SCM_RIGHTS), their queue the only place that has them */
FIXTURE_VARIANT_ADD(un, files_in_flight) {
	.c = { "rights", expect_rights, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, files_in_flight_killed) {
	.c = { "rights", expect_rights, CHECKPOINT_KILL, NULL },
};

FIXTURE_VARIANT_ADD(un, accepted_connections) {
	.c = { "accepted", expect_accepted, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, accepted_connections_killed) {
	.c = { "accepted", expect_accepted, CHECKPOINT_KILL, NULL },
};

/* bound to paths unlinked since: named, with no file */
FIXTURE_VARIANT_ADD(un, unlinked_names) {
	.c = { "unlinked", expect_unlinked, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, unlinked_names_killed) {
	.c = { "unlinked", expect_unlinked, CHECKPOINT_KILL, NULL },
};

/* the bound file's mode and owner, not what bind() makes */
FIXTURE_VARIANT_ADD(un, bound_file_attrs) {
	.c = { "attrs", expect_attrs, 0, NULL },
};

FIXTURE_VARIANT_ADD(un, bound_file_attrs_killed) {
	.c = { "attrs", expect_attrs, CHECKPOINT_KILL, NULL },
};

/* unbound, or bound and not listening */
FIXTURE_VARIANT_ADD(un, unconnected) {
	.c = { "unconnected", expect_unconnected, 0, NULL },
};

/*
 * The address is the relative name it was bound by: the checkpoint may
 * refuse it, but an image it writes must restart.
 */
FIXTURE_VARIANT_ADD(un, relative_path_listener) {
	.c = { "relpath", expect_relpath, 0, path_lsn, 1 },
};

/* A private directory under $TMPDIR or /tmp, made the cwd. */
static int make_dir(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/ckpt-unix.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	return chdir(dir);
}

static void remove_dir(META, const char *dir)
{
	if (remove_tree(dir))
		TH_LOG("cannot remove %s", dir);
}

FIXTURE_SETUP(un)
{
	int i;

	signal(SIGPIPE, SIG_IGN);
	use_target("unix_target");
	proc_init(&self->t);
	for (i = 0; i < MAX_LSN; i++)
		self->nr_cl[i] = 0;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	/* the killed targets' orphans come to us, to be reaped */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->log, sizeof(self->log), "%s/%s", self->dir, LOG_NAME);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

static void close_clients(SELF *self)
{
	int i, j;

	for (i = 0; i < MAX_LSN; i++) {
		for (j = 0; j < self->nr_cl[i]; j++)
			close(self->cl[i][j]);
		self->nr_cl[i] = 0;
	}
}

FIXTURE_TEARDOWN(un)
{
	int i;

	close_clients(self);
	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	close(self->img);
	remove_dir(_metadata, self->dir);
}


/* A call_fn for fork_call(): rstr, its stderr appended to file @arg. */
static int exec_rstr_log(int img_fd, void *arg)
{
	int fd = open(arg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0 || dup2(fd, STDERR_FILENO) != STDERR_FILENO)
		return -1;
	return exec_rstr(img_fd, NULL);
}

/* rstr restores @img; the root's stdin and stdout are @t's pipes. */
static int restore(struct proc *t, int img, const char *log)
{
	if (truncate(log, 0) && errno != ENOENT)
		return -1;
	return proc_restore(t, img, exec_rstr_log, (void *)log);
}

/* The text of file @path, for the log. */
static void log_file(META, const char *what, const char *path)
{
	char buf[LOG_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	read_log(fd, buf, sizeof(buf));
	close(fd);
	log_text(_metadata, what, buf);
}



/* @a is the address of the file @path; -1 if it is too long for that. */
static int path_addr(struct sockaddr_un *a, const char *path)
{
	size_t len = strlen(path);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (len >= sizeof(a->sun_path))
		return -1;
	memcpy(a->sun_path, path, len);
	return 0;
}

/* Where the test finds listener @l of the target @pid. */
static socklen_t lsn_addr(SELF *self, const struct lsn_spec *l, pid_t pid,
			  struct sockaddr_un *a)
{
	char path[PATH_MAX + 16];

	if (!l->what) {
		snprintf(path, sizeof(path), "%s/%s", self->dir,
			 UNIX_SOCK_NAME);
		return path_addr(a, path) ? 0 : sizeof(*a);
	}
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	return offsetof(struct sockaddr_un, sun_path) +
	       unix_abstract(a->sun_path, sizeof(a->sun_path), pid, l->what);
}

static void fill(unsigned char *buf, int stream, long len)
{
	long i;

	for (i = 0; i < len; i++)
		buf[i] = unix_byte(stream, i);
}

static long mismatch(const unsigned char *buf, long len, int stream)
{
	long i;

	for (i = 0; i < len; i++)
		if (buf[i] != unix_byte(stream, i))
			return i;
	return -1;
}

/*
 * Connect to each listener of @pid until it lets no more connections
 * wait (EAGAIN): backlog + 1 of them, each sending its message.
 */
static void connect_clients(META, SELF *self, const struct un_case *c, pid_t pid,
			    const char *run)
{
	const struct lsn_spec *l;
	unsigned char buf[CLIENT_LEN];
	struct sockaddr_un a;
	socklen_t len;
	int k, s, err = 0;

	for (k = 0, l = c->lsn; l && l->type; k++, l++) {
		len = lsn_addr(self, l, pid, &a);
		ASSERT_NE(0, len) TH_LOG("%s is too long", self->dir);
		while (self->nr_cl[k] < MAX_CLIENTS) {
			s = socket(AF_UNIX, l->type | SOCK_NONBLOCK |
				   SOCK_CLOEXEC, 0);
			ASSERT_LE(0, s);
			if (connect(s, (struct sockaddr *)&a, len)) {
				err = errno;
				close(s);
				break;
			}
			fill(buf, CLIENT_STREAM + self->nr_cl[k], CLIENT_LEN);
			EXPECT_EQ(CLIENT_LEN, send(s, buf, CLIENT_LEN,
						   MSG_NOSIGNAL));
			self->cl[k][self->nr_cl[k]++] = s;
		}
		EXPECT_TRUE(self->nr_cl[k] == l->backlog + 1 && err == EAGAIN) {
			TH_LOG("%s: listener %d: %d clients connected (want %d), then %s",
			       run, k, self->nr_cl[k], l->backlog + 1,
			       strerror(err));
		}
	}
}

/*
 * Each client got its answer from the target, all of it, then end of
 * file: the target closed the connection.
 */
static void check_clients(META, SELF *self, const char *run)
{
	struct pollfd p = { .events = POLLIN };
	unsigned char buf[REPLY_LEN + 1];
	long got;
	ssize_t n;
	int k, i;

	for (k = 0; k < MAX_LSN; k++) {
		for (i = 0; i < self->nr_cl[k]; i++) {
			p.fd = self->cl[k][i];
			for (got = 0; got <= REPLY_LEN; got += n) {
				if (poll(&p, 1, WAIT_MS) <= 0)
					break;
				n = recv(p.fd, buf + got, sizeof(buf) - got,
					 MSG_DONTWAIT);
				if (n <= 0)
					break;
			}
			EXPECT_TRUE(got == REPLY_LEN &&
				    mismatch(buf, got, REPLY_STREAM + i) < 0) {
				TH_LOG("%s: listener %d client %d: %ld bytes, %s",
				       run, k, i, got, got == REPLY_LEN ?
				       "wrong data" : "not the answer");
			}
		}
	}
	close_clients(self);
}


/* A path listener's socket file is the previous run's: not in the way. */
static void clear_path(META, SELF *self)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", self->dir, UNIX_SOCK_NAME);
	ASSERT_TRUE(!unlink(path) || errno == ENOENT);
}

/* One run of @t up to its end: clients connected, output, answers. */
static void finish(META, SELF *self, const struct un_case *c, pid_t pid,
		   const char *run)
{
	int status;

	connect_clients(_metadata, self, c, pid, run);
	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("%s: %s hangs", run, c->mode);
	check_output(_metadata, status, self->out, c->expect, run);
	check_clients(_metadata, self, run);
}

/*
 * Checkpoint @root into self->img: 0 if saved, 1 if refused with
 * EOPNOTSUPP and a line of log naming it (which must leave it alone),
 * -1 on another failure.
 */
static int save_or_refuse(META, SELF *self, pid_t root, unsigned long flags)
{
	char log[LOG_SIZE];
	int logfd = tmp_image(), ret, err;

	if (logfd < 0)
		return -1;
	ret = checkpoint(root, self->img, flags, logfd);
	err = errno;
	read_log(logfd, log, sizeof(log));
	close(logfd);
	if (!ret)
		return 0;
	TH_LOG("checkpoint: %s: %s", strerror(err), log);
	if (err != EOPNOTSUPP)
		return -1;
	EXPECT_NE(NULL, names(log, "pid", root)) TH_LOG("no pid %d", root);
	EXPECT_TRUE(is_alive(root));
	return 1;
}

/*
 * The mode never checkpointed, then checkpointed (then going on unless
 * killed), then restored: the same output each time.
 */
TEST_F_TIMEOUT(un, run, 300)
{
	const struct un_case *c = &variant->c;
	const char *mode = c->mode;
	int status, ret;
	pid_t root;

	if (_metadata->skip)
		return;
	/* what the kernel does with these sockets */
	clear_path(_metadata, self);
	ASSERT_EQ(0, proc_spawn(&self->t, mode))
		TH_LOG("%s did not get ready", mode);
	finish(_metadata, self, &variant->c, self->t.pid, "never checkpointed");
	ASSERT_TRUE(_metadata->passed);

	clear_path(_metadata, self);
	ASSERT_EQ(0, proc_spawn(&self->t, mode))
		TH_LOG("%s did not get ready", mode);
	root = self->t.pid;
	ASSERT_EQ(0, settle_tree(root, self->pids, &self->nr, WAIT_MS))
		TH_LOG("%s does not settle", mode);
	ASSERT_EQ(0, signature(root, self->before, sizeof(self->before)));
	if (c->may_refuse) {
		ret = save_or_refuse(_metadata, self, root, c->flags);
		if (ret == 1) {
			finish(_metadata, self, c, root, "refused");
			return;
		}
		ASSERT_EQ(0, ret);
	} else {
		ASSERT_EQ(0, checkpoint(root, self->img, c->flags,
					STDERR_FILENO))
			TH_LOG("checkpoint of %s: %s", mode, strerror(errno));
	}
	if (c->flags & CHECKPOINT_KILL) {
		ASSERT_EQ(0, reap_killed(&self->t.pid));
		proc_fini(&self->t);
	} else {
		/* nothing changed, nothing was taken out of a socket */
		ASSERT_EQ(0, signature(root, self->now, sizeof(self->now)));
		EXPECT_STREQ(self->before, self->now);
		finish(_metadata, self, &variant->c, root,
		       "checkpointed, not killed");
	}
	ASSERT_EQ(0, wait_gone(self->pids, self->nr, WAIT_MS))
		TH_LOG("a task of %s is still there", mode);

	ASSERT_EQ(0, restore(&self->t, self->img, self->log))
		TH_LOG("cannot run %s", rstr_path());
	EXPECT_EQ(0, wait_restored(&self->t, root, signature, self->before,
				   self->now, sizeof(self->now), &status,
				   WAIT_MS)) {
		log_text(_metadata, "fds saved", self->before);
		log_text(_metadata, "fds restored", self->now);
	}
	if (!self->t.pid) {
		log_file(_metadata, "rstr's log", self->log);
		ASSERT_NE(0, self->t.pid)
			TH_LOG("rstr exited with status %#x", status);
	}
	/* other fds or flags: see what it does with them */
	finish(_metadata, self, &variant->c, root, "restored");
	if (!_metadata->passed)
		log_file(_metadata, "rstr's log", self->log);
}

/* ---------------------------------------------------------------------- */
/* What the checkpoint refuses */

FIXTURE(refuse) {
	char dir[PATH_MAX];
	int img;
	struct proc t;
	pid_t pids[TREE_MAX_TASKS];
	int nr;
	int peer;		/* the test's end of the "outside" socket */
	char out[OUT_SIZE];
};

#define RSELF		FIXTURE_DATA(refuse)

struct refuse_case {
	const char *mode;
	const char *expect;
	int fds[3];		/* the log names one of these; -1 ends */
	int child;		/* checkpoint the root's child, not the root */
	int outside;		/* the test holds the peer of OUTSIDE_FD */
};

FIXTURE_VARIANT(refuse) {
	struct refuse_case c;
};

/* a socket in flight in its own receive queue */
FIXTURE_VARIANT_ADD(refuse, socket_in_flight) {
	.c = {
		.mode = "rights-self", .expect = expect_rights_self,
		.fds = { 10, 11, -1 },
	},
};

/*
 * An epoll in flight in the socket it watches: each needs the other's
 * record first, whichever of them the checkpoint meets first.
 */
FIXTURE_VARIANT_ADD(refuse, epoll_in_flight_watching) {
	.c = {
		.mode = "rights-epoll", .expect = expect_rights_epoll,
		.fds = { 10, 11, -1 },
	},
};

FIXTURE_VARIANT_ADD(refuse, epoll_in_flight_watching_closed) {
	.c = {
		.mode = "rights-epoll-closed", .expect = expect_rights_epoll,
		.fds = { 10, 11, -1 },
	},
};

FIXTURE_VARIANT_ADD(refuse, inet_socket) {
	.c = {
		.mode = "inet", .expect = expect_inet, .fds = { 10, -1 },
	},
};

/* a datagram from a socket not connected to it */
FIXTURE_VARIANT_ADD(refuse, datagram_queued) {
	.c = {
		.mode = "dgram-queue", .expect = expect_dgram,
		.fds = { 10, -1 },
	},
};

/* a datagram socket connect()ed to a bound one, which is not its peer */
FIXTURE_VARIANT_ADD(refuse, datagram_one_way) {
	.c = {
		.mode = "dgram-connect", .expect = expect_dgram,
		.fds = { 11, -1 },
	},
};

/* the test holds the other end */
FIXTURE_VARIANT_ADD(refuse, peer_outside) {
	.c = {
		.mode = "outside", .expect = expect_outside,
		.fds = { OUTSIDE_FD, -1 },
		.outside = 1,
	},
};

/* the child of "fork-stream" alone: its parent holds the other end */
FIXTURE_VARIANT_ADD(refuse, peer_in_parent) {
	.c = {
		.mode = "fork-stream", .expect = expect_fork_stream,
		.fds = { 11, -1 }, .child = 1,
	},
};

FIXTURE_SETUP(refuse)
{
	signal(SIGPIPE, SIG_IGN);
	use_target("unix_target");
	proc_init(&self->t);
	self->nr = 0;
	self->peer = -1;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
}

FIXTURE_TEARDOWN(refuse)
{
	int i;

	proc_fini(&self->t);
	for (i = 0; i < self->nr; i++)
		kill(self->pids[i], SIGKILL);
	wait_gone(self->pids, self->nr, TIMEOUT_MS);
	if (self->peer >= 0)
		close(self->peer);
	close(self->img);
	remove_dir(_metadata, self->dir);
}

/* A call_fn for fork_call(): unix_target "outside", its socket at 3. */
static int exec_outside(int fd, void *arg)
{
	(void)arg;
	if (fd != 3)
		return -1;
	execl(target_path(), "unix_target", "outside", (char *)NULL);
	return -1;
}

/*
 * Start the mode; for "outside", with a socketpair whose other end the
 * test keeps, holding OUTSIDE_LEN bytes for the target.
 */
static void refuse_start(META, RSELF *self, const struct refuse_case *c)
{
	unsigned char buf[OUTSIDE_LEN];
	int sv[2], in, out;

	if (!c->outside) {
		ASSERT_EQ(0, proc_spawn(&self->t, c->mode))
			TH_LOG("%s did not get ready", c->mode);
		return;
	}
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	fill(buf, OUTSIDE_STREAM, OUTSIDE_LEN);
	ASSERT_EQ(OUTSIDE_LEN, send(sv[0], buf, OUTSIDE_LEN, 0));
	self->peer = sv[0];
	ASSERT_EQ(0, proc_pipes(&self->t, &in, &out));
	self->t.pid = fork_call(sv[1], in, out, exec_outside, NULL);
	close(in);
	close(out);
	close(sv[1]);
	ASSERT_LT(0, self->t.pid);
	ASSERT_EQ(0, wait_ready(self->t.out, WAIT_MS));
}

/* Release the target: its output, and the answer the test's end got. */
static void refuse_finish(META, RSELF *self, const struct refuse_case *c,
			  const char *run)
{
	unsigned char buf[OUTSIDE_REPLY + 1];
	long got = 0;
	ssize_t n;
	int status;

	ASSERT_EQ(0, proc_collect(&self->t, self->out, sizeof(self->out),
				  &status, WAIT_MS))
		TH_LOG("%s: %s hangs", run, c->mode);
	check_output(_metadata, status, self->out, c->expect, run);
	if (!c->outside)
		return;
	/* the target is gone: its answer, then end of file */
	do {
		n = recv(self->peer, buf + got, sizeof(buf) - got,
			 MSG_DONTWAIT);
		got += n > 0 ? n : 0;
	} while (n > 0 && got < (long)sizeof(buf));
	EXPECT_TRUE(got == OUTSIDE_REPLY && n == 0 &&
		    mismatch(buf, got, OUTSIDE_STREAM + 1) < 0) {
		TH_LOG("%s: the test's end got %ld bytes, %s", run, got,
		       n ? strerror(errno) : "then end of file");
	}
	close(self->peer);
	self->peer = -1;
}

/*
 * @log has a line naming @pid and one of @fds.  That line, or NULL.
 */
static const char *log_line(char *log, pid_t pid, const int *fds)
{
	char *line, *save;
	int i;

	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!names(line, "pid", pid))
			continue;
		for (i = 0; i < 3 && fds[i] >= 0; i++)
			if (names(line, "fd", fds[i]))
				return line;
	}
	return NULL;
}

/*
 * Never checkpointed first, for its output; then checkpoint, without and
 * with kill, fails with EOPNOTSUPP and says why, naming the task and the
 * fd; every task of the target lives on, and prints the same.
 */
TEST_F_TIMEOUT(refuse, checkpoint, 120)
{
	static const unsigned long flags[] = { 0, CHECKPOINT_KILL };
	char log[LOG_SIZE], copy[LOG_SIZE];
	const struct refuse_case *c = &variant->c;
	const char *line;
	int logfd, i, j, ret, err;
	pid_t pid;

	refuse_start(_metadata, self, &variant->c);
	refuse_finish(_metadata, self, &variant->c, "never checkpointed");
	ASSERT_TRUE(_metadata->passed);

	refuse_start(_metadata, self, &variant->c);
	ASSERT_EQ(0, settle_tree(self->t.pid, self->pids, &self->nr,
				 WAIT_MS))
		TH_LOG("%s does not settle", c->mode);
	ASSERT_LT(c->child, self->nr);
	pid = self->pids[c->child];
	for (i = 0; i < (int)ARRAY_SIZE(flags); i++) {
		logfd = tmp_image();
		ASSERT_LE(0, logfd);
		ret = checkpoint(pid, self->img, flags[i], logfd);
		err = errno;
		read_log(logfd, log, sizeof(log));
		close(logfd);
		EXPECT_TRUE(ret == -1 && err == EOPNOTSUPP) {
			TH_LOG("checkpoint (flags %#lx) of %s: %d, %s",
			       flags[i], c->mode, ret,
			       ret ? strerror(err) : "saved");
		}
		snprintf(copy, sizeof(copy), "%s", log);
		line = log_line(copy, pid, c->fds);
		EXPECT_NE(NULL, line) {
			TH_LOG("no log line names pid %d and fd %d%s", pid,
			       c->fds[0],
			       c->fds[1] >= 0 ? " (or the other)" : "");
			log_text(_metadata, "log", log);
		}
		if (line)
			TH_LOG("flags %#lx: %s", flags[i], line);
		for (j = 0; j < self->nr; j++)
			EXPECT_TRUE(is_alive(self->pids[j]))
				TH_LOG("task %d is gone", self->pids[j]);
		ASSERT_EQ(0, lseek(self->img, 0, SEEK_SET));
		ASSERT_EQ(0, ftruncate(self->img, 0));
	}
	refuse_finish(_metadata, self, &variant->c, "refused");
}

/* ---------------------------------------------------------------------- */
/* A path taken when the socket comes back */

FIXTURE(taken) {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];	/* where "path" binds */
	char log[PATH_MAX + 16];
	int img;
	struct proc t;
	pid_t root;
	int lsn;		/* the test's own listener at @path */
	char out[OUT_SIZE];
};

FIXTURE_VARIANT(taken) {
	int listener;		/* by a listening socket; else a file */
	int unlinked;		/* "unlinked": its name had no file */
};

FIXTURE_VARIANT_ADD(taken, by_file) { .listener = 0 };
FIXTURE_VARIANT_ADD(taken, by_listener) { .listener = 1 };
FIXTURE_VARIANT_ADD(taken, unlinked_by_file) { .listener = 0, .unlinked = 1 };
FIXTURE_VARIANT_ADD(taken, unlinked_by_listener) {
	.listener = 1, .unlinked = 1,
};

FIXTURE_SETUP(taken)
{
	signal(SIGPIPE, SIG_IGN);
	use_target("unix_target");
	proc_init(&self->t);
	self->root = 0;
	self->lsn = -1;
	self->img = tmp_image();
	ASSERT_LE(0, self->img);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	snprintf(self->path, sizeof(self->path), "%s/%s", self->dir,
		 UNIX_SOCK_NAME);
	snprintf(self->log, sizeof(self->log), "%s/%s", self->dir, LOG_NAME);
	if (access(rstr_path(), X_OK))
		SKIP(return, "no %s (set RSTR)", rstr_path());
}

FIXTURE_TEARDOWN(taken)
{
	proc_fini(&self->t);
	if (self->root)
		wait_gone(&self->root, 1, TIMEOUT_MS);
	if (self->lsn >= 0)
		close(self->lsn);
	close(self->img);
	remove_dir(_metadata, self->dir);
}

#define FILE_TEXT	"not a socket\n"

/*
 * "path" is checkpointed and killed; its socket file is replaced by a
 * regular file or by the test's own listening socket.  Likewise for
 * "unlinked", whose socket had no file: the path is taken now.  The restart must
 * fail, say where, and leave what is at the path alone: the file keeps
 * its contents, the listener takes connections.
 */
TEST_F_TIMEOUT(taken, restart, 120)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char log[LOG_SIZE], buf[64];
	int fd, c, status;
	ssize_t n;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, proc_spawn(&self->t, variant->unlinked ? "unlinked" :
				"path"));
	self->root = self->t.pid;
	ASSERT_EQ(0, wait_blocked(self->root, WAIT_MS));
	ASSERT_EQ(0, checkpoint(self->root, self->img, CHECKPOINT_KILL,
				STDERR_FILENO));
	ASSERT_EQ(0, reap_killed(&self->t.pid));
	proc_fini(&self->t);

	if (!variant->unlinked)
		ASSERT_EQ(0, unlink(self->path));
	if (variant->listener) {
		ASSERT_EQ(0, path_addr(&a, self->path));
		self->lsn = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				   SOCK_CLOEXEC, 0);
		ASSERT_LE(0, self->lsn);
		ASSERT_EQ(0, bind(self->lsn, (struct sockaddr *)&a, sizeof(a)));
		ASSERT_EQ(0, listen(self->lsn, 1));
	} else {
		fd = open(self->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			  0600);
		ASSERT_LE(0, fd);
		ASSERT_EQ(strlen(FILE_TEXT), write(fd, FILE_TEXT,
						   strlen(FILE_TEXT)));
		close(fd);
	}

	ASSERT_EQ(0, restore(&self->t, self->img, self->log));
	/* restored anyway, it would run to its end */
	close(self->t.in);
	self->t.in = -1;
	ASSERT_EQ(0, wait_timeout(self->t.pid, &status, WAIT_MS))
		TH_LOG("rstr hangs");
	self->t.pid = 0;
	fd = open(self->log, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	read_log(fd, log, sizeof(log));
	close(fd);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		TH_LOG("rstr: status %#x (1: the restart failed)", status);
		log_text(_metadata, "rstr's log", log);
	}
	EXPECT_NE(NULL, strstr(log, self->path)) {
		TH_LOG("the log does not name %s", self->path);
		log_text(_metadata, "rstr's log", log);
	}
	EXPECT_EQ(0, wait_gone(&self->root, 1, WAIT_MS))
		TH_LOG("task %d is there", self->root);

	if (variant->listener) {
		c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ASSERT_LE(0, c);
		/* the path still leads to it */
		EXPECT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)))
			TH_LOG("the test's listener: %s", strerror(errno));
		fd = accept4(self->lsn, NULL, NULL, SOCK_CLOEXEC);
		EXPECT_LE(0, fd) TH_LOG("accept: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		close(c);
		return;
	}
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("the file is gone: %s", strerror(errno));
	n = read(fd, buf, sizeof(buf));
	close(fd);
	EXPECT_TRUE(n == (ssize_t)strlen(FILE_TEXT) &&
		    !memcmp(buf, FILE_TEXT, n))
		TH_LOG("the file holds something else");
}

/* ---------------------------------------------------------------------- */
/* Broken images */

enum edit {
	VALID,
	TYPE_UNKNOWN,		/* listener: type 99 */
	TYPE_RAW,		/* listener: SOCK_RAW, not a unix type */
	STATE_UNKNOWN,		/* listener: a state after LISTEN */
	FLAGS_UNKNOWN,		/* listener: a flag that does not exist */
	SHUTDOWN_UNKNOWN,	/* pair: a shutdown bit that does not exist */
	PEER_CLOSED_FIRST,	/* pair: its first record says PEER_CLOSED */
	LISTEN_SKBS,		/* listener: a UNIX_SKB added */
	LISTEN_DGRAM,		/* listener: SOCK_DGRAM cannot listen */
	NR_SKBS,		/* pair: one UNIX_SKB more than there are */
	BYTES_NOT_SUM,		/* pair: one byte more than its UNIX_SKBs */
	ADDR_LEN,		/* listener: an address past sun_path */
	PEER_NOT_BACK,		/* pair: the second names itself as peer */
	PEER_TYPE,		/* pair: the second of another type */
	FILE_NO_OBJECT,		/* FILE of kind UNIX: an objref never seen */
	FILE_NOT_SOCKET,	/* FILE of kind UNIX: another FILE's objref */
	PENDING_MISSING,	/* listener: a pending connection not there */
	BOUND_NO_ADDR,		/* pair: BOUND without an address */
	EMBRYO_FIRST,		/* pair: the first an EMBRYO, no listener */
	PENDING_PAIR,		/* pair: a connection pending, not a listener */
	UNLINKED_ABSTRACT,	/* listener: an abstract name UNLINKED */
	UNLINKED_UNBOUND,	/* pair: UNLINKED, not bound */
};

FIXTURE(image) {
	struct image_case c;
	struct image_layout l;
};

FIXTURE_VARIANT(image) {
	enum edit edit;
};

FIXTURE_VARIANT_ADD(image, valid) { .edit = VALID };
FIXTURE_VARIANT_ADD(image, type_unknown) { .edit = TYPE_UNKNOWN };
FIXTURE_VARIANT_ADD(image, type_raw) { .edit = TYPE_RAW };
FIXTURE_VARIANT_ADD(image, state_unknown) { .edit = STATE_UNKNOWN };
FIXTURE_VARIANT_ADD(image, flags_unknown) { .edit = FLAGS_UNKNOWN };
FIXTURE_VARIANT_ADD(image, shutdown_unknown) { .edit = SHUTDOWN_UNKNOWN };
FIXTURE_VARIANT_ADD(image, peer_closed_first) { .edit = PEER_CLOSED_FIRST };
FIXTURE_VARIANT_ADD(image, listen_skbs) { .edit = LISTEN_SKBS };
FIXTURE_VARIANT_ADD(image, listen_dgram) { .edit = LISTEN_DGRAM };
FIXTURE_VARIANT_ADD(image, nr_skbs) { .edit = NR_SKBS };
FIXTURE_VARIANT_ADD(image, bytes_not_sum) { .edit = BYTES_NOT_SUM };
FIXTURE_VARIANT_ADD(image, addr_len) { .edit = ADDR_LEN };
FIXTURE_VARIANT_ADD(image, peer_not_back) { .edit = PEER_NOT_BACK };
FIXTURE_VARIANT_ADD(image, peer_type) { .edit = PEER_TYPE };
FIXTURE_VARIANT_ADD(image, file_no_object) { .edit = FILE_NO_OBJECT };
FIXTURE_VARIANT_ADD(image, file_not_socket) { .edit = FILE_NOT_SOCKET };
FIXTURE_VARIANT_ADD(image, pending_missing) { .edit = PENDING_MISSING };
FIXTURE_VARIANT_ADD(image, bound_no_addr) { .edit = BOUND_NO_ADDR };
FIXTURE_VARIANT_ADD(image, embryo_first) { .edit = EMBRYO_FIRST };
FIXTURE_VARIANT_ADD(image, pending_pair) { .edit = PENDING_PAIR };
FIXTURE_VARIANT_ADD(image, unlinked_abstract) { .edit = UNLINKED_ABSTRACT };
FIXTURE_VARIANT_ADD(image, unlinked_unbound) { .edit = UNLINKED_UNBOUND };

#define IMG	FIXTURE_DATA(image)

/* The image of "image": checkpointed by the first test, kept for all. */
static int load_image(META, IMG *self)
{
	self->c.len = load_cached_image(_metadata, &self->c.buf);
	return self->c.len ? 0 : -1;
}

static struct ckpt_hdr_unix *unix_rec(IMG *self, int i)
{
	return i < 0 ? NULL : (void *)image_hdr(self->c.buf, self->l.r[i].off);
}

/* The first UNIX record after record @from that @match accepts; or -1. */
static int find_unix(IMG *self, int from,
		     int (*match)(IMG *self, struct ckpt_hdr_unix *u, int arg),
		     int arg)
{
	int i;

	for (i = from + 1; i < self->l.nr; i++)
		if (self->l.r[i].type == CKPT_HDR_UNIX &&
		    match(self, unix_rec(self, i), arg))
			return i;
	return -1;
}

static int is_listener(IMG *self, struct ckpt_hdr_unix *u, int arg)
{
	(void)self;
	(void)arg;
	return u->state == CKPT_UNIX_LISTEN && u->type == SOCK_STREAM;
}

static int is_pair_end(IMG *self, struct ckpt_hdr_unix *u, int arg)
{
	(void)self;
	(void)arg;
	return u->state == CKPT_UNIX_CONNECTED && u->type == SOCK_STREAM &&
	       u->peer_objref;
}

/* @arg is the objref of the pair's first socket. */
static int is_peer_of(IMG *self, struct ckpt_hdr_unix *u, int arg)
{
	(void)self;
	return u->peer_objref == arg && u->type == SOCK_STREAM;
}

static int is_widow(IMG *self, struct ckpt_hdr_unix *u, int arg)
{
	(void)self;
	(void)arg;
	return (u->flags & CKPT_UNIX_PEER_CLOSED) && u->type == SOCK_DGRAM;
}

/* The FILE after record @from of @kind (0: any but UNIX) naming @obj. */
static struct ckpt_hdr_file *find_file(IMG *self, int from, __u32 kind,
				       __s32 obj)
{
	struct ckpt_hdr_file *f;
	int i;

	for (i = from + 1; i < self->l.nr; i++) {
		if (self->l.r[i].type != CKPT_HDR_FILE)
			continue;
		f = (void *)image_hdr(self->c.buf, self->l.r[i].off);
		if (kind ? f->kind == kind && f->obj_objref == obj :
		    f->kind != CKPT_FILE_UNIX)
			return f;
	}
	return NULL;
}

static void log_unix_recs(META, IMG *self)
{
	struct ckpt_hdr_unix *u;
	int i;

	for (i = 0; i < self->l.nr; i++) {
		if (self->l.r[i].type != CKPT_HDR_UNIX)
			continue;
		u = unix_rec(self, i);
		TH_LOG("UNIX at %zu: objref %d peer %d type %u state %u shutdown %#x flags %#x addr_len %u nr_skbs %u bytes %llu",
		       self->l.r[i].off, u->objref, u->peer_objref, u->type,
		       u->state, u->shutdown, u->flags, u->addr_len,
		       u->nr_skbs, (unsigned long long)u->bytes);
	}
}

/*
 * @n bytes of @data at offset @at of the image, inside record @idx: its
 * length and those of the records around it grow by @n.
 */
static int insert(IMG *self, int idx, size_t at, const void *data, size_t n)
{
	unsigned char *buf = malloc(self->c.len + n);
	int i;

	if (!buf)
		return -1;
	for (i = idx; i >= 0; i = self->l.r[i].parent)
		image_hdr(self->c.buf, self->l.r[i].off)->len += n;
	memcpy(buf, self->c.buf, at);
	memcpy(buf + at, data, n);
	memcpy(buf + at + n, self->c.buf + at, self->c.len - at);
	free(self->c.buf);
	self->c.buf = buf;
	self->c.len += n;
	return 0;
}

/* LISTEN_SKBS: a UNIX_SKB of 8 bytes at the end of listener @il. */
static int add_skb(IMG *self, int il)
{
	struct {
		struct ckpt_hdr_unix_skb s;
		char data[CKPT_ALIGN];
	} rec = {
		.s = { .h = { CKPT_HDR_UNIX_SKB, sizeof(rec) }, .len = 8 },
		.data = "skbdata",
	};
	struct ckpt_hdr_unix *u = unix_rec(self, il);
	struct ckpt_hdr_tail *tail;
	size_t at = self->l.r[il].off + u->h.len;

	u->nr_skbs++;
	u->bytes += rec.s.len;
	if (insert(self, il, at, &rec, sizeof(rec)))
		return -1;
	/* one record more before the tail */
	tail = (void *)(self->c.buf + self->c.len - sizeof(*tail));
	tail->nr_records++;
	return 0;
}

/* ADDR_LEN: listener @il's address made sizeof(sun_path) + 1 long. */
static int long_addr(IMG *self, int il)
{
	struct sockaddr_un sun;
	struct ckpt_hdr_unix *u = unix_rec(self, il);
	__u32 len = sizeof(sun.sun_path) + 1;
	size_t old = CKPT_ALIGN_UP(u->addr_len), grow;
	char pad[CKPT_PATH_MAX];

	grow = CKPT_ALIGN_UP(len) - old;
	u->addr_len = len;
	memset(pad, 'x', grow);
	return insert(self, il, self->l.r[il].off + sizeof(*u) + old, pad,
		      grow);
}

static int edit_image(META, IMG *self, enum edit edit)
{
	struct ckpt_hdr_unix *lsn, *a, *b, *w;
	struct ckpt_hdr_file *f, *other;
	int il, ia, ib, iw;

	if (image_walk(self->c.buf, self->c.len, &self->l)) {
		TH_LOG("cannot find the records of the %zu byte image",
		       self->c.len);
		return -1;
	}
	il = find_unix(self, -1, is_listener, 0);
	ia = find_unix(self, -1, is_pair_end, 0);
	a = unix_rec(self, ia);
	ib = a ? find_unix(self, ia, is_peer_of, a->objref) : -1;
	iw = find_unix(self, -1, is_widow, 0);
	lsn = unix_rec(self, il);
	b = unix_rec(self, ib);
	w = unix_rec(self, iw);
	f = b ? find_file(self, ib, CKPT_FILE_UNIX, b->objref) : NULL;
	other = find_file(self, -1, 0, 0);
	if (!lsn || !a || !b || !w || !f || !other ||
	    b->objref != a->peer_objref || !a->nr_skbs ||
	    find_unix(self, il, is_listener, 0) >= 0 || lsn->nr_skbs) {
		TH_LOG("not a listener, a stream pair whose first end holds data and a widowed dgram socket%s",
		       f ? "" : ", or no FILE naming the pair's second end after it");
		log_unix_recs(_metadata, self);
		return -1;
	}
	switch (edit) {
	case VALID:
		break;
	case TYPE_UNKNOWN:
		lsn->type = 99;
		break;
	case TYPE_RAW:
		lsn->type = SOCK_RAW;
		break;
	case STATE_UNKNOWN:
		lsn->state = CKPT_UNIX_LISTEN + 1;
		break;
	case FLAGS_UNKNOWN:
		lsn->flags |= CKPT_UNIX_FLAGS_ALL + 1;
		break;
	case SHUTDOWN_UNKNOWN:
		a->shutdown |= CKPT_UNIX_SHUT_WR << 1;
		break;
	case PEER_CLOSED_FIRST:
		a->flags |= CKPT_UNIX_PEER_CLOSED;
		break;
	case LISTEN_SKBS:
		if (add_skb(self, il))
			return -1;
		break;
	case LISTEN_DGRAM:
		lsn->type = SOCK_DGRAM;
		break;
	case NR_SKBS:
		a->nr_skbs++;
		break;
	case BYTES_NOT_SUM:
		a->bytes++;
		break;
	case ADDR_LEN:
		if (long_addr(self, il))
			return -1;
		break;
	case PEER_NOT_BACK:
		b->peer_objref = b->objref;
		break;
	case PEER_TYPE:
		b->type = SOCK_SEQPACKET;
		break;
	case FILE_NO_OBJECT:
		f->obj_objref = INT_MAX;
		break;
	case PENDING_MISSING:
		lsn->nr_pending = 1;
		break;
	case BOUND_NO_ADDR:
		a->flags |= CKPT_UNIX_BOUND;
		break;
	case EMBRYO_FIRST:
		a->flags |= CKPT_UNIX_EMBRYO;
		break;
	case PENDING_PAIR:
		a->nr_pending = 1;
		break;
	case UNLINKED_ABSTRACT:
		lsn->flags |= CKPT_UNIX_UNLINKED;
		break;
	case UNLINKED_UNBOUND:
		a->flags |= CKPT_UNIX_UNLINKED;
		break;
	case FILE_NOT_SOCKET:
		f->obj_objref = other->objref;
		break;
	}
	return image_reseal(self->c.buf, self->c.len);
}

FIXTURE_SETUP(image)
{
	image_case_init(&self->c, WAIT_MS);
	use_target("unix_target");
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
 * The attributes of a bound socket's file ("attrs") that no bind(),
 * chmod() and chown() make: the restart fails with EINVAL, the caller
 * unharmed, before anything is bound.
 */
FIXTURE(badattrs) {
	char dir[PATH_MAX];
	struct image_case c;
	struct image_layout l;
};

FIXTURE_VARIANT(badattrs) {
	size_t at;		/* in struct ckpt_unix_attrs */
	__u32 value;
};

FIXTURE_VARIANT_ADD(badattrs, not_a_socket) {
	.at = offsetof(struct ckpt_unix_attrs, mode), .value = 0100640,
};

FIXTURE_VARIANT_ADD(badattrs, mode_bits) {
	.at = offsetof(struct ckpt_unix_attrs, mode), .value = 0150640,
};

FIXTURE_VARIANT_ADD(badattrs, no_owner) {
	.at = offsetof(struct ckpt_unix_attrs, uid), .value = ~0U,
};

FIXTURE_VARIANT_ADD(badattrs, padding) {
	.at = offsetof(struct ckpt_unix_attrs, pad), .value = 1,
};

#define BSELF		FIXTURE_DATA(badattrs)

/* The attrs of the one socket bound to a path; NULL if none. */
static struct ckpt_unix_attrs *find_attrs(BSELF *self)
{
	struct ckpt_hdr_unix *u;
	unsigned char *addr;
	int i;

	for (i = 0; i < self->l.nr; i++) {
		if (self->l.r[i].type != CKPT_HDR_UNIX)
			continue;
		u = (struct ckpt_hdr_unix *)image_hdr(self->c.buf,
						      self->l.r[i].off);
		addr = (unsigned char *)(u + 1);
		if (u->flags & CKPT_UNIX_BOUND && u->addr_len && addr[0])
			return (struct ckpt_unix_attrs *)
			       (addr + CKPT_ALIGN_UP(u->addr_len));
	}
	return NULL;
}

FIXTURE_SETUP(badattrs)
{
	struct ckpt_unix_attrs *ua;
	int fd;

	image_case_init(&self->c, WAIT_MS);
	self->l.nr = 0;
	use_target("unix_target");
	ASSERT_EQ(0, make_dir(self->dir, sizeof(self->dir)));
	fd = tmp_image();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, make_image("attrs", fd));
	self->c.len = read_file(fd, &self->c.buf);
	close(fd);
	ASSERT_LT(0, self->c.len);
	ASSERT_EQ(0, image_walk(self->c.buf, self->c.len, &self->l));
	ua = find_attrs(self);
	ASSERT_NE(NULL, ua) TH_LOG("no socket bound to a path in the image");
	ASSERT_EQ(0140640, ua->mode);
	memcpy((unsigned char *)ua + variant->at, &variant->value,
	       sizeof(variant->value));
	ASSERT_EQ(0, image_reseal(self->c.buf, self->c.len));
	ASSERT_EQ(0, image_case_files(&self->c));
}

FIXTURE_TEARDOWN(badattrs)
{
	image_case_fini(&self->c);
	remove_dir(_metadata, self->dir);
}

TEST_F_TIMEOUT(badattrs, restart, 120)
{
	image_case_restart(_metadata, &self->c, restart_logged, 0, "", "");
}

TEST_HARNESS_MAIN
