/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pty_target sets up, for pty_test to check against (see
 * pty_target.c for the modes and what each prints).
 */
#ifndef _CKPT_PTY_TARGET_H
#define _CKPT_PTY_TARGET_H

/* a line discipline's buffer, N_TTY_BUF_SIZE */
#define PTY_LDISC	4096

/*
 * The data a raw pty carries: byte @off of the stream numbered @stream.
 * Every byte value occurs, none repeats within 256 bytes of a stream,
 * and streams differ: a byte lost, doubled or taken from another pty
 * shows.
 */
static inline unsigned char pty_byte(int stream, long off)
{
	return (unsigned char)(off * 131 + (off >> 8) * 7 + stream * 61 + 1);
}

/* "raw": more than either line discipline holds, both ways */
#define RAW_IN		6000
#define RAW_OUT		5000

/*
 * "outside": the slave the test gives the target, at OUTSIDE_FD, or at
 * fd 2 (stderr) for "stdio"; what the test writes on its master, and
 * what the target answers.
 */
#define OUTSIDE_FD	3
#define OUTSIDE_PING	"ping\n"
#define OUTSIDE_PONG	"pong\n"

/*
 * "image": the pty the broken images are made of, in one task: the
 * master at IMAGE_MASTER, the slave at IMAGE_SLAVE, canonical, VEOL
 * IMAGE_EOL, packet mode; IMAGE_IN written on the master (two complete
 * lines, an end of file, a partial line), IMAGE_OUT on the slave.
 */
#define IMAGE_MASTER	10
#define IMAGE_SLAVE	11
#define IMAGE_EOL	'#'
#define IMAGE_IN	"line\neol#eof\004part"
#define IMAGE_IN_CANON	13		/* "line\neol#eof" and the EOF */
#define IMAGE_OUT	"out\n"

#endif /* _CKPT_PTY_TARGET_H */
