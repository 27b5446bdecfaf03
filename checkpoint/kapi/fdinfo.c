// SPDX-License-Identifier: GPL-2.0
/*
 * fdinfo: what /proc/PID/fdinfo shows of a file, the only view eventfd,
 * signalfd, timerfd and epoll give of their state.  The file's own
 * show_fdinfo() writes it into a seq_file of ours: the procfs code that
 * would is not callable on a file alone.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <checkpoint/kapi.h>

#define KAPI_FDINFO_MAX	(16U << 20)

char *kapi_fdinfo(struct file *file)
{
	struct seq_file m = {};
	size_t size = PAGE_SIZE;

	if (!file->f_op->show_fdinfo)
		return ERR_PTR(-EINVAL);
	for (;;) {
		m.buf = kvmalloc(size, GFP_KERNEL);
		if (!m.buf)
			return ERR_PTR(-ENOMEM);
		m.size = size;
		m.count = 0;
		file->f_op->show_fdinfo(&m, file);
		if (!seq_has_overflowed(&m) && m.count < size)
			break;
		kvfree(m.buf);
		if (size >= KAPI_FDINFO_MAX)
			return ERR_PTR(-E2BIG);
		size *= 4;
	}
	m.buf[m.count] = '\0';
	return m.buf;
}

/* NULL if no line starts with @key. */
const char *kapi_fdinfo_field(const char *info, const char *key)
{
	size_t len = strlen(key);
	const char *p = info;

	while (p) {
		if (!strncmp(p, key, len))
			return p + len;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}
