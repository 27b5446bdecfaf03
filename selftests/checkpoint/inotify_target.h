/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What inotify_target sets up, for inotify_test to check against (see
 * inotify_target.c for the modes and what each prints).
 */
#ifndef _CKPT_INOTIFY_TARGET_H
#define _CKPT_INOTIFY_TARGET_H

/* the watched files, made anew by every mode that starts */
#define INO_DIR		"/tmp/ckpt-inotify"

/* the inotify, a dup of it, a watched file kept open */
#define INO_FD		10
#define INO_DUP		11
#define INO_FILE	12

/* "overflow": the queue's limit the test sets (max_queued_events) */
#define INO_QUEUE_MAX	4
#define INO_SYSCTL	"/proc/sys/fs/inotify/max_queued_events"

/*
 * "image": a directory watched for IN_CREATE (wd 1), then a file for
 * IN_MODIFY (wd 2); one event, the creation of IMG_NAME, queued.
 */
#define IMG_NAME	"created"
#define IMG_DIR_MASK	0x100		/* IN_CREATE */
#define IMG_FILE_MASK	0x2		/* IN_MODIFY */

#endif /* _CKPT_INOTIFY_TARGET_H */
