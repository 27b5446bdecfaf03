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

static const char * const type_names[CKPT_HDR_MAX_TYPE] = {
	[CKPT_HDR_HEADER] = "HEADER",
	[CKPT_HDR_TASK] = "TASK",
	[CKPT_HDR_MM] = "MM",
	[CKPT_HDR_VMA] = "VMA",
	[CKPT_HDR_CPU] = "CPU",
	[CKPT_HDR_PAGES] = "PAGES",
	[CKPT_HDR_TAIL] = "TAIL",
	[CKPT_HDR_CRED] = "CRED",
	[CKPT_HDR_RLIMITS] = "RLIMITS",
	[CKPT_HDR_SIGHAND] = "SIGHAND",
	[CKPT_HDR_SIGNAL] = "SIGNAL",
	[CKPT_HDR_SIGINFO] = "SIGINFO",
	[CKPT_HDR_POSIX_TIMER] = "POSIX_TIMER",
	[CKPT_HDR_RESTART_BLOCK] = "RESTART_BLOCK",
	[CKPT_HDR_FS] = "FS",
	[CKPT_HDR_FILE] = "FILE",
	[CKPT_HDR_FILE_DATA] = "FILE_DATA",
	[CKPT_HDR_FILES] = "FILES",
	[CKPT_HDR_FD] = "FD",
	[CKPT_HDR_TREE] = "TREE",
	[CKPT_HDR_PIPE] = "PIPE",
	[CKPT_HDR_PIPE_BUF] = "PIPE_BUF",
	[CKPT_HDR_EVENTFD] = "EVENTFD",
	[CKPT_HDR_SIGNALFD] = "SIGNALFD",
	[CKPT_HDR_TIMERFD] = "TIMERFD",
	[CKPT_HDR_EPOLL] = "EPOLL",
	[CKPT_HDR_EPOLL_ITEM] = "EPOLL_ITEM",
	[CKPT_HDR_UNIX] = "UNIX",
	[CKPT_HDR_UNIX_SKB] = "UNIX_SKB",
	[CKPT_HDR_INOTIFY] = "INOTIFY",
	[CKPT_HDR_INOTIFY_WATCH] = "INOTIFY_WATCH",
	[CKPT_HDR_INOTIFY_EVENT] = "INOTIFY_EVENT",
	[CKPT_HDR_UNLINKED] = "UNLINKED",
	[CKPT_HDR_PTY] = "PTY",
	[CKPT_HDR_LOCK] = "LOCK",
	[CKPT_HDR_CGROUP] = "CGROUP",
	[CKPT_HDR_COW] = "COW",
};

const char *ckpt_type_name(__u32 type)
{
	if (type && type < CKPT_HDR_MAX_TYPE && type_names[type])
		return type_names[type];
	return "unknown";
}

const char *ckpt_vma_kind_name(__u32 kind)
{
	switch (kind) {
	case CKPT_VMA_ANON:
		return "anon";
	case CKPT_VMA_FILE:
		return "file";
	case CKPT_VMA_VDSO:
		return "vdso";
	case CKPT_VMA_VVAR:
		return "vvar";
	case CKPT_VMA_SHMEM:
		return "shmem";
	}
	return "unknown";
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
