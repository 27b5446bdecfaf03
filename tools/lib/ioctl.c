// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: checkpoint()/restart() and the tree restart's ioctls on /dev/checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "internal.h"

/* ---------------------------------------------------------------------- */
/* the two operations */

static int ckpt_ioctl(unsigned long cmd, pid_t pid, int fd,
		      unsigned long flags, int logfd, const void *prefix,
		      size_t prefix_len)
{
	struct ckpt_args args;
	int dev, ret, err;

	dev = open(CKPT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		return -1;

	memset(&args, 0, sizeof(args));
	args.size = sizeof(args);
	args.pid = pid;
	args.fd = fd;
	args.logfd = logfd;
	args.flags = flags;
	args.prefix = (unsigned long)prefix;
	args.prefix_len = prefix_len;
	ret = ioctl(dev, cmd, &args);

	err = errno;
	close(dev);
	errno = err;
	return ret < 0 ? -1 : 0;
}

int checkpoint(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_CHECKPOINT, pid, fd, flags, logfd, NULL, 0);
}

int restart(pid_t pid, int fd, unsigned long flags, int logfd)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, pid, fd, flags, logfd, NULL, 0);
}

int restart_prefix(int fd, unsigned long flags, int logfd,
		   const void *prefix, size_t len)
{
	return ckpt_ioctl(CKPT_IOC_RESTART, 0, fd, flags, logfd, prefix, len);
}

int restart_prepare(int dev, int fd, unsigned long flags, int logfd,
		    const void *prefix, size_t len)
{
	struct ckpt_args args = {
		.size = sizeof(args),
		.flags = flags,
		.fd = fd,
		.logfd = logfd,
		.prefix = (unsigned long)prefix,
		.prefix_len = len,
	};

	return ioctl(dev, CKPT_IOC_RESTART_PREPARE, &args) < 0 ? -1 : 0;
}

int restart_wait(int dev, struct ckpt_restart_status *status)
{
	int ret;

	memset(status, 0, sizeof(*status));
	do {
		ret = ioctl(dev, CKPT_IOC_RESTART_WAIT, status);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

int restart_abort(int dev, int err)
{
	return ioctl(dev, CKPT_IOC_RESTART_ABORT, (unsigned long)err) < 0 ?
	       -1 : 0;
}

/* Read all @len bytes, or up to end of file; how many, or -1. */
ssize_t ckpt_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* A caller about to restart: default dispositions, nothing blocked. */
void ckpt_reset_signals(void)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}
