/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pipe_target sets up, for pipe_test to check against (see
 * pipe_target.c for the modes and what each prints).
 */
#ifndef _CKPT_PIPE_TARGET_H
#define _CKPT_PIPE_TARGET_H

#define PIPE_PAGE	4096

/*
 * The data a pipe carries: byte @off of the stream numbered @stream.
 * Not periodic within a page, and different for every stream, so that
 * a byte lost, doubled, moved or taken from another pipe shows.
 */
static inline unsigned char pipe_byte(int stream, long off)
{
	return (unsigned char)(off * 131 + (off >> 8) * 7 + stream * 61 + 1);
}

/*
 * "image": the pipe the corrupted images are made of.  IMAGE_BYTES of
 * ordinary data, a whole page in each of its buffers, in a pipe of
 * IMAGE_SIZE bytes; IMAGE_SMALL is a capacity smaller than the data.
 */
#define IMAGE_SIZE	(4 * PIPE_PAGE)
#define IMAGE_BYTES	(3 * PIPE_PAGE)
#define IMAGE_SMALL	(2 * PIPE_PAGE)
#define IMAGE_RD	10
#define IMAGE_WR	11

#endif /* _CKPT_PIPE_TARGET_H */
