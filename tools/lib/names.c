// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: names of record types and of the kinds records hold.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* names */

/* The record table (checkpoint/format.c) names the types, and VMA kinds. */
const char *ckpt_type_name(__u32 type)
{
	return ckpt_rec_name(type);
}

const char *ckpt_file_kind_name(__u32 kind)
{
	static const char * const names[] = {
		[CKPT_FILE_REG] = "reg", [CKPT_FILE_DIR] = "dir",
		[CKPT_FILE_CHR] = "chr", [CKPT_FILE_UNLINKED] = "unlinked",
		[CKPT_FILE_INHERIT] = "inherit", [CKPT_FILE_PIPE] = "pipe",
		[CKPT_FILE_FIFO] = "fifo", [CKPT_FILE_EVENTFD] = "eventfd",
		[CKPT_FILE_SIGNALFD] = "signalfd",
		[CKPT_FILE_TIMERFD] = "timerfd", [CKPT_FILE_EPOLL] = "epoll",
		[CKPT_FILE_UNIX] = "unix", [CKPT_FILE_INOTIFY] = "inotify",
		[CKPT_FILE_PTY] = "pty",
	};

	if (kind < ARRAY_SIZE(names) && names[kind])
		return names[kind];
	return "unknown";
}

const char *ckpt_sock_type_name(__u32 type)
{
	static const char * const names[] = {
		[RD_SOCK_STREAM] = "stream", [RD_SOCK_DGRAM] = "dgram",
		[RD_SOCK_SEQPACKET] = "seqpacket",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

const char *ckpt_unix_state_name(__u32 state)
{
	static const char * const names[] = {
		[CKPT_UNIX_UNCONNECTED] = "unconnected",
		[CKPT_UNIX_CONNECTED] = "connected",
		[CKPT_UNIX_LISTEN] = "listening",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "unknown";
}
