// SPDX-License-Identifier: GPL-2.0
/*
 * Files: their kinds, known by unexported file operations, and the
 * system calls that make and set them.  A call that takes a descriptor
 * gets one of current's, holding the file for the time of the call; one
 * that takes a buffer gets it in a scratch page of current's.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fdtable.h>
#include <linux/fcntl.h>
#include <linux/sched.h>

#include <checkpoint/kapi.h>

#include "internal.h"

bool kapi_file_is(const struct file *file, enum kapi_fops kind)
{
	const struct file_operations *fops[] = {
		[KAPI_FOPS_PIPE] = kapi_syms.pipefifo_fops,
		[KAPI_FOPS_EVENTFD] = kapi_syms.eventfd_fops,
		[KAPI_FOPS_SIGNALFD] = kapi_syms.signalfd_fops,
		[KAPI_FOPS_TIMERFD] = kapi_syms.timerfd_fops,
		[KAPI_FOPS_EPOLL] = kapi_syms.eventpoll_fops,
		[KAPI_FOPS_INOTIFY] = kapi_syms.inotify_fops,
		[KAPI_FOPS_TTY] = kapi_syms.tty_fops,
		[KAPI_FOPS_PTMX] = kapi_syms.ptmx_fops,
	};

	if (WARN_ON_ONCE(kind >= ARRAY_SIZE(fops)))
		return false;
	return file->f_op == fops[kind];
}

int kapi_replace_fd(unsigned int fd, struct file *file, unsigned int flags)
{
	return kapi_syms.replace_fd(fd, file, flags);
}

int kapi_security_file_lock(struct file *file, unsigned int cmd)
{
	return kapi_syms.security_file_lock(file, cmd);
}

/* @file at a new descriptor of current's, closed by the caller. */
static int kapi_fd_hold(struct file *file)
{
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd >= 0)
		fd_install(fd, get_file(file));
	return fd;
}

long kapi_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	return kapi_syscall3(kapi_syms.sys_fcntl, fd, cmd, arg);
}

long kapi_file_fcntl(struct file *file, unsigned int cmd, unsigned long arg)
{
	int fd = kapi_fd_hold(file);
	long ret;

	if (fd < 0)
		return fd;
	ret = kapi_fcntl(fd, cmd, arg);
	close_fd(fd);
	return ret;
}

long kapi_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	return kapi_syscall3(kapi_syms.sys_ioctl, fd, cmd, arg);
}

long kapi_ioctl_buf(int fd, unsigned int cmd, void *buf, size_t len)
{
	struct pt_regs regs = { .di = fd, .si = cmd };

	return kapi_syscall_ubuf(kapi_syms.sys_ioctl, &regs, &regs.dx, buf,
				 len, false);
}

long kapi_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg,
		     void *buf, size_t len)
{
	int fd = kapi_fd_hold(file);
	long ret;

	if (fd < 0)
		return fd;
	if (buf)
		ret = kapi_ioctl_buf(fd, cmd, buf, len);
	else
		ret = kapi_ioctl(fd, cmd, arg);
	close_fd(fd);
	return ret;
}

long kapi_write(int fd, const void *buf, size_t len)
{
	struct pt_regs regs = { .di = fd, .dx = len };

	return kapi_syscall_ubuf(kapi_syms.sys_write, &regs, &regs.si,
				 (void *)buf, len, false);
}

long kapi_unlink(const char *name)
{
	struct pt_regs regs = {};

	return kapi_syscall_ubuf(kapi_syms.sys_unlink, &regs, &regs.di,
				 (void *)name, strlen(name) + 1, false);
}

int kapi_create_pipe_files(struct file **res, int flags)
{
	return kapi_syms.create_pipe_files(res, flags);
}

long kapi_epoll_create1(int flags)
{
	return kapi_syscall3(kapi_syms.sys_epoll_create1, flags, 0, 0);
}

long kapi_epoll_ctl(struct file *ep, int op, int fd,
		    struct epoll_event __user *ev)
{
	int epfd = kapi_fd_hold(ep);
	long ret;

	if (epfd < 0)
		return epfd;
	ret = kapi_syscall4(kapi_syms.sys_epoll_ctl, epfd, op, fd,
			    (unsigned long)ev);
	close_fd(epfd);
	return ret;
}

long kapi_epoll_wait(struct file *ep, struct epoll_event __user *evs,
		     int max, int timeout)
{
	int epfd = kapi_fd_hold(ep);
	long ret;

	if (epfd < 0)
		return epfd;
	ret = kapi_syscall4(kapi_syms.sys_epoll_wait, epfd,
			    (unsigned long)evs, max, timeout);
	close_fd(epfd);
	return ret;
}

struct file *kapi_epoll_target(struct file *ep, int tfd, unsigned long toff)
{
	return kapi_syms.get_epoll_tfile_raw_ptr(ep, tfd, toff);
}

long kapi_eventfd2(unsigned int count, int flags)
{
	return kapi_syscall3(kapi_syms.sys_eventfd2, count, flags, 0);
}

long kapi_signalfd4(const sigset_t *mask, int flags)
{
	struct pt_regs regs = {
		.di = -1,		/* a new signalfd */
		.dx = sizeof(*mask),
		.r10 = flags,
	};

	return kapi_syscall_ubuf(kapi_syms.sys_signalfd4, &regs, &regs.si,
				 (void *)mask, sizeof(*mask), false);
}

long kapi_timerfd_create(int clockid, int flags)
{
	return kapi_syscall3(kapi_syms.sys_timerfd_create, clockid, flags, 0);
}

long kapi_timerfd_settime(int fd, int flags,
			  const struct __kernel_itimerspec *its)
{
	struct pt_regs regs = { .di = fd, .si = flags };

	return kapi_syscall_ubuf(kapi_syms.sys_timerfd_settime, &regs,
				 &regs.dx, (void *)its, sizeof(*its), false);
}

long kapi_timerfd_gettime(struct file *file, struct __kernel_itimerspec *its)
{
	int fd = kapi_fd_hold(file);
	struct pt_regs regs = { .di = fd };
	long ret;

	if (fd < 0)
		return fd;
	ret = kapi_syscall_ubuf(kapi_syms.sys_timerfd_gettime, &regs,
				&regs.si, its, sizeof(*its), true);
	close_fd(fd);
	return ret;
}

long kapi_inotify_init1(int flags)
{
	return kapi_syscall3(kapi_syms.sys_inotify_init1, flags, 0, 0);
}

long kapi_inotify_add_watch(int fd, const char __user *path, u32 mask)
{
	return kapi_syscall3(kapi_syms.sys_inotify_add_watch, fd,
			     (unsigned long)path, mask);
}
