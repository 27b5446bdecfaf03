/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What unix_target sets up, for unix_test to check against (see
 * unix_target.c for the modes and what each prints).
 */
#ifndef _CKPT_UNIX_TARGET_H
#define _CKPT_UNIX_TARGET_H

#include <stdio.h>

/*
 * The data a socket carries: byte @off of the stream numbered @stream.
 * Different for every stream and not periodic within a page, so that a
 * byte lost, doubled, moved or delivered to the wrong socket shows.
 */
static inline unsigned char unix_byte(int stream, long off)
{
	return (unsigned char)(off * 131 + (off >> 8) * 7 + stream * 61 + 1);
}

/*
 * Listening sockets bound to abstract names carry the pid of the target
 * that made them, so that nothing else on the system has them:
 * "\0ckpt-unix-PID-WHAT", without a trailing NUL.
 */
#define UNIX_NAME_FMT	"ckpt-unix-%d-%s"

/* The abstract name of @pid's @what in @sun_path; its address length. */
static inline int unix_abstract(char *sun_path, size_t size, int pid,
				const char *what)
{
	int len = snprintf(sun_path + 1, size - 1, UNIX_NAME_FMT, pid, what);

	sun_path[0] = '\0';
	return len + 1;
}

/*
 * Listening sockets: "abstract" has LSN_STREAM_FD (SOCK_STREAM, backlog
 * LSN_STREAM_BACKLOG) and LSN_SEQ_FD (SOCK_SEQPACKET, backlog
 * LSN_SEQ_BACKLOG) bound to the abstract names "stream" and "seqpacket";
 * "path" and "relpath" have LSN_STREAM_FD alone, bound to UNIX_SOCK_NAME
 * in their cwd, by its absolute path or by that name.  Each client the
 * test connects sends CLIENT_LEN bytes of stream CLIENT_STREAM + its
 * number, and reads REPLY_LEN bytes of REPLY_STREAM + its number back.
 */
#define LSN_STREAM_FD		10
#define LSN_SEQ_FD		11
#define LSN_STREAM_BACKLOG	2
#define LSN_SEQ_BACKLOG		0
#define UNIX_SOCK_NAME		"sock"
#define CLIENT_LEN		100
#define REPLY_LEN		300
#define CLIENT_STREAM		30
#define REPLY_STREAM		40
#define MAX_CLIENTS		8

/*
 * "outside": the socket the test hands over at fd 3 is moved to
 * OUTSIDE_FD; the test sends OUTSIDE_LEN bytes of OUTSIDE_STREAM before
 * the release, the target answers with OUTSIDE_REPLY bytes of stream
 * OUTSIDE_STREAM + 1.
 */
#define OUTSIDE_FD		10
#define OUTSIDE_STREAM		50
#define OUTSIDE_LEN		100
#define OUTSIDE_REPLY		200

#endif /* _CKPT_UNIX_TARGET_H */
